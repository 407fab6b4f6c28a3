'use strict';
// Amazon Route 53: hosted zones (public and private), record sets with
// atomic change batches and AWS's InvalidChangeBatch messages, changes that
// stay PENDING for the configured time, and zone tags.

const { modelError, nowIso } = require('./common');
const { randomChars } = require('../state');

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const MAX_ZONES = 500;
const MAX_RECORDS_PER_REQUEST = 1000;

function R(ctx) {
  return ctx.world.route53;
}

function err(ctx, shape, message) {
  return modelError(ctx.model, shape, message);
}

// Lower-case, fully qualified, with \052 style escapes turned into the
// characters they stand for.
function normName(name) {
  let n = String(name).replace(/\\(\d{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))).toLowerCase();
  if (!n.endsWith('.')) n += '.';
  return n;
}

// Route 53 writes '*' (and other specials) back as octal escapes.
function wireName(name) {
  return name.replace(/[*]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

function reversedKey(name) {
  return name.replace(/\.$/, '').split('.').reverse().join('.');
}

function stripId(id, prefix) {
  return String(id).replace(new RegExp(`^/?${prefix}/`), '');
}

function zoneFor(ctx, rawId) {
  const id = stripId(rawId, 'hostedzone');
  const z = R(ctx).zones[id];
  if (!z) throw err(ctx, 'NoSuchHostedZone', `No hosted zone found with ID: ${id}`);
  return z;
}

function zoneView(z) {
  return {
    Id: `/hostedzone/${z.id}`,
    Name: wireName(z.name),
    CallerReference: z.callerReference,
    Config: { Comment: z.comment, PrivateZone: z.privateZone },
    ResourceRecordSetCount: z.records.length,
  };
}

function delegationSet(z) {
  return {
    NameServers: [`ns-${z.nsBase}.awsdns-${z.nsBase % 64}.com`, `ns-${z.nsBase + 1}.awsdns-${z.nsBase % 64}.net`,
      `ns-${z.nsBase + 2}.awsdns-${z.nsBase % 64}.org`, `ns-${z.nsBase + 3}.awsdns-${z.nsBase % 64}.co.uk`],
  };
}

function newChange(ctx, comment) {
  const id = `C${randomChars(20, ALNUM)}`;
  const due = ctx.now + ctx.config.asyncMs;
  const c = { id, status: ctx.config.asyncMs > 0 ? 'PENDING' : 'INSYNC', submittedAt: nowIso(ctx), comment, _due: due };
  R(ctx).changes[id] = c;
  return changeView(c);
}

function changeView(c) {
  return { Id: `/change/${c.id}`, Status: c.status, SubmittedAt: c.submittedAt, Comment: c.comment };
}

function tick(world, now) {
  for (const c of Object.values(world.route53.changes)) {
    if (c.status === 'PENDING' && c._due <= now) c.status = 'INSYNC';
  }
}

// ----- hosted zones ------------------------------------------------------------

function CreateHostedZone(ctx, input) {
  const name = normName(input.Name);
  const existing = Object.values(R(ctx).zones).find((z) => z.callerReference === input.CallerReference && z.ownerAccount === ctx.account);
  if (existing) {
    throw err(ctx, 'HostedZoneAlreadyExists', `A hosted zone has already been created with the specified caller reference.`);
  }
  if (!/^([a-z0-9_*-]+\.)+$/.test(name) || name.length > 255) {
    throw err(ctx, 'InvalidDomainName', `${input.Name} is not a valid domain name.`);
  }
  const privateZone = !!input.VPC;
  if (input.HostedZoneConfig && input.HostedZoneConfig.PrivateZone && !input.VPC) {
    throw err(ctx, 'InvalidInput', 'When you create a private hosted zone, you must specify a VPC.');
  }
  if (input.VPC && (!input.VPC.VPCId || !input.VPC.VPCRegion)) {
    throw err(ctx, 'InvalidVPCId', 'The VPC ID and region are required for a private hosted zone.');
  }
  if (Object.keys(R(ctx).zones).length >= ((ctx.config.quotas || {}).hostedZones || MAX_ZONES)) {
    throw err(ctx, 'TooManyHostedZones', 'This operation can\'t be completed because the current account has reached the limit on the number of hosted zones.');
  }
  const id = `Z${randomChars(20, ALNUM)}`;
  const z = {
    id,
    name,
    callerReference: input.CallerReference,
    comment: input.HostedZoneConfig ? input.HostedZoneConfig.Comment : undefined,
    privateZone,
    vpcs: input.VPC ? [{ VPCRegion: input.VPC.VPCRegion, VPCId: input.VPC.VPCId }] : [],
    nsBase: Math.floor(Math.random() * 2000),
    ownerAccount: ctx.account,
    createdAt: nowIso(ctx),
    tags: {},
    _seq: ctx.emulator.world.nextSeq(),
    records: [],
  };
  const ns = delegationSet(z).NameServers;
  z.records.push({ Name: name, Type: 'NS', TTL: 172800, ResourceRecords: ns.map((v) => ({ Value: `${v}.` })) });
  z.records.push({
    Name: name, Type: 'SOA', TTL: 900,
    ResourceRecords: [{ Value: `${ns[0]}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400` }],
  });
  R(ctx).zones[id] = z;
  ctx.created = z;
  return {
    HostedZone: zoneView(z),
    ChangeInfo: newChange(ctx),
    DelegationSet: privateZone ? undefined : delegationSet(z),
    VPC: input.VPC,
    Location: `https://route53.amazonaws.com/2013-04-01/hostedzone/${id}`,
  };
}

function GetHostedZone(ctx, input) {
  const z = zoneFor(ctx, input.Id);
  return {
    HostedZone: zoneView(z),
    DelegationSet: z.privateZone ? undefined : delegationSet(z),
    VPCs: z.privateZone ? z.vpcs : undefined,
  };
}

function maxItems(ctx, raw, dflt) {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw err(ctx, 'InvalidInput', `1 validation error detected: Value '${raw}' at 'maxItems' failed to satisfy constraint: Member must be a positive integer`);
  return Math.min(n, dflt);
}

function ListHostedZones(ctx, input) {
  const max = maxItems(ctx, input.MaxItems, 100);
  let zones = Object.values(R(ctx).zones).sort((a, b) => a._seq - b._seq);
  if (input.HostedZoneType === 'PrivateHostedZone') zones = zones.filter((z) => z.privateZone);
  let start = 0;
  if (input.Marker !== undefined) {
    start = zones.findIndex((z) => z.id === stripId(input.Marker, 'hostedzone'));
    if (start < 0) throw err(ctx, 'InvalidInput', `Invalid marker: ${input.Marker}`);
  }
  const pageZones = zones.slice(start, start + max);
  const next = zones[start + max];
  return {
    HostedZones: pageZones.map(zoneView),
    Marker: input.Marker || '',
    IsTruncated: !!next,
    NextMarker: next ? next.id : undefined,
    MaxItems: String(max),
  };
}

function ListHostedZonesByName(ctx, input) {
  const max = maxItems(ctx, input.MaxItems, 100);
  if (input.HostedZoneId !== undefined && input.DNSName === undefined) {
    throw err(ctx, 'InvalidInput', 'The DNSName is required when HostedZoneId is specified.');
  }
  const cmp = (a, b) => (reversedKey(a.name) < reversedKey(b.name) ? -1 : reversedKey(a.name) > reversedKey(b.name) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const zones = Object.values(R(ctx).zones).sort(cmp);
  let rest = zones;
  if (input.DNSName !== undefined) {
    const probe = { name: normName(input.DNSName), id: input.HostedZoneId ? stripId(input.HostedZoneId, 'hostedzone') : '' };
    rest = zones.filter((z) => cmp(z, probe) >= 0);
  }
  const pageZones = rest.slice(0, max);
  const next = rest[max];
  return {
    HostedZones: pageZones.map(zoneView),
    DNSName: input.DNSName,
    HostedZoneId: input.HostedZoneId,
    IsTruncated: !!next,
    NextDNSName: next ? wireName(next.name) : undefined,
    NextHostedZoneId: next ? next.id : undefined,
    MaxItems: String(max),
  };
}

function DeleteHostedZone(ctx, input) {
  const z = zoneFor(ctx, input.Id);
  if (z.records.some((r) => !(r.Name === z.name && (r.Type === 'SOA' || r.Type === 'NS')))) {
    throw err(ctx, 'HostedZoneNotEmpty', 'The specified hosted zone contains non-required resource record sets and so cannot be deleted.');
  }
  delete R(ctx).zones[z.id];
  return { ChangeInfo: newChange(ctx) };
}

// ----- record sets -------------------------------------------------------------

function sameSet(a, b) {
  return a.Name === b.Name && a.Type === b.Type && (a.SetIdentifier || null) === (b.SetIdentifier || null);
}

function describe(rr) {
  const id = rr.SetIdentifier ? `, set-identifier='${rr.SetIdentifier}'` : '';
  return `[name='${wireName(rr.Name)}', type='${rr.Type}'${id}]`;
}

function canonicalRecord(rr) {
  const out = { Name: normName(rr.Name), Type: rr.Type };
  for (const k of ['SetIdentifier', 'Weight', 'Region', 'GeoLocation', 'Failover', 'MultiValueAnswer', 'TTL', 'HealthCheckId',
    'TrafficPolicyInstanceId', 'CidrRoutingConfig', 'GeoProximityLocation']) {
    if (rr[k] !== undefined) out[k] = rr[k];
  }
  if (rr.ResourceRecords) out.ResourceRecords = rr.ResourceRecords.map((r) => ({ Value: r.Value }));
  if (rr.AliasTarget) {
    out.AliasTarget = { ...rr.AliasTarget, DNSName: normName(rr.AliasTarget.DNSName) };
  }
  return out;
}

function sameValues(a, b) {
  const key = (r) => JSON.stringify({ ...r, Name: undefined });
  return key(a) === key(b);
}

// Problems with one record on its own (syntax), AWS wording.
function recordProblems(ctx, z, rr, action) {
  const problems = [];
  const hasRecords = rr.ResourceRecords !== undefined || rr.TTL !== undefined;
  if (!rr.AliasTarget && !rr.TrafficPolicyInstanceId && !(rr.ResourceRecords && rr.TTL !== undefined)) {
    throw err(ctx, 'InvalidInput', `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=${action}, Name=${rr.Name}, Type=${rr.Type}, SetIdentifier=${rr.SetIdentifier || null}]`);
  }
  if (rr.AliasTarget && hasRecords) {
    throw err(ctx, 'InvalidInput', `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found more than one in Change with [Action=${action}, Name=${rr.Name}, Type=${rr.Type}, SetIdentifier=${rr.SetIdentifier || null}]`);
  }
  if (!(rr.Name === z.name || rr.Name.endsWith(`.${z.name}`))) {
    problems.push(`RRSet with DNS name ${wireName(rr.Name)} is not permitted in zone ${wireName(z.name)}`);
  }
  if (rr.Type === 'CNAME' && rr.Name === z.name) {
    problems.push(`RRSet of type CNAME with DNS name ${wireName(rr.Name)} is not permitted at apex in zone ${wireName(z.name)}`);
  }
  if (rr.Type === 'CNAME' && rr.ResourceRecords && rr.ResourceRecords.length > 1) {
    problems.push(`RRSet of type CNAME with DNS name ${wireName(rr.Name)} has more than one value`);
  }
  for (const r of rr.ResourceRecords || []) {
    if ((rr.Type === 'TXT' || rr.Type === 'SPF') && !/^"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*$/.test(r.Value)) {
      problems.push(`Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '${r.Value}''`);
    }
    if (rr.Type === 'A' && !/^(\d{1,3})(\.\d{1,3}){3}$/.test(r.Value)) {
      problems.push(`Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '${r.Value}''`);
    }
  }
  return problems;
}

function ChangeResourceRecordSets(ctx, input) {
  const z = zoneFor(ctx, input.HostedZoneId);
  const changes = input.ChangeBatch.Changes;
  const values = changes.reduce((n, c) => n + ((c.ResourceRecordSet.ResourceRecords || []).length * (c.Action === 'UPSERT' ? 2 : 1)), 0);
  if (values > MAX_RECORDS_PER_REQUEST) {
    throw err(ctx, 'InvalidChangeBatch', `[Number of records limit of ${MAX_RECORDS_PER_REQUEST} exceeded.]`);
  }
  // Apply to a copy; commit only if every change is valid (atomic batch).
  const work = z.records.map((r) => ({ ...r }));
  const problems = [];
  for (const c of changes) {
    const rr = canonicalRecord(c.ResourceRecordSet);
    const own = recordProblems(ctx, z, rr, c.Action);
    if (own.length) {
      problems.push(...own);
      continue;
    }
    const idx = work.findIndex((r) => sameSet(r, rr));
    if (c.Action === 'CREATE' || c.Action === 'UPSERT') {
      if (c.Action === 'CREATE' && idx >= 0) {
        problems.push(`Tried to create resource record set ${describe(rr)} but it already exists`);
        continue;
      }
      const clash = work.find((r) => r.Name === rr.Name && !sameSet(r, rr)
        && ((rr.Type === 'CNAME' && r.Type !== 'CNAME') || (rr.Type !== 'CNAME' && r.Type === 'CNAME')));
      if (clash) {
        problems.push(`RRSet of type ${rr.Type} with DNS name ${wireName(rr.Name)} is not permitted because a conflicting RRSet of type ${clash.Type} with the same DNS name already exists in zone ${wireName(z.name)}`);
        continue;
      }
      if (idx >= 0) work[idx] = rr;
      else work.push(rr);
    } else {
      if (idx < 0) {
        problems.push(`Tried to delete resource record set ${describe(rr)} but it was not found`);
        continue;
      }
      if (!sameValues(work[idx], rr)) {
        problems.push(`Tried to delete resource record set ${describe(rr)} but the values provided do not match the current values`);
        continue;
      }
      if (rr.Name === z.name && (rr.Type === 'SOA' || rr.Type === 'NS')) {
        problems.push(`A HostedZone must contain at least one NS record for the zone itself and exactly one SOA record.`);
        continue;
      }
      work.splice(idx, 1);
    }
  }
  if (problems.length) {
    const e = err(ctx, 'InvalidChangeBatch', `[${problems.join(', ')}]`);
    e.messages = problems;
    throw e;
  }
  z.records = work;
  return { ChangeInfo: newChange(ctx, input.ChangeBatch.Comment) };
}

function recordOrder(a, b) {
  const ka = reversedKey(a.Name);
  const kb = reversedKey(b.Name);
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.Type !== b.Type) return a.Type < b.Type ? -1 : 1;
  const sa = a.SetIdentifier || '';
  const sb = b.SetIdentifier || '';
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function recordView(r) {
  const out = { ...r, Name: wireName(r.Name) };
  if (r.AliasTarget) out.AliasTarget = { ...r.AliasTarget, DNSName: wireName(r.AliasTarget.DNSName) };
  return out;
}

function ListResourceRecordSets(ctx, input) {
  const z = zoneFor(ctx, input.HostedZoneId);
  if (input.StartRecordType !== undefined && input.StartRecordName === undefined) {
    throw err(ctx, 'InvalidInput', 'The input is not valid: a type requires a name (StartRecordName).');
  }
  if (input.StartRecordIdentifier !== undefined && input.StartRecordType === undefined) {
    throw err(ctx, 'InvalidInput', 'The input is not valid: an identifier requires a name and a type.');
  }
  const max = maxItems(ctx, input.MaxItems, 300);
  const sorted = [...z.records].sort(recordOrder);
  let rest = sorted;
  if (input.StartRecordName !== undefined) {
    const probe = { Name: normName(input.StartRecordName), Type: input.StartRecordType || '', SetIdentifier: input.StartRecordIdentifier || '' };
    rest = sorted.filter((r) => recordOrder(r, probe) >= 0);
  }
  const pageRecs = rest.slice(0, max);
  const next = rest[max];
  return {
    ResourceRecordSets: pageRecs.map(recordView),
    IsTruncated: !!next,
    NextRecordName: next ? wireName(next.Name) : undefined,
    NextRecordType: next ? next.Type : undefined,
    NextRecordIdentifier: next ? next.SetIdentifier : undefined,
    MaxItems: String(max),
  };
}

function GetChange(ctx, input) {
  const id = stripId(input.Id, 'change');
  const c = R(ctx).changes[id];
  if (!c) throw err(ctx, 'NoSuchChange', `A change with the specified change ID does not exist: ${id}`);
  return { ChangeInfo: changeView(c) };
}

// ----- tags --------------------------------------------------------------------

function tagZone(ctx, input) {
  if (input.ResourceType === 'healthcheck') throw err(ctx, 'NoSuchHealthCheck', `No health check exists with the specified ID ${input.ResourceId}`);
  return zoneFor(ctx, input.ResourceId);
}

function ChangeTagsForResource(ctx, input) {
  const z = tagZone(ctx, input);
  const tags = { ...z.tags };
  for (const k of input.RemoveTagKeys || []) delete tags[k];
  for (const t of input.AddTags || []) tags[t.Key] = t.Value || '';
  if (Object.keys(tags).length > 50) throw err(ctx, 'InvalidInput', 'A resource can have at most 50 tags.');
  z.tags = tags;
  return {};
}

function ListTagsForResource(ctx, input) {
  const z = tagZone(ctx, input);
  return {
    ResourceTagSet: {
      ResourceType: 'hostedzone',
      ResourceId: z.id,
      Tags: Object.entries(z.tags).map(([Key, Value]) => ({ Key, Value })),
    },
  };
}

function reseed(ctx, rec) {
  const zones = R(ctx).zones;
  const key = Object.keys(zones).find((k) => zones[k] === rec);
  if (key !== undefined && rec.id !== key) {
    if (!/^Z[A-Z0-9]{1,31}$/.test(rec.id) || zones[rec.id]) {
      delete zones[key];
      throw new Error(`seeded zone id ${rec.id} is not a free zone id`);
    }
    delete zones[key];
    zones[rec.id] = rec;
  }
}

module.exports = {
  name: 'route53',
  reseed,
  modelFile: 'route53-2013-04-01.json',
  protocolName: 'rest-xml',
  global: true,
  tick,
  seedTypes: { hostedZone: 'CreateHostedZone', resourceRecordSets: 'ChangeResourceRecordSets' },
  handlers: {
    CreateHostedZone, GetHostedZone, ListHostedZones, ListHostedZonesByName, DeleteHostedZone,
    ChangeResourceRecordSets, ListResourceRecordSets, GetChange, ChangeTagsForResource, ListTagsForResource,
  },
};
