'use strict';
// Amazon VPC Lattice control plane: service networks, their VPC and service
// associations, services, listeners, rules, target groups and targets, auth
// and resource policies, access log subscriptions and tags.

const net = require('net');
const { modelError, nowIso, inputHash, paginate } = require('./common');
const { hexId } = require('../state');

const QUOTAS = {
  serviceNetworks: 50,
  services: 2000,
  targetGroups: 500,
  listenersPerService: 2,
  rulesPerListener: 10,
  targetGroupsPerService: 10,
  targetsPerTargetGroup: 1000,
  vpcAssociationsPerServiceNetwork: 500,
  serviceAssociationsPerServiceNetwork: 500,
  authPolicyBytes: 10240,
};

// Quota codes are placeholders: the real L-XXXXXXXX codes are not in the model.
const QUOTA_CODES = {
  serviceNetworks: 'L-service-networks-per-region',
  services: 'L-services-per-region',
  targetGroups: 'L-target-groups-per-region',
  listenersPerService: 'L-listeners-per-service',
  rulesPerListener: 'L-rules-per-listener',
  targetGroupsPerService: 'L-target-groups-per-service',
  targetsPerTargetGroup: 'L-targets-per-target-group',
  vpcAssociationsPerServiceNetwork: 'L-vpc-associations-per-service-network',
  serviceAssociationsPerServiceNetwork: 'L-service-associations-per-service-network',
  authPolicyBytes: 'L-auth-policy-size',
};

const TYPES = {
  serviceNetworks: { type: 'SERVICE_NETWORK', kind: 'servicenetwork', prefix: 'sn-' },
  services: { type: 'SERVICE', kind: 'service', prefix: 'svc-' },
  listeners: { type: 'LISTENER', prefix: 'listener-' },
  rules: { type: 'RULE', prefix: 'rule-' },
  targetGroups: { type: 'TARGET_GROUP', kind: 'targetgroup', prefix: 'tg-' },
  snvas: { type: 'SERVICE_NETWORK_VPC_ASSOCIATION', kind: 'servicenetworkvpcassociation', prefix: 'snva-' },
  snsas: { type: 'SERVICE_NETWORK_SERVICE_ASSOCIATION', kind: 'servicenetworkserviceassociation', prefix: 'snsa-' },
  accessLogs: { type: 'ACCESS_LOG_SUBSCRIPTION', kind: 'accesslogsubscription', prefix: 'als-' },
};

// ----- helpers ---------------------------------------------------------------

function L(ctx) {
  return ctx.world.lattice;
}

function quota(ctx, name) {
  const q = ctx.config.quotas || {};
  return q[name] !== undefined ? q[name] : QUOTAS[name];
}

function err(ctx, shape, message, fields) {
  return modelError(ctx.model, shape, message, fields, shape === 'ThrottlingException' ? { 'Retry-After': '1' } : {});
}

function notFound(ctx, coll, id) {
  const t = TYPES[coll] ? TYPES[coll].type : coll;
  return err(ctx, 'ResourceNotFoundException', `${t} ${id} not found`, { resourceId: id, resourceType: t });
}

function conflict(ctx, coll, id, message) {
  const t = TYPES[coll] ? TYPES[coll].type : coll;
  return err(ctx, 'ConflictException', message, { resourceId: id, resourceType: t });
}

function invalid(ctx, field, message) {
  return err(ctx, 'ValidationException', message, { reason: 'fieldValidationFailed', fieldList: [{ name: field, message }] });
}

function quotaExceeded(ctx, name, coll, id) {
  return err(ctx, 'ServiceQuotaExceededException', `Quota exceeded: ${name} (${quota(ctx, name)})`, {
    resourceId: id,
    resourceType: TYPES[coll] ? TYPES[coll].type : coll,
    serviceCode: 'vpc-lattice',
    quotaCode: QUOTA_CODES[name],
  });
}

function arnFor(ctx, coll, id) {
  return `arn:aws:vpc-lattice:${ctx.region}:${ctx.account}:${TYPES[coll].kind}/${id}`;
}

function newId(coll) {
  return `${TYPES[coll].prefix}${hexId(17)}`;
}

function inRegion(ctx, rec) {
  return rec.region === ctx.region;
}

function list(ctx, coll, pred = () => true) {
  return Object.values(L(ctx)[coll])
    .filter((r) => inRegion(ctx, r) && pred(r))
    .sort((a, b) => a._seq - b._seq);
}

// Look a record up by id or ARN.
function find(ctx, coll, identifier) {
  const c = L(ctx)[coll];
  if (typeof identifier !== 'string') return null;
  if (identifier.startsWith('arn:')) return Object.values(c).find((r) => r.arn === identifier) || null;
  const r = c[identifier];
  return r && inRegion(ctx, r) ? r : null;
}

function get(ctx, coll, identifier) {
  const r = find(ctx, coll, identifier);
  if (!r) throw notFound(ctx, coll, identifier);
  return r;
}

function own(ctx, rec, action) {
  if (rec.ownerAccount !== ctx.account) {
    throw err(ctx, 'AccessDeniedException',
      `User: ${ctx.callerArn} is not authorized to perform: vpc-lattice:${action} on resource: ${rec.arn} because no identity-based policy allows it (the resource is owned by account ${rec.ownerAccount})`);
  }
}

function base(ctx, coll, fields) {
  const id = fields.id || newId(coll);
  return {
    id,
    arn: fields.arn || arnFor(ctx, coll, id),
    createdAt: nowIso(ctx),
    lastUpdatedAt: nowIso(ctx),
    ownerAccount: ctx.account,
    region: ctx.region,
    tags: {},
    _seq: ctx.emulator.world.nextSeq(),
    ...fields,
  };
}

// Every change moves lastUpdatedAt forward, strictly: clients (trellis's
// read cache) skip a Get when the List summary's lastUpdatedAt is the one
// they saw, so two changes within one millisecond must not share it.
function touch(ctx, rec) {
  const prev = Date.parse(rec.lastUpdatedAt || 0) || 0;
  rec.lastUpdatedAt = new Date(Math.max(ctx.now, prev + 1)).toISOString();
}

function store(ctx, coll, rec) {
  L(ctx)[coll][rec.id] = rec;
  ctx.created = rec;
  return rec;
}

// Start an asynchronous transition: `now` is the in-progress status, `then`
// the final one ('delete' removes the record).
function transition(ctx, rec, now, then) {
  if (ctx.config.asyncMs > 0) {
    rec.status = now;
    rec._due = ctx.now + ctx.config.asyncMs;
    rec._then = then;
  } else if (then === 'delete') {
    rec.status = now;
    rec._due = ctx.now;
    rec._then = then;
  } else {
    rec.status = then;
    delete rec._due;
    delete rec._then;
  }
}

