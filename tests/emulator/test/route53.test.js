'use strict';
// Route 53 interop (rest-xml) with the official SDK v3 client.

const test = require('node:test');
const assert = require('node:assert/strict');
const R = require('@aws-sdk/client-route-53');
const { startEmulator, rejects, waitFor } = require('./helpers');

let emu;
let client;
test.before(async () => {
  emu = await startEmulator();
  client = new R.Route53Client(emu.config({ region: 'us-east-1' }));
});
test.after(async () => emu && emu.stop());
test.beforeEach(async () => {
  await emu.control('POST', 'reset');
  await emu.control('POST', 'config', { asyncMs: 0 });
});

const send = (c) => client.send(c);
const zoneId = (z) => z.HostedZone.Id.replace('/hostedzone/', '');

async function privateZone(name = 'lattice.example.com') {
  return send(new R.CreateHostedZoneCommand({
    Name: name, CallerReference: `ref-${name}-${Math.random()}`,
    VPC: { VPCRegion: 'us-west-2', VPCId: 'vpc-0123456789abcdef0' },
    HostedZoneConfig: { Comment: 'trellis', PrivateZone: true },
  }));
}

const cname = (action, name, value, ttl = 300) => ({
  Action: action, ResourceRecordSet: { Name: name, Type: 'CNAME', TTL: ttl, ResourceRecords: [{ Value: value }] },
});

test('hosted zones: create (private with VPC), get, list, list by name, delete', async () => {
  const z = await privateZone();
  assert.equal(z.$metadata.httpStatusCode, 201);
  assert.match(z.HostedZone.Id, /^\/hostedzone\/Z[0-9A-Z]{20}$/);
  assert.equal(z.HostedZone.Name, 'lattice.example.com.');
  assert.equal(z.HostedZone.Config.PrivateZone, true);
  assert.match(z.Location, /\/2013-04-01\/hostedzone\/Z/);
  assert.equal(z.ChangeInfo.Status, 'INSYNC');
  const got = await send(new R.GetHostedZoneCommand({ Id: z.HostedZone.Id }));
  assert.equal(got.HostedZone.ResourceRecordSetCount, 2);
  assert.deepEqual(got.VPCs, [{ VPCRegion: 'us-west-2', VPCId: 'vpc-0123456789abcdef0' }]);
  const pub = await send(new R.CreateHostedZoneCommand({ Name: 'a.example.org', CallerReference: 'pub-1' }));
  assert.equal(pub.DelegationSet.NameServers.length, 4);
  const again = await rejects(send(new R.CreateHostedZoneCommand({ Name: 'b.example.org', CallerReference: 'pub-1' })));
  assert.equal(again.name, 'HostedZoneAlreadyExists');
  await send(new R.CreateHostedZoneCommand({ Name: 'z.example.org', CallerReference: 'pub-2' }));

  const page1 = await send(new R.ListHostedZonesCommand({ MaxItems: 2 }));
  assert.equal(page1.HostedZones.length, 2);
  assert.equal(page1.IsTruncated, true);
  const page2 = await send(new R.ListHostedZonesCommand({ MaxItems: 2, Marker: page1.NextMarker }));
  assert.equal(page2.HostedZones.length, 1);
  assert.equal(page2.IsTruncated, false);

  const byName = await send(new R.ListHostedZonesByNameCommand({ DNSName: 'example.org', MaxItems: 1 }));
  assert.deepEqual(byName.HostedZones.map((h) => h.Name), ['a.example.org.']);
  assert.equal(byName.IsTruncated, true);
  assert.equal(byName.NextDNSName, 'z.example.org.');

  await send(new R.DeleteHostedZoneCommand({ Id: zoneId(pub) }));
  const gone = await rejects(send(new R.GetHostedZoneCommand({ Id: zoneId(pub) })));
  assert.equal(gone.name, 'NoSuchHostedZone');
  assert.equal(gone.$metadata.httpStatusCode, 404);
});

