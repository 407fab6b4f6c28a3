'use strict';
// Resource Groups Tagging API GetResources (json 1.1, signing name
// "tagging") over the Lattice world, signed with @smithy/signature-v4 (no
// SDK v3 client of this service is pinned here); and lastUpdatedAt, which
// every Lattice change must move forward (trellis's read cache relies on it).

const test = require('node:test');
const assert = require('node:assert/strict');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@aws-sdk/hash-node');
const L = require('@aws-sdk/client-vpc-lattice');
const { startEmulator, request, CREDS, ACCOUNT } = require('./helpers');
const tagging = require('../src/services/tagging');

let emu;
let lattice;
test.before(async () => {
  emu = await startEmulator();
  lattice = new L.VPCLatticeClient(emu.config());
});
test.after(async () => emu && emu.stop());
test.beforeEach(async () => {
  await emu.control('POST', 'reset');
  await emu.control('POST', 'config', { asyncMs: 0 });
});

const signer = new SignatureV4({
  credentials: CREDS, region: 'us-west-2', service: 'tagging', sha256: Hash.bind(null, 'sha256'),
});

async function getResources(input, target = 'ResourceGroupsTaggingAPI_20170126.GetResources') {
  const body = JSON.stringify(input);
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: emu.port, path: '/',
    headers: {
      host: `127.0.0.1:${emu.port}`, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target,
    },
    body,
  });
  return request(emu.endpoint, 'POST', '/', body, signed.headers);
}

async function world() {
  const send = (c) => lattice.send(c);
  const sn = await send(new L.CreateServiceNetworkCommand({ name: 'net-a', tags: { 'trellis/owner': 'a' } }));
  const s1 = await send(new L.CreateServiceCommand({ name: 'one', tags: { 'trellis/owner': 'a', team: 'x' } }));
  const s2 = await send(new L.CreateServiceCommand({ name: 'two', tags: { 'trellis/owner': 'b' } }));
  const s3 = await send(new L.CreateServiceCommand({ name: 'untagged' }));
  const tg = await send(new L.CreateTargetGroupCommand({
    name: 'web-a', type: 'IP', config: { port: 80, protocol: 'HTTP', vpcIdentifier: 'vpc-0a1b2c3d4e5f60001' }, tags: { 'trellis/owner': 'a' },
  }));
  const l1 = await send(new L.CreateListenerCommand({
    serviceIdentifier: s1.id, name: 'http', protocol: 'HTTP', port: 80,
    defaultAction: { fixedResponse: { statusCode: 404 } }, tags: { 'trellis/owner': 'a' },
  }));
  return { sn, s1, s2, s3, tg, l1 };
}

test('resource types follow the ARN', () => {
  assert.equal(tagging.resourceType(`arn:aws:vpc-lattice:us-west-2:${ACCOUNT}:service/svc-1`), 'vpc-lattice:service');
  assert.equal(tagging.resourceType(`arn:aws:vpc-lattice:us-west-2:${ACCOUNT}:service/svc-1/listener/listener-1`), 'vpc-lattice:listener');
  assert.equal(tagging.resourceType(`arn:aws:vpc-lattice:us-west-2:${ACCOUNT}:servicenetwork/sn-1`), 'vpc-lattice:servicenetwork');
});

test('GetResources: tag filter, type filter, Tags as Key/Value, empty token at the end', async () => {
  const w = await world();
  const r = await getResources({
    TagFilters: [{ Key: 'trellis/owner', Values: ['a'] }],
    ResourceTypeFilters: ['vpc-lattice:service', 'vpc-lattice:targetgroup', 'vpc-lattice:servicenetwork'],
    ResourcesPerPage: 100,
  });
  assert.equal(r.status, 200, r.body);
  assert.equal(r.headers['content-type'], 'application/x-amz-json-1.1');
  assert.equal(r.json.PaginationToken, '');
  const arns = r.json.ResourceTagMappingList.map((m) => m.ResourceARN);
  assert.deepEqual(arns, [w.sn.arn, w.s1.arn, w.tg.arn]); // not b's, not the untagged one, not the listener
  const one = r.json.ResourceTagMappingList.find((m) => m.ResourceARN === w.s1.arn);
  assert.deepEqual(one.Tags, [{ Key: 'team', Value: 'x' }, { Key: 'trellis/owner', Value: 'a' }]);
  // A whole service ("vpc-lattice") matches every type, listeners included;
  // a filter without values matches any value of the key.
  const all = await getResources({ TagFilters: [{ Key: 'trellis/owner' }], ResourceTypeFilters: ['vpc-lattice'] });
  assert.deepEqual(all.json.ResourceTagMappingList.map((m) => m.ResourceARN).sort(),
    [w.sn.arn, w.s1.arn, w.s2.arn, w.tg.arn, w.l1.arn].sort());
  // Filters are ANDed.
  const both = await getResources({ TagFilters: [{ Key: 'trellis/owner', Values: ['a', 'b'] }, { Key: 'team', Values: ['x'] }] });
  assert.deepEqual(both.json.ResourceTagMappingList.map((m) => m.ResourceARN), [w.s1.arn]);
});