function tick(world, now) {
  const l = world.lattice;
  for (const coll of Object.keys(TYPES)) {
    for (const rec of Object.values(l[coll])) {
      if (rec._due !== undefined && rec._due <= now) {
        if (rec._then === 'delete') delete l[coll][rec.id];
        else {
          rec.status = rec._then;
          delete rec._due;
          delete rec._then;
        }
      }
    }
  }
  for (const tg of Object.values(l.targetGroups)) {
    tg.targets = (tg.targets || []).filter((t) => !(t.drainUntil !== undefined && t.drainUntil <= now));
  }
}

// clientToken idempotency: same token + same input -> same answer; same token
// with a different input -> ConflictException.
function idempotent(ctx, input, coll, fn) {
  if (!input.clientToken) return fn();
  const key = `vpc-lattice:${ctx.account}:${ctx.region}:${ctx.operation}:${input.clientToken}`;
  const hash = inputHash(input, 'clientToken');
  const prev = ctx.world.idempotency[key];
  if (prev) {
    if (prev.hash !== hash) {
      throw conflict(ctx, coll, input.clientToken, `The clientToken ${input.clientToken} was already used with different request parameters`);
    }
    return prev.output;
  }
  const output = fn();
  ctx.world.idempotency[key] = { hash, output: JSON.parse(JSON.stringify(output)) };
  return output;
}

function checkTags(ctx, tags, field = 'tags') {
  for (const k of Object.keys(tags || {})) {
    if (k.toLowerCase().startsWith('aws:')) throw invalid(ctx, field, `Tag keys starting with aws: are reserved: ${k}`);
  }
}

function uniqueName(ctx, coll, name, pred = () => true) {
  const dup = list(ctx, coll, (r) => r.name === name && r.ownerAccount === ctx.account && pred(r));
  if (dup.length) throw conflict(ctx, coll, dup[0].id, `A resource with the name ${name} already exists: ${dup[0].id}`);
}

// ----- views (record -> output members) --------------------------------------

function snView(ctx, sn) {
  return {
    ...sn,
    numberOfAssociatedVPCs: list(ctx, 'snvas', (a) => a.serviceNetworkId === sn.id).length,
    numberOfAssociatedServices: list(ctx, 'snsas', (a) => a.serviceNetworkId === sn.id).length,
  };
}

function tgServiceArns(ctx, tg) {
  const arns = new Set();
  for (const l of Object.values(L(ctx).listeners)) {
    if (actionUses(l.defaultAction, tg.id)) arns.add(l.serviceArn);
  }
  for (const r of Object.values(L(ctx).rules)) {
    if (actionUses(r.action, tg.id)) arns.add(r.serviceArn);
  }
  return [...arns].sort();
}

function tgView(ctx, tg) {
  const c = tg.config || {};
  return {
    ...tg,
    serviceArns: tgServiceArns(ctx, tg),
    port: c.port,
    protocol: c.protocol,
    ipAddressType: c.ipAddressType,
    vpcIdentifier: c.vpcIdentifier,
    lambdaEventStructureVersion: c.lambdaEventStructureVersion,
  };
}

function targetView(ctx, tg, t) {
  let status;
  let reasonCode;
  if (t.status) status = t.status;
  else if (t.drainUntil !== undefined) status = 'DRAINING';
  else if (tgServiceArns(ctx, tg).length === 0) {
    status = 'UNUSED';
    reasonCode = 'TargetGroupNotInUse';
  } else if (ctx.now < t.registeredAt + ctx.config.asyncMs) status = 'INITIAL';
  else if (tg.config && tg.config.healthCheck && tg.config.healthCheck.enabled === false) {
    status = 'UNAVAILABLE';
    reasonCode = 'HealthCheckDisabled';
  } else status = 'HEALTHY';
  return { id: t.id, port: t.port, status, reasonCode: t.reasonCode || reasonCode };
}

function actionUses(action, tgId) {
  return !!(action && action.forward && (action.forward.targetGroups || []).some((g) => g.targetGroupIdentifier === tgId));
}

// Resolve the target groups of an action to ids; they must exist, belong to
// no other service, and the service may use at most `targetGroupsPerService`
// of them. `replacing` is the id of the listener or rule whose action this
// replaces (its current groups do not count).
function normaliseAction(ctx, action, svc, replacing) {
  if (!action || !action.forward) return action;
  const groups = action.forward.targetGroups.map((g) => {
    const tg = find(ctx, 'targetGroups', g.targetGroupIdentifier);
    if (!tg || tg.status === 'DELETE_IN_PROGRESS') throw notFound(ctx, 'targetGroups', g.targetGroupIdentifier);
    const others = tgServiceArns(ctx, tg).filter((arn) => arn !== svc.arn);
    if (others.length) throw conflict(ctx, 'targetGroups', tg.id, `Target group ${tg.id} is already used by service ${others[0]}`);
    const out = { targetGroupIdentifier: tg.id };
    if (g.weight !== undefined) out.weight = g.weight;
    return out;
  });
  const used = new Set(groups.map((g) => g.targetGroupIdentifier));
  const keep = (rec) => rec.serviceId === svc.id && rec.id !== replacing && !(rec.isDefault && rec.listenerId === replacing);
  for (const l of Object.values(L(ctx).listeners)) if (keep(l)) actionGroups(l.defaultAction).forEach((id) => used.add(id));
  for (const r of Object.values(L(ctx).rules)) if (keep(r)) actionGroups(r.action).forEach((id) => used.add(id));
  if (used.size > quota(ctx, 'targetGroupsPerService')) throw quotaExceeded(ctx, 'targetGroupsPerService', 'services', svc.id);
  return { forward: { targetGroups: groups } };
}

function actionGroups(action) {
  return action && action.forward ? action.forward.targetGroups.map((g) => g.targetGroupIdentifier) : [];
}

function page(ctx, items, input, view) {
  const { page: p, nextToken } = paginate(items, input.maxResults, input.nextToken, 100,
    () => invalid(ctx, 'nextToken', 'The nextToken is not valid'));
  return { items: p.map(view), nextToken };
}

// ----- service networks ------------------------------------------------------

function CreateServiceNetwork(ctx, input) {
  return idempotent(ctx, input, 'serviceNetworks', () => {
    checkTags(ctx, input.tags);
    uniqueName(ctx, 'serviceNetworks', input.name);
    if (list(ctx, 'serviceNetworks', (r) => r.ownerAccount === ctx.account).length >= quota(ctx, 'serviceNetworks')) {
      throw quotaExceeded(ctx, 'serviceNetworks', 'serviceNetworks');
    }
    const sn = store(ctx, 'serviceNetworks', base(ctx, 'serviceNetworks', {
      name: input.name,
      authType: input.authType || 'NONE',
      sharingConfig: input.sharingConfig,
      tags: { ...(input.tags || {}) },
    }));
    return snView(ctx, sn);
  });
}