test('ChangeResourceRecordSets: CREATE/UPSERT/DELETE, atomic batches, AWS messages', async () => {
  const z = await privateZone();
  const id = zoneId(z);
  const change = (changes) => send(new R.ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Comment: 'c', Changes: changes } }));
  await change([
    cname('CREATE', 'api.lattice.example.com', 'api-0123.7d67968.vpc-lattice-svcs.us-west-2.on.aws'),
    { Action: 'CREATE', ResourceRecordSet: { Name: 'api.lattice.example.com', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"heritage=trellis"' }] } },
  ].slice(0, 1));
  await change([{ Action: 'CREATE', ResourceRecordSet: { Name: 'txt-api.lattice.example.com', Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"heritage=trellis,owner=prod"' }] } }]);

  const dup = await rejects(change([cname('CREATE', 'api.lattice.example.com.', 'x.example.com')]));
  assert.equal(dup.name, 'InvalidChangeBatch');
  assert.equal(dup.$metadata.httpStatusCode, 400);
  assert.match(dup.message, /Tried to create resource record set \[name='api\.lattice\.example\.com\.', type='CNAME'\] but it already exists/);

  // One bad change fails the whole batch.
  const bad = await rejects(change([
    cname('CREATE', 'new.lattice.example.com', 'n.example.com'),
    cname('DELETE', 'missing.lattice.example.com', 'm.example.com'),
  ]));
  assert.match(bad.message, /Tried to delete resource record set \[name='missing\.lattice\.example\.com\.', type='CNAME'\] but it was not found/);
  let list = await send(new R.ListResourceRecordSetsCommand({ HostedZoneId: id }));
  assert.ok(!list.ResourceRecordSets.some((r) => r.Name === 'new.lattice.example.com.'));

  const unquoted = await rejects(change([{ Action: 'UPSERT', ResourceRecordSet: { Name: 't.lattice.example.com', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: 'no quotes' }] } }]));
  assert.equal(unquoted.name, 'InvalidChangeBatch');
  assert.match(unquoted.message, /Value should be enclosed in quotation marks/);
  const outside = await rejects(change([cname('CREATE', 'api.other.com', 'x.example.com')]));
  assert.match(outside.message, /is not permitted in zone lattice\.example\.com\./);
  const conflictType = await rejects(change([{ Action: 'CREATE', ResourceRecordSet: { Name: 'api.lattice.example.com', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }]));
  assert.match(conflictType.message, /conflicting RRSet of type CNAME/);

  await change([cname('UPSERT', 'api.lattice.example.com', 'other.example.com', 60)]);
  list = await send(new R.ListResourceRecordSetsCommand({ HostedZoneId: id, StartRecordName: 'api.lattice.example.com', StartRecordType: 'CNAME', MaxItems: 1 }));
  assert.deepEqual(list.ResourceRecordSets[0], { Name: 'api.lattice.example.com.', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'other.example.com' }] });
  const wrongValue = await rejects(change([cname('DELETE', 'api.lattice.example.com', 'stale.example.com', 60)]));
  assert.match(wrongValue.message, /values provided do not match the current values/);
  await change([cname('DELETE', 'api.lattice.example.com', 'other.example.com', 60)]);

  const notEmpty = await rejects(send(new R.DeleteHostedZoneCommand({ Id: id })));
  assert.equal(notEmpty.name, 'HostedZoneNotEmpty');

  const noTtl = await rejects(change([{ Action: 'CREATE', ResourceRecordSet: { Name: 'x.lattice.example.com', Type: 'CNAME', ResourceRecords: [{ Value: 'y' }] } }]));
  assert.equal(noTtl.name, 'InvalidInput');
  const badType = await rejects(change([{ Action: 'CREATE', ResourceRecordSet: { Name: 'x.lattice.example.com', Type: 'BOGUS', TTL: 1, ResourceRecords: [{ Value: 'y' }] } }]));
  assert.equal(badType.name, 'InvalidInput');
  assert.match(badType.message, /enum value set/);
});

test('ListResourceRecordSets pages with StartRecordName/Type and NextRecordName', async () => {
  const z = await privateZone('page.example.com');
  const id = zoneId(z);
  const changes = [];
  for (let i = 0; i < 7; i++) changes.push(cname('CREATE', `s${i}.page.example.com`, `t${i}.example.com`));
  changes.push({ Action: 'CREATE', ResourceRecordSet: { Name: '*.page.example.com', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'w.example.com' }] } });
  await send(new R.ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Changes: changes } }));
  const names = [];
  let start = {};
  let pages = 0;
  for (;;) {
    const p = await send(new R.ListResourceRecordSetsCommand({ HostedZoneId: id, MaxItems: 3, ...start }));
    pages += 1;
    names.push(...p.ResourceRecordSets.map((r) => `${r.Name}/${r.Type}`));
    if (!p.IsTruncated) break;
    assert.ok(p.NextRecordName);
    start = { StartRecordName: p.NextRecordName, StartRecordType: p.NextRecordType };
  }
  assert.equal(pages, 4);
  assert.deepEqual(names, [
    'page.example.com./NS', 'page.example.com./SOA', '\\052.page.example.com./CNAME',
    's0.page.example.com./CNAME', 's1.page.example.com./CNAME', 's2.page.example.com./CNAME',
    's3.page.example.com./CNAME', 's4.page.example.com./CNAME', 's5.page.example.com./CNAME', 's6.page.example.com./CNAME',
  ]);
  const typeOnly = await rejects(send(new R.ListResourceRecordSetsCommand({ HostedZoneId: id, StartRecordType: 'A' })));
  assert.equal(typeOnly.name, 'InvalidInput');
});