test('GetResources pages by ResourcesPerPage and PaginationToken', async () => {
  const w = await world();
  const seen = [];
  let token = '';
  let pages = 0;
  do {
    const r = await getResources({ TagFilters: [{ Key: 'trellis/owner', Values: ['a'] }], ResourcesPerPage: 1, ...(token ? { PaginationToken: token } : {}) });
    assert.equal(r.status, 200, r.body);
    assert.ok(r.json.ResourceTagMappingList.length <= 1);
    seen.push(...r.json.ResourceTagMappingList.map((m) => m.ResourceARN));
    token = r.json.PaginationToken;
    pages += 1;
  } while (token && pages < 10);
  assert.equal(token, '');
  assert.deepEqual(seen, [w.sn.arn, w.s1.arn, w.tg.arn, w.l1.arn]);
});

test('GetResources rejects bad parameters with InvalidParameterException', async () => {
  const w = await world();
  for (const input of [
    { ResourcesPerPage: 101 },
    { ResourcesPerPage: 0 },
    { PaginationToken: 'not-a-token' },
    { ResourceARNList: [w.s1.arn], ResourcesPerPage: 10 },
    { ResourceARNList: [w.s1.arn], TagFilters: [{ Key: 'trellis/owner' }] },
  ]) {
    const r = await getResources(input);
    assert.equal(r.status, 400, JSON.stringify(input));
    assert.equal(r.json.__type, 'InvalidParameterException', JSON.stringify(input));
  }
  const byArn = await getResources({ ResourceARNList: [w.s2.arn, `arn:aws:vpc-lattice:us-west-2:${ACCOUNT}:service/svc-0000`] });
  assert.deepEqual(byArn.json.ResourceTagMappingList.map((m) => m.ResourceARN), [w.s2.arn]);
  const unknown = await getResources({}, 'ResourceGroupsTaggingAPI_20170126.GetTagKeys');
  assert.equal(unknown.status, 501);
  const log = (await emu.control('GET', 'requests')).requests.filter((q) => q.service === 'tagging');
  assert.ok(log.length >= 7);
  assert.ok(log.every((q) => q.signed && !q.mutating && q.operation !== null));
});

test('every Lattice change moves lastUpdatedAt forward, also twice in one millisecond', async () => {
  const send = (c) => lattice.send(c);
  const w = await world();
  const tgArn = w.tg.arn;
  const r1 = await send(new L.CreateRuleCommand({
    serviceIdentifier: w.s1.id, listenerIdentifier: w.l1.id, name: 'first', priority: 1,
    match: { httpMatch: { pathMatch: { match: { prefix: '/a' } } } },
    action: { fixedResponse: { statusCode: 404 } },
  }));
  const stamp = async (get) => new Date((await send(get)).lastUpdatedAt).getTime();
  const cases = [
    [() => new L.UpdateRuleCommand({ serviceIdentifier: w.s1.id, listenerIdentifier: w.l1.id, ruleIdentifier: r1.id, priority: 2 }),
      () => new L.GetRuleCommand({ serviceIdentifier: w.s1.id, listenerIdentifier: w.l1.id, ruleIdentifier: r1.id })],
    [() => new L.BatchUpdateRuleCommand({ serviceIdentifier: w.s1.id, listenerIdentifier: w.l1.id, rules: [{ ruleIdentifier: r1.id, priority: 3 }] }),
      () => new L.GetRuleCommand({ serviceIdentifier: w.s1.id, listenerIdentifier: w.l1.id, ruleIdentifier: r1.id })],
    [() => new L.UpdateListenerCommand({ serviceIdentifier: w.s1.id, listenerIdentifier: w.l1.id, defaultAction: { fixedResponse: { statusCode: 403 } } }),
      () => new L.GetListenerCommand({ serviceIdentifier: w.s1.id, listenerIdentifier: w.l1.id })],
    [() => new L.UpdateServiceCommand({ serviceIdentifier: w.s1.id, authType: 'AWS_IAM' }),
      () => new L.GetServiceCommand({ serviceIdentifier: w.s1.id })],
    [() => new L.UpdateTargetGroupCommand({ targetGroupIdentifier: tgArn, healthCheck: { enabled: false } }),
      () => new L.GetTargetGroupCommand({ targetGroupIdentifier: tgArn })],
    [() => new L.UpdateServiceNetworkCommand({ serviceNetworkIdentifier: w.sn.id, authType: 'AWS_IAM' }),
      () => new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: w.sn.id })],
  ];
  for (const [update, get] of cases) {
    const before = await stamp(get());
    // Two updates sent together may land in the same millisecond.
    await Promise.all([send(update()), send(update())]);
    const after = await stamp(get());
    assert.ok(after >= before + 2, `${update().constructor.name}: ${before} -> ${after}`);
  }
  // The List summaries carry the same value as the Get.
  const rules = await send(new L.ListRulesCommand({ serviceIdentifier: w.s1.id, listenerIdentifier: w.l1.id }));
  const got = await send(new L.GetRuleCommand({ serviceIdentifier: w.s1.id, listenerIdentifier: w.l1.id, ruleIdentifier: r1.id }));
  assert.equal(rules.items.find((x) => x.id === r1.id).lastUpdatedAt.getTime(), got.lastUpdatedAt.getTime());
  // The listener's default rule changes with the listener's default action.
  const def = rules.items.find((x) => x.isDefault);
  assert.ok(def.lastUpdatedAt.getTime() > new Date(w.l1.lastUpdatedAt || 0).getTime());
});