function GetServiceNetwork(ctx, input) {
  return snView(ctx, get(ctx, 'serviceNetworks', input.serviceNetworkIdentifier));
}

function ListServiceNetworks(ctx, input) {
  return page(ctx, list(ctx, 'serviceNetworks'), input, (sn) => snView(ctx, sn));
}

function UpdateServiceNetwork(ctx, input) {
  const sn = get(ctx, 'serviceNetworks', input.serviceNetworkIdentifier);
  own(ctx, sn, 'UpdateServiceNetwork');
  sn.authType = input.authType;
  touch(ctx, sn);
  return snView(ctx, sn);
}

function DeleteServiceNetwork(ctx, input) {
  const sn = get(ctx, 'serviceNetworks', input.serviceNetworkIdentifier);
  own(ctx, sn, 'DeleteServiceNetwork');
  const vpcs = list(ctx, 'snvas', (a) => a.serviceNetworkId === sn.id);
  const svcs = list(ctx, 'snsas', (a) => a.serviceNetworkId === sn.id);
  if (vpcs.length || svcs.length) {
    throw conflict(ctx, 'serviceNetworks', sn.id,
      `Service network ${sn.id} still has ${vpcs.length} VPC association(s) and ${svcs.length} service association(s)`);
  }
  dropAttachments(ctx, sn);
  delete L(ctx).serviceNetworks[sn.id];
  return {};
}

// Policies and log subscriptions go with their resource.
function dropAttachments(ctx, rec) {
  delete L(ctx).authPolicies[rec.arn];
  delete L(ctx).resourcePolicies[rec.arn];
  for (const a of Object.values(L(ctx).accessLogs)) if (a.resourceArn === rec.arn) delete L(ctx).accessLogs[a.id];
}

// ----- service network VPC associations -------------------------------------

function CreateServiceNetworkVpcAssociation(ctx, input) {
  return idempotent(ctx, input, 'snvas', () => {
    checkTags(ctx, input.tags);
    const sn = get(ctx, 'serviceNetworks', input.serviceNetworkIdentifier);
    const existing = list(ctx, 'snvas', (a) => a.vpcId === input.vpcIdentifier);
    if (existing.length) {
      const a = existing[0];
      const msg = a.serviceNetworkId === sn.id
        ? `VPC ${input.vpcIdentifier} is already associated with service network ${sn.id} (${a.id}, ${a.status})`
        : `VPC ${input.vpcIdentifier} is already associated with another service network ${a.serviceNetworkId}`;
      throw conflict(ctx, 'snvas', a.id, msg);
    }
    if (list(ctx, 'snvas', (a) => a.serviceNetworkId === sn.id).length >= quota(ctx, 'vpcAssociationsPerServiceNetwork')) {
      throw quotaExceeded(ctx, 'vpcAssociationsPerServiceNetwork', 'snvas', sn.id);
    }
    const a = store(ctx, 'snvas', base(ctx, 'snvas', {
      serviceNetworkId: sn.id,
      serviceNetworkName: sn.name,
      serviceNetworkArn: sn.arn,
      vpcId: input.vpcIdentifier,
      securityGroupIds: input.securityGroupIds ? [...input.securityGroupIds] : [],
      privateDnsEnabled: input.privateDnsEnabled,
      dnsOptions: input.dnsOptions,
      createdBy: ctx.account,
      tags: { ...(input.tags || {}) },
    }));
    transition(ctx, a, 'CREATE_IN_PROGRESS', 'ACTIVE');
    return a;
  });
}

function GetServiceNetworkVpcAssociation(ctx, input) {
  return get(ctx, 'snvas', input.serviceNetworkVpcAssociationIdentifier);
}

function ListServiceNetworkVpcAssociations(ctx, input) {
  if (!input.serviceNetworkIdentifier && !input.vpcIdentifier) {
    throw invalid(ctx, 'serviceNetworkIdentifier', 'Either serviceNetworkIdentifier or vpcIdentifier must be specified');
  }
  let snId = null;
  if (input.serviceNetworkIdentifier) {
    const sn = find(ctx, 'serviceNetworks', input.serviceNetworkIdentifier);
    snId = sn ? sn.id : '\0none';
  }
  const items = list(ctx, 'snvas', (a) => (!snId || a.serviceNetworkId === snId) && (!input.vpcIdentifier || a.vpcId === input.vpcIdentifier));
  return page(ctx, items, input, (a) => a);
}

function UpdateServiceNetworkVpcAssociation(ctx, input) {
  const a = get(ctx, 'snvas', input.serviceNetworkVpcAssociationIdentifier);
  own(ctx, a, 'UpdateServiceNetworkVpcAssociation');
  if (a.status !== 'ACTIVE') throw conflict(ctx, 'snvas', a.id, `Association ${a.id} is ${a.status}`);
  a.securityGroupIds = [...input.securityGroupIds];
  touch(ctx, a);
  transition(ctx, a, 'UPDATE_IN_PROGRESS', 'ACTIVE');
  return a;
}

function DeleteServiceNetworkVpcAssociation(ctx, input) {
  const a = get(ctx, 'snvas', input.serviceNetworkVpcAssociationIdentifier);
  own(ctx, a, 'DeleteServiceNetworkVpcAssociation');
  if (a.status !== 'DELETE_IN_PROGRESS') transition(ctx, a, 'DELETE_IN_PROGRESS', 'delete');
  return { id: a.id, arn: a.arn, status: a.status };
}

// ----- service network service associations ---------------------------------

function snsaView(ctx, a) {
  const svc = L(ctx).services[a.serviceId];
  return {
    ...a,
    dnsEntry: svc ? svc.dnsEntry : a.dnsEntry,
    customDomainName: svc ? svc.customDomainName : a.customDomainName,
  };
}