test('GetChange is PENDING, then INSYNC', async () => {
  await emu.control('POST', 'config', { asyncMs: 1500 });
  const z = await privateZone('wait.example.com');
  const ch = await send(new R.ChangeResourceRecordSetsCommand({
    HostedZoneId: zoneId(z), ChangeBatch: { Changes: [cname('UPSERT', 'a.wait.example.com', 'b.example.com')] },
  }));
  assert.equal(ch.ChangeInfo.Status, 'PENDING');
  assert.match(ch.ChangeInfo.Id, /^\/change\/C/);
  assert.ok(ch.ChangeInfo.SubmittedAt instanceof Date);
  assert.equal((await send(new R.GetChangeCommand({ Id: ch.ChangeInfo.Id }))).ChangeInfo.Status, 'PENDING');
  await waitFor(() => send(new R.GetChangeCommand({ Id: ch.ChangeInfo.Id })), (c) => c && c.ChangeInfo.Status === 'INSYNC');
  const missing = await rejects(send(new R.GetChangeCommand({ Id: 'CNOSUCHCHANGE' })));
  assert.equal(missing.name, 'NoSuchChange');
});

test('zone tags', async () => {
  const z = await privateZone('tags.example.com');
  const id = zoneId(z);
  await send(new R.ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, AddTags: [{ Key: 'owner', Value: 'trellis' }, { Key: 'env', Value: 'prod' }] }));
  await send(new R.ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, RemoveTagKeys: ['env'] }));
  const t = await send(new R.ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id }));
  assert.equal(t.ResourceTagSet.ResourceId, id);
  assert.deepEqual(t.ResourceTagSet.Tags, [{ Key: 'owner', Value: 'trellis' }]);
  const e = await rejects(send(new R.ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: 'ZNOPE' })));
  assert.equal(e.name, 'NoSuchHostedZone');
});

test('a wrong secret gets SignatureDoesNotMatch', async () => {
  const bad = new R.Route53Client(emu.config({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bad' } }));
  const e = await rejects(bad.send(new R.ListHostedZonesCommand({})));
  assert.equal(e.name, 'SignatureDoesNotMatch');
  assert.equal(e.$metadata.httpStatusCode, 403);
});

test('seeding: a given zone id replaces the generated one; a taken or malformed one is refused', async () => {
  const seeded = await emu.control('POST', 'seed', {
    type: 'hostedZone', id: 'Z0123456789ABCDEFGHIJ', Name: 'lattice.io', CallerReference: 'seed-fixed',
    VPC: { VPCRegion: 'us-west-2', VPCId: 'vpc-0a1b2c3d4e5f60001' },
  });
  assert.equal(seeded.created[0].id, 'Z0123456789ABCDEFGHIJ');
  const z = await send(new R.GetHostedZoneCommand({ Id: 'Z0123456789ABCDEFGHIJ' }));
  assert.equal(z.HostedZone.Id, '/hostedzone/Z0123456789ABCDEFGHIJ');
  assert.equal(z.HostedZone.Config.PrivateZone, true);
  const recs = await send(new R.ListResourceRecordSetsCommand({ HostedZoneId: 'Z0123456789ABCDEFGHIJ' }));
  assert.deepEqual(recs.ResourceRecordSets.map((r) => r.Type).sort(), ['NS', 'SOA']);
  await assert.rejects(emu.control('POST', 'seed', { type: 'hostedZone', id: 'Z0123456789ABCDEFGHIJ', Name: 'x.io', CallerReference: 'seed-2' }));
  await assert.rejects(emu.control('POST', 'seed', { type: 'hostedZone', id: 'lower', Name: 'y.io', CallerReference: 'seed-3' }));
  assert.equal((await send(new R.ListHostedZonesCommand({}))).HostedZones.length, 1);
});