function CreateServiceNetworkServiceAssociation(ctx, input) {
  return idempotent(ctx, input, 'snsas', () => {
    checkTags(ctx, input.tags);
    const svc = get(ctx, 'services', input.serviceIdentifier);
    const sn = get(ctx, 'serviceNetworks', input.serviceNetworkIdentifier);
    if (svc.status === 'DELETE_IN_PROGRESS') throw conflict(ctx, 'services', svc.id, `Service ${svc.id} is being deleted`);
    const dup = list(ctx, 'snsas', (a) => a.serviceId === svc.id && a.serviceNetworkId === sn.id);
    if (dup.length) {
      throw conflict(ctx, 'snsas', dup[0].id, `Service ${svc.id} is already associated with service network ${sn.id} (${dup[0].id}, ${dup[0].status})`);
    }
    if (list(ctx, 'snsas', (a) => a.serviceNetworkId === sn.id).length >= quota(ctx, 'serviceAssociationsPerServiceNetwork')) {
      throw quotaExceeded(ctx, 'serviceAssociationsPerServiceNetwork', 'snsas', sn.id);
    }
    const a = store(ctx, 'snsas', base(ctx, 'snsas', {
      serviceId: svc.id,
      serviceName: svc.name,
      serviceArn: svc.arn,
      serviceNetworkId: sn.id,
      serviceNetworkName: sn.name,
      serviceNetworkArn: sn.arn,
      createdBy: ctx.account,
      tags: { ...(input.tags || {}) },
    }));
    transition(ctx, a, 'CREATE_IN_PROGRESS', 'ACTIVE');
    return snsaView(ctx, a);
  });
}

function GetServiceNetworkServiceAssociation(ctx, input) {
  return snsaView(ctx, get(ctx, 'snsas', input.serviceNetworkServiceAssociationIdentifier));
}

function ListServiceNetworkServiceAssociations(ctx, input) {
  if (!input.serviceNetworkIdentifier && !input.serviceIdentifier) {
    throw invalid(ctx, 'serviceNetworkIdentifier', 'Either serviceNetworkIdentifier or serviceIdentifier must be specified');
  }
  const sn = input.serviceNetworkIdentifier ? find(ctx, 'serviceNetworks', input.serviceNetworkIdentifier) : null;
  const svc = input.serviceIdentifier ? find(ctx, 'services', input.serviceIdentifier) : null;
  const items = list(ctx, 'snsas', (a) => (!input.serviceNetworkIdentifier || (sn && a.serviceNetworkId === sn.id))
    && (!input.serviceIdentifier || (svc && a.serviceId === svc.id)));
  return page(ctx, items, input, (a) => snsaView(ctx, a));
}

function DeleteServiceNetworkServiceAssociation(ctx, input) {
  const a = get(ctx, 'snsas', input.serviceNetworkServiceAssociationIdentifier);
  own(ctx, a, 'DeleteServiceNetworkServiceAssociation');
  if (a.status !== 'DELETE_IN_PROGRESS') transition(ctx, a, 'DELETE_IN_PROGRESS', 'delete');
  return { id: a.id, arn: a.arn, status: a.status };
}

// ----- services --------------------------------------------------------------

function hostedZoneFor(region) {
  // Stable, fake per-region hosted zone id of the Lattice-generated names.
  let h = 0;
  for (const c of region) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `Z${h.toString(36).toUpperCase().padStart(12, '0').slice(0, 12)}LATTICE`;
}

function CreateService(ctx, input) {
  return idempotent(ctx, input, 'services', () => {
    checkTags(ctx, input.tags);
    uniqueName(ctx, 'services', input.name);
    if (input.certificateArn && !input.customDomainName) {
      throw invalid(ctx, 'certificateArn', 'A certificateArn requires a customDomainName');
    }
    if (list(ctx, 'services', (r) => r.ownerAccount === ctx.account).length >= quota(ctx, 'services')) {
      throw quotaExceeded(ctx, 'services', 'services');
    }
    const id = newId('services');
    const svc = store(ctx, 'services', base(ctx, 'services', {
      id,
      name: input.name,
      customDomainName: input.customDomainName,
      certificateArn: input.certificateArn,
      authType: input.authType || 'NONE',
      idleTimeoutSeconds: input.idleTimeoutSeconds,
      dnsEntry: {
        domainName: `${input.name}-${id.slice(4)}.7d67968.vpc-lattice-svcs.${ctx.region}.on.aws`,
        hostedZoneId: hostedZoneFor(ctx.region),
      },
      tags: { ...(input.tags || {}) },
    }));
    transition(ctx, svc, 'CREATE_IN_PROGRESS', 'ACTIVE');
    return svc;
  });
}

function GetService(ctx, input) {
  return get(ctx, 'services', input.serviceIdentifier);
}

function ListServices(ctx, input) {
  return page(ctx, list(ctx, 'services'), input, (s) => s);
}

function UpdateService(ctx, input) {
  const svc = get(ctx, 'services', input.serviceIdentifier);
  own(ctx, svc, 'UpdateService');
  if (svc.status !== 'ACTIVE') throw conflict(ctx, 'services', svc.id, `Service ${svc.id} is ${svc.status}`);
  if (input.certificateArn !== undefined) {
    if (input.certificateArn && !svc.customDomainName) throw invalid(ctx, 'certificateArn', 'A certificateArn requires a customDomainName');
    svc.certificateArn = input.certificateArn || undefined;
  }
  if (input.authType !== undefined) svc.authType = input.authType;
  if (input.idleTimeoutSeconds !== undefined) svc.idleTimeoutSeconds = input.idleTimeoutSeconds;
  touch(ctx, svc);
  return svc;
}

function DeleteService(ctx, input) {
  const svc = get(ctx, 'services', input.serviceIdentifier);
  own(ctx, svc, 'DeleteService');
  const assocs = list(ctx, 'snsas', (a) => a.serviceId === svc.id);
  if (assocs.length) {
    throw conflict(ctx, 'services', svc.id, `Service ${svc.id} is still associated with ${assocs.length} service network(s)`);
  }
  for (const l of Object.values(L(ctx).listeners)) if (l.serviceId === svc.id) deleteListenerRecords(ctx, l);
  dropAttachments(ctx, svc);
  if (svc.status !== 'DELETE_IN_PROGRESS') transition(ctx, svc, 'DELETE_IN_PROGRESS', 'delete');
  return { id: svc.id, arn: svc.arn, name: svc.name, status: svc.status };
}

// ----- listeners and rules ---------------------------------------------------

function serviceFor(ctx, identifier) {
  const svc = get(ctx, 'services', identifier);
  return svc;
}

function listenerFor(ctx, svc, identifier) {
  const l = find(ctx, 'listeners', identifier);
  if (!l || l.serviceId !== svc.id) throw notFound(ctx, 'listeners', identifier);
  return l;
}

function ruleFor(ctx, listener, identifier) {
  const r = find(ctx, 'rules', identifier);
  if (!r || r.listenerId !== listener.id) throw notFound(ctx, 'rules', identifier);
  return r;
}

function CreateListener(ctx, input) {
  return idempotent(ctx, input, 'listeners', () => {
    checkTags(ctx, input.tags);
    const svc = serviceFor(ctx, input.serviceIdentifier);
    own(ctx, svc, 'CreateListener');
    const mine = list(ctx, 'listeners', (l) => l.serviceId === svc.id);
    const port = input.port !== undefined ? input.port : input.protocol === 'HTTP' ? 80 : 443;
    const byName = mine.find((l) => l.name === input.name);
    if (byName) throw conflict(ctx, 'listeners', byName.id, `Listener name ${input.name} already exists on service ${svc.id}`);
    const byPort = mine.find((l) => l.port === port);
    if (byPort) throw conflict(ctx, 'listeners', byPort.id, `Port ${port} is already used by listener ${byPort.id}`);
    if (mine.length >= quota(ctx, 'listenersPerService')) throw quotaExceeded(ctx, 'listenersPerService', 'services', svc.id);
    const defaultAction = normaliseAction(ctx, input.defaultAction, svc, null);
    const id = newId('listeners');
    const l = store(ctx, 'listeners', base(ctx, 'listeners', {
      id,
      arn: `${svc.arn}/listener/${id}`,
      name: input.name,
      protocol: input.protocol,
      port,
      serviceArn: svc.arn,
      serviceId: svc.id,
      defaultAction,
      tags: { ...(input.tags || {}) },
    }));
    const rid = newId('rules');
    L(ctx).rules[rid] = base(ctx, 'rules', {
      id: rid,
      arn: `${l.arn}/rule/${rid}`,
      name: 'default',
      isDefault: true,
      action: defaultAction,
      listenerId: l.id,
      serviceId: svc.id,
      serviceArn: svc.arn,
    });
    ctx.created = l;
    return l;
  });
}

function GetListener(ctx, input) {
  return listenerFor(ctx, serviceFor(ctx, input.serviceIdentifier), input.listenerIdentifier);
}

function ListListeners(ctx, input) {
  const svc = serviceFor(ctx, input.serviceIdentifier);
  return page(ctx, list(ctx, 'listeners', (l) => l.serviceId === svc.id), input, (l) => l);
}

function UpdateListener(ctx, input) {
  const svc = serviceFor(ctx, input.serviceIdentifier);
  const l = listenerFor(ctx, svc, input.listenerIdentifier);
  own(ctx, l, 'UpdateListener');
  l.defaultAction = normaliseAction(ctx, input.defaultAction, svc, l.id);
  touch(ctx, l);
  for (const r of Object.values(L(ctx).rules)) {
    if (r.listenerId === l.id && r.isDefault) {
      r.action = l.defaultAction;
      touch(ctx, r);
    }
  }
  return l;
}

function deleteListenerRecords(ctx, l) {
  for (const r of Object.values(L(ctx).rules)) if (r.listenerId === l.id) delete L(ctx).rules[r.id];
  delete L(ctx).listeners[l.id];
}

function DeleteListener(ctx, input) {
  const svc = serviceFor(ctx, input.serviceIdentifier);
  const l = listenerFor(ctx, svc, input.listenerIdentifier);
  own(ctx, l, 'DeleteListener');
  deleteListenerRecords(ctx, l);
  return {};
}

function checkPriority(ctx, listener, priority, exceptId) {
  const clash = list(ctx, 'rules', (r) => r.listenerId === listener.id && !r.isDefault && r.priority === priority && r.id !== exceptId);
  if (clash.length) throw conflict(ctx, 'rules', clash[0].id, `Priority ${priority} is already used by rule ${clash[0].id} on listener ${listener.id}`);
}

function CreateRule(ctx, input) {
  return idempotent(ctx, input, 'rules', () => {
    checkTags(ctx, input.tags);
    const svc = serviceFor(ctx, input.serviceIdentifier);
    const l = listenerFor(ctx, svc, input.listenerIdentifier);
    own(ctx, l, 'CreateRule');
    const rules = list(ctx, 'rules', (r) => r.listenerId === l.id && !r.isDefault);
    const byName = rules.find((r) => r.name === input.name);
    if (byName) throw conflict(ctx, 'rules', byName.id, `Rule name ${input.name} already exists on listener ${l.id}`);
    checkPriority(ctx, l, input.priority);
    if (rules.length >= quota(ctx, 'rulesPerListener')) throw quotaExceeded(ctx, 'rulesPerListener', 'listeners', l.id);
    const action = normaliseAction(ctx, input.action, svc, null);
    const id = newId('rules');
    return store(ctx, 'rules', base(ctx, 'rules', {
      id,
      arn: `${l.arn}/rule/${id}`,
      name: input.name,
      isDefault: false,
      priority: input.priority,
      match: input.match,
      action,
      listenerId: l.id,
      serviceId: svc.id,
      serviceArn: svc.arn,
      tags: { ...(input.tags || {}) },
    }));
  });
}

function GetRule(ctx, input) {
  const svc = serviceFor(ctx, input.serviceIdentifier);
  return ruleFor(ctx, listenerFor(ctx, svc, input.listenerIdentifier), input.ruleIdentifier);
}

function ListRules(ctx, input) {
  const svc = serviceFor(ctx, input.serviceIdentifier);
  const l = listenerFor(ctx, svc, input.listenerIdentifier);
  return page(ctx, list(ctx, 'rules', (r) => r.listenerId === l.id), input, (r) => r);
}

function applyRuleUpdate(ctx, rule, u) {
  if (u.match !== undefined) rule.match = u.match;
  if (u.priority !== undefined) rule.priority = u.priority;
  if (u.action !== undefined) rule.action = u.action;
  touch(ctx, rule);
}

function UpdateRule(ctx, input) {
  const svc = serviceFor(ctx, input.serviceIdentifier);
  const l = listenerFor(ctx, svc, input.listenerIdentifier);
  const r = ruleFor(ctx, l, input.ruleIdentifier);
  own(ctx, r, 'UpdateRule');
  if (r.isDefault) throw invalid(ctx, 'ruleIdentifier', 'The default rule cannot be modified; use UpdateListener to change the default action');
  if (input.priority !== undefined) checkPriority(ctx, l, input.priority, r.id);
  const action = input.action !== undefined ? normaliseAction(ctx, input.action, svc, r.id) : undefined;
  applyRuleUpdate(ctx, r, { match: input.match, priority: input.priority, action });
  return r;
}

function BatchUpdateRule(ctx, input) {
  const svc = serviceFor(ctx, input.serviceIdentifier);
  const l = listenerFor(ctx, svc, input.listenerIdentifier);
  own(ctx, l, 'BatchUpdateRule');
  const ok = [];
  const unsuccessful = [];
  for (const u of input.rules) {
    const r = find(ctx, 'rules', u.ruleIdentifier);
    if (!r || r.listenerId !== l.id) {
      unsuccessful.push({ ruleIdentifier: u.ruleIdentifier, failureCode: 'ResourceNotFoundException', failureMessage: `Rule ${u.ruleIdentifier} not found` });
      continue;
    }
    if (r.isDefault) {
      unsuccessful.push({ ruleIdentifier: u.ruleIdentifier, failureCode: 'ValidationException', failureMessage: 'The default rule cannot be modified' });
      continue;
    }
    let action;
    try {
      action = u.action !== undefined ? normaliseAction(ctx, u.action, svc, r.id) : undefined;
    } catch (e) {
      unsuccessful.push({ ruleIdentifier: u.ruleIdentifier, failureCode: e.code, failureMessage: e.message });
      continue;
    }
    ok.push({ r, u: { ...u, action } });
  }
  // Priorities are checked against the state after the whole batch, so two
  // rules can swap priorities in one call.
  const final = new Map();
  for (const r of list(ctx, 'rules', (x) => x.listenerId === l.id && !x.isDefault)) final.set(r.id, r.priority);
  for (const { r, u } of ok) if (u.priority !== undefined) final.set(r.id, u.priority);
  const seen = new Map();
  for (const [id, p] of final) {
    if (seen.has(p)) throw conflict(ctx, 'rules', id, `Priority ${p} would be used by both ${seen.get(p)} and ${id}`);
    seen.set(p, id);
  }
  for (const { r, u } of ok) applyRuleUpdate(ctx, r, u);
  return { successful: ok.map(({ r }) => r), unsuccessful };
}

function DeleteRule(ctx, input) {
  const svc = serviceFor(ctx, input.serviceIdentifier);
  const l = listenerFor(ctx, svc, input.listenerIdentifier);
  const r = ruleFor(ctx, l, input.ruleIdentifier);
  own(ctx, r, 'DeleteRule');
  if (r.isDefault) throw invalid(ctx, 'ruleIdentifier', 'The default rule cannot be deleted');
  delete L(ctx).rules[r.id];
  return {};
}

// ----- target groups and targets ---------------------------------------------

function defaultHealthCheck(type, cfg) {
  if (type === 'LAMBDA') return undefined;
  const protocol = cfg.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP';
  return {
    enabled: true,
    protocol,
    protocolVersion: 'HTTP1',
    path: '/',
    healthCheckIntervalSeconds: 30,
    healthCheckTimeoutSeconds: 5,
    healthyThresholdCount: 5,
    unhealthyThresholdCount: 2,
    matcher: { httpCode: '200' },
  };
}

function CreateTargetGroup(ctx, input) {
  return idempotent(ctx, input, 'targetGroups', () => {
    checkTags(ctx, input.tags);
    const cfg = input.config ? { ...input.config } : undefined;
    if (input.type === 'LAMBDA') {
      if (cfg && (cfg.port !== undefined || cfg.protocol !== undefined || cfg.vpcIdentifier !== undefined)) {
        throw invalid(ctx, 'config', 'port, protocol and vpcIdentifier are not supported for LAMBDA target groups');
      }
    } else {
      for (const f of ['port', 'protocol', 'vpcIdentifier']) {
        if (!cfg || cfg[f] === undefined) throw invalid(ctx, `config.${f}`, `config.${f} is required for ${input.type} target groups`);
      }
      if (cfg.ipAddressType !== undefined && input.type !== 'IP') throw invalid(ctx, 'config.ipAddressType', 'ipAddressType is only supported for IP target groups');
      if (input.type === 'IP' && cfg.ipAddressType === undefined) cfg.ipAddressType = 'IPV4';
      if (cfg.protocol !== 'TCP' && cfg.protocolVersion === undefined) cfg.protocolVersion = 'HTTP1';
      cfg.healthCheck = { ...defaultHealthCheck(input.type, cfg), ...(cfg.healthCheck || {}) };
    }
    uniqueName(ctx, 'targetGroups', input.name);
    if (list(ctx, 'targetGroups', (r) => r.ownerAccount === ctx.account).length >= quota(ctx, 'targetGroups')) {
      throw quotaExceeded(ctx, 'targetGroups', 'targetGroups');
    }
    const tg = store(ctx, 'targetGroups', base(ctx, 'targetGroups', {
      name: input.name,
      type: input.type,
      config: cfg,
      targets: [],
      tags: { ...(input.tags || {}) },
    }));
    transition(ctx, tg, 'CREATE_IN_PROGRESS', 'ACTIVE');
    return tgView(ctx, tg);
  });
}

function GetTargetGroup(ctx, input) {
  return tgView(ctx, get(ctx, 'targetGroups', input.targetGroupIdentifier));
}

function ListTargetGroups(ctx, input) {
  const items = list(ctx, 'targetGroups', (tg) => (!input.vpcIdentifier || (tg.config && tg.config.vpcIdentifier === input.vpcIdentifier))
    && (!input.targetGroupType || tg.type === input.targetGroupType));
  return page(ctx, items, input, (tg) => tgView(ctx, tg));
}

function UpdateTargetGroup(ctx, input) {
  const tg = get(ctx, 'targetGroups', input.targetGroupIdentifier);
  own(ctx, tg, 'UpdateTargetGroup');
  if (tg.type === 'LAMBDA') throw invalid(ctx, 'healthCheck', 'Health checks are not supported for LAMBDA target groups');
  if (tg.status !== 'ACTIVE') throw conflict(ctx, 'targetGroups', tg.id, `Target group ${tg.id} is ${tg.status}`);
  tg.config.healthCheck = { ...(tg.config.healthCheck || {}), ...input.healthCheck };
  touch(ctx, tg);
  return tgView(ctx, tg);
}

function DeleteTargetGroup(ctx, input) {
  const tg = get(ctx, 'targetGroups', input.targetGroupIdentifier);
  own(ctx, tg, 'DeleteTargetGroup');
  const users = [
    ...Object.values(L(ctx).listeners).filter((l) => actionUses(l.defaultAction, tg.id)).map((l) => l.id),
    ...Object.values(L(ctx).rules).filter((r) => !r.isDefault && actionUses(r.action, tg.id)).map((r) => r.id),
  ];
  if (users.length) throw conflict(ctx, 'targetGroups', tg.id, `Target group ${tg.id} is in use by ${users.join(', ')}`);
  if (tg.status === 'CREATE_IN_PROGRESS') throw conflict(ctx, 'targetGroups', tg.id, `Target group ${tg.id} is still being created`);
  if (tg.status !== 'DELETE_IN_PROGRESS') transition(ctx, tg, 'DELETE_IN_PROGRESS', 'delete');
  return { id: tg.id, arn: tg.arn, status: tg.status };
}

function validTargetId(tg, id) {
  if (tg.type === 'IP') {
    if (tg.config && tg.config.ipAddressType === 'IPV6') return net.isIPv6(id);
    return net.isIPv4(id);
  }
  if (tg.type === 'INSTANCE') return /^i-[0-9a-f]{8,17}$/.test(id);
  return id.startsWith('arn:');
}

function RegisterTargets(ctx, input) {
  const tg = get(ctx, 'targetGroups', input.targetGroupIdentifier);
  own(ctx, tg, 'RegisterTargets');
  if (tg.status === 'DELETE_IN_PROGRESS') throw conflict(ctx, 'targetGroups', tg.id, `Target group ${tg.id} is being deleted`);
  const successful = [];
  const unsuccessful = [];
  const fresh = [];
  for (const t of input.targets) {
    const port = t.port !== undefined ? t.port : tg.config && tg.config.port;
    if (!validTargetId(tg, t.id)) {
      unsuccessful.push({ id: t.id, port, failureCode: 'InvalidTarget', failureMessage: `${t.id} is not a valid target for a ${tg.type} target group` });
      continue;
    }
    const existing = tg.targets.find((x) => x.id === t.id && x.port === port);
    if (existing) {
      delete existing.drainUntil;
    } else if (!fresh.some((x) => x.id === t.id && x.port === port)) {
      const rec = { id: t.id, port, registeredAt: ctx.now };
      // Seeding may pin a status (UNHEALTHY, DRAINING...) for drift tests.
      if (ctx.seeding && t.status) Object.assign(rec, { status: t.status, reasonCode: t.reasonCode });
      fresh.push(rec);
    }
    successful.push({ id: t.id, port });
  }
  if (tg.type === 'LAMBDA' && tg.targets.length + fresh.length > 1) {
    throw quotaExceeded(ctx, 'targetsPerTargetGroup', 'targetGroups', tg.id);
  }
  if (tg.targets.length + fresh.length > quota(ctx, 'targetsPerTargetGroup')) {
    throw quotaExceeded(ctx, 'targetsPerTargetGroup', 'targetGroups', tg.id);
  }
  tg.targets.push(...fresh);
  return { successful, unsuccessful };
}

function DeregisterTargets(ctx, input) {
  const tg = get(ctx, 'targetGroups', input.targetGroupIdentifier);
  own(ctx, tg, 'DeregisterTargets');
  const successful = [];
  for (const t of input.targets) {
    const port = t.port !== undefined ? t.port : tg.config && tg.config.port;
    for (const x of tg.targets) {
      if (x.id === t.id && x.port === port && x.drainUntil === undefined) {
        delete x.status;
        x.drainUntil = ctx.now + ctx.config.asyncMs;
      }
    }
    successful.push({ id: t.id, port });
  }
  tg.targets = tg.targets.filter((x) => !(x.drainUntil !== undefined && x.drainUntil <= ctx.now));
  return { successful, unsuccessful: [] };
}

function ListTargets(ctx, input) {
  const tg = get(ctx, 'targetGroups', input.targetGroupIdentifier);
  const filter = input.targets || [];
  const items = tg.targets
    .map((t, i) => ({ ...t, _seq: i + 1 }))
    .filter((t) => filter.length === 0 || filter.some((f) => f.id === t.id && (f.port === undefined || f.port === t.port)));
  return page(ctx, items, input, (t) => targetView(ctx, tg, t));
}

// ----- auth policies, resource policies, access logs -------------------------

// SN or service by id or ARN (auth policies and access logs take both).
function policyTarget(ctx, identifier) {
  const rec = find(ctx, 'serviceNetworks', identifier) || find(ctx, 'services', identifier);
  if (!rec) {
    const t = String(identifier).includes('svc-') ? 'SERVICE' : 'SERVICE_NETWORK';
    throw err(ctx, 'ResourceNotFoundException', `Resource ${identifier} not found`, { resourceId: identifier, resourceType: t });
  }
  return rec;
}

function policyState(rec) {
  return rec.authType === 'AWS_IAM' ? 'Active' : 'Inactive';
}

function PutAuthPolicy(ctx, input) {
  const rec = policyTarget(ctx, input.resourceIdentifier);
  own(ctx, rec, 'PutAuthPolicy');
  try {
    JSON.parse(input.policy);
  } catch (_) {
    throw invalid(ctx, 'policy', 'The policy is not valid JSON');
  }
  if (Buffer.byteLength(input.policy) > quota(ctx, 'authPolicyBytes')) {
    throw quotaExceeded(ctx, 'authPolicyBytes', rec.id.startsWith('svc-') ? 'services' : 'serviceNetworks', rec.id);
  }
  const prev = L(ctx).authPolicies[rec.arn];
  L(ctx).authPolicies[rec.arn] = {
    policy: input.policy,
    createdAt: prev ? prev.createdAt : nowIso(ctx),
    lastUpdatedAt: nowIso(ctx),
  };
  return { policy: input.policy, state: policyState(rec) };
}

function GetAuthPolicy(ctx, input) {
  const rec = policyTarget(ctx, input.resourceIdentifier);
  const p = L(ctx).authPolicies[rec.arn];
  if (!p) {
    throw err(ctx, 'ResourceNotFoundException', `No auth policy found for ${input.resourceIdentifier}`, {
      resourceId: input.resourceIdentifier, resourceType: 'AUTH_POLICY',
    });
  }
  return { ...p, state: policyState(rec) };
}

function DeleteAuthPolicy(ctx, input) {
  const rec = policyTarget(ctx, input.resourceIdentifier);
  own(ctx, rec, 'DeleteAuthPolicy');
  delete L(ctx).authPolicies[rec.arn];
  return {};
}

function resourcePolicyTarget(ctx, arn) {
  const rec = find(ctx, 'serviceNetworks', arn) || find(ctx, 'services', arn);
  if (!rec) throw err(ctx, 'ResourceNotFoundException', `Resource ${arn} not found`, { resourceId: arn, resourceType: 'RESOURCE_POLICY' });
  return rec;
}

function PutResourcePolicy(ctx, input) {
  const rec = resourcePolicyTarget(ctx, input.resourceArn);
  own(ctx, rec, 'PutResourcePolicy');
  try {
    JSON.parse(input.policy);
  } catch (_) {
    throw invalid(ctx, 'policy', 'The policy is not valid JSON');
  }
  L(ctx).resourcePolicies[rec.arn] = input.policy;
  return {};
}

function GetResourcePolicy(ctx, input) {
  const rec = resourcePolicyTarget(ctx, input.resourceArn);
  const p = L(ctx).resourcePolicies[rec.arn];
  if (p === undefined) throw err(ctx, 'ResourceNotFoundException', `No resource policy for ${input.resourceArn}`, { resourceId: input.resourceArn, resourceType: 'RESOURCE_POLICY' });
  return { policy: p };
}

function DeleteResourcePolicy(ctx, input) {
  const rec = resourcePolicyTarget(ctx, input.resourceArn);
  own(ctx, rec, 'DeleteResourcePolicy');
  delete L(ctx).resourcePolicies[rec.arn];
  return {};
}

function destinationKind(arn) {
  const m = /^arn:[^:]+:([^:]+):/.exec(arn);
  return m ? m[1] : 'unknown';
}

function CreateAccessLogSubscription(ctx, input) {
  return idempotent(ctx, input, 'accessLogs', () => {
    checkTags(ctx, input.tags);
    const rec = policyTarget(ctx, input.resourceIdentifier);
    own(ctx, rec, 'CreateAccessLogSubscription');
    const kind = destinationKind(input.destinationArn);
    if (!['logs', 'firehose', 's3'].includes(kind)) {
      throw invalid(ctx, 'destinationArn', 'The destination must be a CloudWatch Logs log group, a Firehose delivery stream or an S3 bucket');
    }
    const logType = rec.id.startsWith('sn-') ? (input.serviceNetworkLogType || 'SERVICE') : undefined;
    const dup = list(ctx, 'accessLogs', (a) => a.resourceArn === rec.arn && destinationKind(a.destinationArn) === kind && a.serviceNetworkLogType === logType);
    if (dup.length) throw conflict(ctx, 'accessLogs', dup[0].id, `${rec.id} already has an access log subscription to a ${kind} destination`);
    return store(ctx, 'accessLogs', base(ctx, 'accessLogs', {
      resourceId: rec.id,
      resourceArn: rec.arn,
      destinationArn: input.destinationArn,
      serviceNetworkLogType: logType,
      tags: { ...(input.tags || {}) },
    }));
  });
}

function GetAccessLogSubscription(ctx, input) {
  return get(ctx, 'accessLogs', input.accessLogSubscriptionIdentifier);
}

function ListAccessLogSubscriptions(ctx, input) {
  const rec = find(ctx, 'serviceNetworks', input.resourceIdentifier) || find(ctx, 'services', input.resourceIdentifier);
  const items = rec ? list(ctx, 'accessLogs', (a) => a.resourceArn === rec.arn) : [];
  return page(ctx, items, input, (a) => a);
}

function UpdateAccessLogSubscription(ctx, input) {
  const a = get(ctx, 'accessLogs', input.accessLogSubscriptionIdentifier);
  own(ctx, a, 'UpdateAccessLogSubscription');
  if (destinationKind(input.destinationArn) !== destinationKind(a.destinationArn)) {
    throw invalid(ctx, 'destinationArn', 'The new destination must be of the same type as the current one');
  }
  a.destinationArn = input.destinationArn;
  touch(ctx, a);
  return a;
}

function DeleteAccessLogSubscription(ctx, input) {
  const a = get(ctx, 'accessLogs', input.accessLogSubscriptionIdentifier);
  own(ctx, a, 'DeleteAccessLogSubscription');
  delete L(ctx).accessLogs[a.id];
  return {};
}

// ----- tags ------------------------------------------------------------------

function byArn(ctx, arn) {
  for (const coll of Object.keys(TYPES)) {
    const r = Object.values(L(ctx)[coll]).find((x) => x.arn === arn);
    if (r) return r;
  }
  throw err(ctx, 'ResourceNotFoundException', `Resource ${arn} not found`, { resourceId: arn, resourceType: 'RESOURCE' });
}

function TagResource(ctx, input) {
  const rec = byArn(ctx, input.resourceArn);
  own(ctx, rec, 'TagResource');
  checkTags(ctx, input.tags);
  const merged = { ...(rec.tags || {}), ...input.tags };
  if (Object.keys(merged).length > 50) {
    throw invalid(ctx, 'tags', 'A resource can have at most 50 tags');
  }
  rec.tags = merged;
  return {};
}

function UntagResource(ctx, input) {
  const rec = byArn(ctx, input.resourceArn);
  own(ctx, rec, 'UntagResource');
  for (const k of input.tagKeys || []) delete rec.tags[k];
  return {};
}

function ListTagsForResource(ctx, input) {
  const rec = byArn(ctx, input.resourceArn);
  return { tags: rec.tags || {} };
}

module.exports = {
  name: 'vpc-lattice',
  modelFile: 'vpc-lattice-2022-11-30.json',
  protocolName: 'rest-json',
  tick,
  QUOTAS,
  seedTypes: {
    serviceNetwork: 'CreateServiceNetwork',
    service: 'CreateService',
    listener: 'CreateListener',
    rule: 'CreateRule',
    targetGroup: 'CreateTargetGroup',
    serviceNetworkVpcAssociation: 'CreateServiceNetworkVpcAssociation',
    serviceNetworkServiceAssociation: 'CreateServiceNetworkServiceAssociation',
    accessLogSubscription: 'CreateAccessLogSubscription',
    authPolicy: 'PutAuthPolicy',
    targets: 'RegisterTargets',
  },
  handlers: {
    CreateServiceNetwork, GetServiceNetwork, ListServiceNetworks, UpdateServiceNetwork, DeleteServiceNetwork,
    CreateServiceNetworkVpcAssociation, GetServiceNetworkVpcAssociation, ListServiceNetworkVpcAssociations,
    UpdateServiceNetworkVpcAssociation, DeleteServiceNetworkVpcAssociation,
    CreateServiceNetworkServiceAssociation, GetServiceNetworkServiceAssociation, ListServiceNetworkServiceAssociations,
    DeleteServiceNetworkServiceAssociation,
    CreateService, GetService, ListServices, UpdateService, DeleteService,
    CreateListener, GetListener, ListListeners, UpdateListener, DeleteListener,
    CreateRule, GetRule, ListRules, UpdateRule, BatchUpdateRule, DeleteRule,
    CreateTargetGroup, GetTargetGroup, ListTargetGroups, UpdateTargetGroup, DeleteTargetGroup,
    RegisterTargets, DeregisterTargets, ListTargets,
    PutAuthPolicy, GetAuthPolicy, DeleteAuthPolicy,
    PutResourcePolicy, GetResourcePolicy, DeleteResourcePolicy,
    CreateAccessLogSubscription, GetAccessLogSubscription, ListAccessLogSubscriptions,
    UpdateAccessLogSubscription, DeleteAccessLogSubscription,
    TagResource, UntagResource, ListTagsForResource,
  },
};
