'use strict';
// VPC Lattice interop: the official SDK v3 client against the emulator.

const test = require('node:test');
const assert = require('node:assert/strict');
const L = require('@aws-sdk/client-vpc-lattice');
const { startEmulator, rejects, waitFor, ACCOUNT } = require('./helpers');

const VPC = 'vpc-0123456789abcdef0';
const VPC2 = 'vpc-0123456789abcdef1';

let emu;
let client;

test.before(async () => {
  emu = await startEmulator();
  client = new L.VPCLatticeClient(emu.config());
});
test.after(async () => emu && emu.stop());
test.beforeEach(async () => {
  await emu.control('POST', 'reset');
  await emu.control('POST', 'config', { asyncMs: 0 });
});

const send = (cmd) => client.send(cmd);

async function makeTg(name, extra = {}) {
  return send(new L.CreateTargetGroupCommand({
    name, type: 'IP', config: { port: 8080, protocol: 'HTTP', vpcIdentifier: VPC, ...extra },
  }));
}

test('service network create/get/list/update/delete with tags', async () => {
  const sn = await send(new L.CreateServiceNetworkCommand({ name: 'net-a', tags: { owner: 'trellis' } }));
  assert.equal(sn.$metadata.httpStatusCode, 201);
  assert.match(sn.id, /^sn-[0-9a-z]{17}$/);
  assert.equal(sn.arn, `arn:aws:vpc-lattice:us-west-2:${ACCOUNT}:servicenetwork/${sn.id}`);
  assert.equal(sn.authType, 'NONE');
  const got = await send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: sn.arn }));
  assert.equal(got.name, 'net-a');
  assert.ok(got.createdAt instanceof Date);
  const up = await send(new L.UpdateServiceNetworkCommand({ serviceNetworkIdentifier: sn.id, authType: 'AWS_IAM' }));
  assert.equal(up.authType, 'AWS_IAM');
  const tags = await send(new L.ListTagsForResourceCommand({ resourceArn: sn.arn }));
  assert.deepEqual(tags.tags, { owner: 'trellis' });
  await send(new L.TagResourceCommand({ resourceArn: sn.arn, tags: { a: '1', b: '2' } }));
  await send(new L.UntagResourceCommand({ resourceArn: sn.arn, tagKeys: ['owner', 'a'] }));
  assert.deepEqual((await send(new L.ListTagsForResourceCommand({ resourceArn: sn.arn }))).tags, { b: '2' });
  const del = await send(new L.DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  const e = await rejects(send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: sn.id })));
  assert.equal(e.name, 'ResourceNotFoundException');
  assert.equal(e.$metadata.httpStatusCode, 404);
  assert.equal(e.resourceId, sn.id);
  assert.equal(e.resourceType, 'SERVICE_NETWORK');
});

test('list pagination follows maxResults/nextToken', async () => {
  const ids = [];
  for (let i = 0; i < 7; i++) ids.push((await send(new L.CreateServiceNetworkCommand({ name: `net-${i}` }))).id);
  const seen = [];
  let token;
  let pages = 0;
  do {
    const page = await send(new L.ListServiceNetworksCommand({ maxResults: 3, nextToken: token }));
    assert.ok(page.items.length <= 3);
    seen.push(...page.items.map((x) => x.id));
    token = page.nextToken;
    pages += 1;
  } while (token);
  assert.equal(pages, 3);
  assert.deepEqual(seen, ids);
  // The SDK's own paginator agrees.
  const viaPaginator = [];
  for await (const p of L.paginateListServiceNetworks({ client, pageSize: 2 }, {})) viaPaginator.push(...p.items.map((x) => x.id));
  assert.deepEqual(viaPaginator, ids);
  const e = await rejects(send(new L.ListServiceNetworksCommand({ nextToken: 'garbage!' })));
  assert.equal(e.name, 'ValidationException');
});

test('validation errors carry reason and fieldList', async () => {
  const e = await rejects(send(new L.CreateServiceNetworkCommand({ name: 'Bad--Name' })));
  assert.equal(e.name, 'ValidationException');
  assert.equal(e.$metadata.httpStatusCode, 400);
  assert.equal(e.reason, 'fieldValidationFailed');
  assert.equal(e.fieldList[0].name, 'name');
  const e2 = await rejects(send(new L.CreateServiceCommand({ name: 'svc-not-allowed' })));
  assert.equal(e2.name, 'ValidationException');
  const e3 = await rejects(send(new L.ListServicesCommand({ maxResults: 101 })));
  assert.match(e3.message, /less than or equal to 100/);
  const e4 = await rejects(send(new L.CreateServiceNetworkCommand({ name: 'ok-name', authType: 'BASIC' })));
  assert.match(e4.message, /enum value set/);
});

test('duplicate names conflict; clientToken makes creates idempotent', async () => {
  const a = await send(new L.CreateServiceCommand({ name: 'shop', clientToken: 'tok-1' }));
  const again = await send(new L.CreateServiceCommand({ name: 'shop', clientToken: 'tok-1' }));
  assert.equal(again.id, a.id);
  const e = await rejects(send(new L.CreateServiceCommand({ name: 'shop', clientToken: 'tok-1', authType: 'AWS_IAM' })));
  assert.equal(e.name, 'ConflictException');
  const dup = await rejects(send(new L.CreateServiceCommand({ name: 'shop' })));
  assert.equal(dup.name, 'ConflictException');
  assert.equal(dup.$metadata.httpStatusCode, 409);
  assert.equal(dup.resourceType, 'SERVICE');
  assert.equal((await send(new L.ListServicesCommand({}))).items.length, 1);
});

test('service lifecycle: CREATE_IN_PROGRESS then ACTIVE, dnsEntry, delete in progress', async () => {
  await emu.control('POST', 'config', { asyncMs: 1500 });
  const svc = await send(new L.CreateServiceCommand({
    name: 'orders', customDomainName: 'orders.example.com',
    certificateArn: 'arn:aws:acm:us-west-2:123456789012:certificate/0f0e0d0c-1111-2222-3333-444455556666',
    authType: 'AWS_IAM',
  }));
  assert.equal(svc.status, 'CREATE_IN_PROGRESS');
  assert.match(svc.id, /^svc-[0-9a-z]{17}$/);
  assert.equal(svc.dnsEntry.domainName, `orders-${svc.id.slice(4)}.7d67968.vpc-lattice-svcs.us-west-2.on.aws`);
  assert.ok(svc.dnsEntry.hostedZoneId);
  assert.equal((await send(new L.GetServiceCommand({ serviceIdentifier: svc.id }))).status, 'CREATE_IN_PROGRESS');
  const got = await waitFor(() => send(new L.GetServiceCommand({ serviceIdentifier: svc.arn })), (s) => s && s.status === 'ACTIVE');
  assert.equal(got.customDomainName, 'orders.example.com');
  const up = await send(new L.UpdateServiceCommand({ serviceIdentifier: svc.id, authType: 'NONE' }));
  assert.equal(up.authType, 'NONE');
  const del = await send(new L.DeleteServiceCommand({ serviceIdentifier: svc.id }));
  assert.equal(del.status, 'DELETE_IN_PROGRESS');
  assert.equal((await send(new L.GetServiceCommand({ serviceIdentifier: svc.id }))).status, 'DELETE_IN_PROGRESS');
  await waitFor(() => send(new L.GetServiceCommand({ serviceIdentifier: svc.id })), (_, e) => e && e.name === 'ResourceNotFoundException');
});

test('associations: VPC with security groups, service, and deletes that conflict', async () => {
  const sn = await send(new L.CreateServiceNetworkCommand({ name: 'mesh' }));
  const svc = await send(new L.CreateServiceCommand({ name: 'api' }));
  const va = await send(new L.CreateServiceNetworkVpcAssociationCommand({
    serviceNetworkIdentifier: sn.id, vpcIdentifier: VPC, securityGroupIds: ['sg-0123456789abcdef0'],
  }));
  assert.equal(va.$metadata.httpStatusCode, 200);
  assert.match(va.id, /^snva-/);
  assert.deepEqual(va.securityGroupIds, ['sg-0123456789abcdef0']);
  assert.equal(va.createdBy, ACCOUNT);
  const dupVpc = await rejects(send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: sn.id, vpcIdentifier: VPC })));
  assert.equal(dupVpc.name, 'ConflictException');
  const sa = await send(new L.CreateServiceNetworkServiceAssociationCommand({ serviceNetworkIdentifier: sn.arn, serviceIdentifier: svc.arn }));
  assert.match(sa.id, /^snsa-/);
  assert.equal(sa.dnsEntry.domainName, svc.dnsEntry.domainName);
  const gsa = await send(new L.GetServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: sa.id }));
  assert.equal(gsa.serviceId, svc.id);
  assert.equal(gsa.serviceNetworkName, 'mesh');
  assert.equal(gsa.status, 'ACTIVE');
  const byVpc = await send(new L.ListServiceNetworkVpcAssociationsCommand({ vpcIdentifier: VPC }));
  assert.deepEqual(byVpc.items.map((x) => x.id), [va.id]);
  const bySn = await send(new L.ListServiceNetworkServiceAssociationsCommand({ serviceNetworkIdentifier: sn.id }));
  assert.deepEqual(bySn.items.map((x) => x.id), [sa.id]);
  const noFilter = await rejects(send(new L.ListServiceNetworkVpcAssociationsCommand({})));
  assert.equal(noFilter.name, 'ValidationException');

  assert.equal((await send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }))).numberOfAssociatedVPCs, 1);
  const snBusy = await rejects(send(new L.DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id })));
  assert.equal(snBusy.name, 'ConflictException');
  assert.equal(snBusy.resourceId, sn.id);
  const svcBusy = await rejects(send(new L.DeleteServiceCommand({ serviceIdentifier: svc.id })));
  assert.equal(svcBusy.name, 'ConflictException');

  await emu.control('POST', 'config', { asyncMs: 1000 });
  const upd = await send(new L.UpdateServiceNetworkVpcAssociationCommand({
    serviceNetworkVpcAssociationIdentifier: va.arn, securityGroupIds: ['sg-0123456789abcdef1', 'sg-0123456789abcdef2'],
  }));
  assert.equal(upd.status, 'UPDATE_IN_PROGRESS');
  const gva = await waitFor(() => send(new L.GetServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: va.id })), (a) => a && a.status === 'ACTIVE');
  assert.deepEqual(gva.securityGroupIds, ['sg-0123456789abcdef1', 'sg-0123456789abcdef2']);
  const emptySg = await rejects(send(new L.UpdateServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: va.id, securityGroupIds: [] })));
  assert.equal(emptySg.name, 'ValidationException');

  const dva = await send(new L.DeleteServiceNetworkVpcAssociationCommand({ serviceNetworkVpcAssociationIdentifier: va.id }));
  assert.equal(dva.status, 'DELETE_IN_PROGRESS');
  const dsa = await send(new L.DeleteServiceNetworkServiceAssociationCommand({ serviceNetworkServiceAssociationIdentifier: sa.id }));
  assert.equal(dsa.status, 'DELETE_IN_PROGRESS');
  await waitFor(() => send(new L.ListServiceNetworkVpcAssociationsCommand({ serviceNetworkIdentifier: sn.id })), (r) => r && r.items.length === 0);
  await waitFor(() => send(new L.ListServiceNetworkServiceAssociationsCommand({ serviceNetworkIdentifier: sn.id })), (r) => r && r.items.length === 0);
  await send(new L.DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }));
  await send(new L.DeleteServiceCommand({ serviceIdentifier: svc.id }));
  // A VPC freed from one network can join another.
  const sn2 = await send(new L.CreateServiceNetworkCommand({ name: 'mesh-2' }));
  await send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: sn2.id, vpcIdentifier: VPC }));
  await send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: sn2.id, vpcIdentifier: VPC2 }));
});

test('listeners, rules (unique priorities, default rule, batch update) and target group use', async () => {
  const svc = await send(new L.CreateServiceCommand({ name: 'web' }));
  const tg1 = await makeTg('web-v1');
  const tg2 = await makeTg('web-v2');
  assert.equal(tg1.status, 'ACTIVE');
  assert.equal(tg1.config.healthCheck.enabled, true);
  const l = await send(new L.CreateListenerCommand({
    serviceIdentifier: svc.arn, name: 'http', protocol: 'HTTP',
    defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: tg1.arn, weight: 100 }] } },
  }));
  assert.equal(l.port, 80);
  const gl = await send(new L.GetListenerCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.arn }));
  assert.equal(gl.protocol, 'HTTP');
  assert.equal(gl.serviceId, svc.id);
  assert.ok(gl.createdAt instanceof Date);
  const otherSvc = await send(new L.CreateServiceCommand({ name: 'other-web' }));
  const wrongParent = await rejects(send(new L.GetListenerCommand({ serviceIdentifier: otherSvc.id, listenerIdentifier: l.id })));
  assert.equal(wrongParent.name, 'ResourceNotFoundException');
  assert.equal(wrongParent.resourceType, 'LISTENER');
  assert.equal(l.arn, `${svc.arn}/listener/${l.id}`);
  assert.equal(l.defaultAction.forward.targetGroups[0].targetGroupIdentifier, tg1.id);
  const dupPort = await rejects(send(new L.CreateListenerCommand({
    serviceIdentifier: svc.id, name: 'http-2', protocol: 'HTTP', port: 80, defaultAction: { fixedResponse: { statusCode: 404 } },
  })));
  assert.equal(dupPort.name, 'ConflictException');

  const mk = (name, priority, tg) => send(new L.CreateRuleCommand({
    serviceIdentifier: svc.id, listenerIdentifier: l.id, name, priority,
    match: { httpMatch: { method: 'GET', pathMatch: { match: { prefix: `/${name}` }, caseSensitive: false }, headerMatches: [{ name: 'x-env', match: { exact: 'prod' } }] } },
    action: { forward: { targetGroups: [{ targetGroupIdentifier: tg.id, weight: 90 }, { targetGroupIdentifier: tg1.id, weight: 10 }] } },
  }));
  const r1 = await mk('alpha', 10, tg2);
  const r2 = await mk('beta', 20, tg2);
  assert.equal(r1.$metadata.httpStatusCode, 201);
  assert.equal(r1.arn, `${l.arn}/rule/${r1.id}`);
  assert.equal(r1.match.httpMatch.pathMatch.match.prefix, '/alpha');
  const samePrio = await rejects(mk('gamma', 10, tg2));
  assert.equal(samePrio.name, 'ConflictException');
  const badPrio = await rejects(mk('delta', 2001, tg2));
  assert.equal(badPrio.name, 'ValidationException');
  const missingTg = await rejects(send(new L.CreateRuleCommand({
    serviceIdentifier: svc.id, listenerIdentifier: l.id, name: 'ghost', priority: 30,
    match: { httpMatch: { pathMatch: { match: { exact: '/x' } } } },
    action: { forward: { targetGroups: [{ targetGroupIdentifier: 'tg-00000000000000000' }] } },
  })));
  assert.equal(missingTg.name, 'ResourceNotFoundException');
  assert.equal(missingTg.resourceType, 'TARGET_GROUP');

  const rules = await send(new L.ListRulesCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.arn }));
  assert.equal(rules.items.length, 3);
  const def = rules.items.find((r) => r.isDefault);
  assert.ok(def);
  const defErr = await rejects(send(new L.DeleteRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id, ruleIdentifier: def.id })));
  assert.equal(defErr.name, 'ValidationException');

  // Swap priorities in one batch: fine. Collide: ConflictException.
  const batch = await send(new L.BatchUpdateRuleCommand({
    serviceIdentifier: svc.id, listenerIdentifier: l.id,
    rules: [{ ruleIdentifier: r1.id, priority: 20 }, { ruleIdentifier: r2.arn, priority: 10 }, { ruleIdentifier: 'rule-00000000000000000', priority: 5 }],
  }));
  assert.equal(batch.successful.length, 2);
  assert.equal(batch.unsuccessful.length, 1);
  assert.equal((await send(new L.GetRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id, ruleIdentifier: r1.id }))).priority, 20);
  const collide = await rejects(send(new L.BatchUpdateRuleCommand({
    serviceIdentifier: svc.id, listenerIdentifier: l.id, rules: [{ ruleIdentifier: r1.id, priority: 10 }],
  })));
  assert.equal(collide.name, 'ConflictException');
  const upd = await send(new L.UpdateRuleCommand({
    serviceIdentifier: svc.id, listenerIdentifier: l.id, ruleIdentifier: r2.id,
    action: { fixedResponse: { statusCode: 404 } },
  }));
  assert.equal(upd.action.fixedResponse.statusCode, 404);

  // Target groups in use cannot be deleted; serviceArns shows the user.
  const g = await send(new L.GetTargetGroupCommand({ targetGroupIdentifier: tg2.id }));
  assert.deepEqual(g.serviceArns, [svc.arn]);
  const inUse = await rejects(send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: tg1.id })));
  assert.equal(inUse.name, 'ConflictException');
  await send(new L.UpdateListenerCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id, defaultAction: { fixedResponse: { statusCode: 404 } } }));
  // tg1 is still a weighted target of rule r1.
  const stillInUse = await rejects(send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: tg1.id })));
  assert.equal(stillInUse.name, 'ConflictException');
  await send(new L.DeleteRuleCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id, ruleIdentifier: r1.id }));
  const dtg = await send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: tg1.arn }));
  assert.equal(dtg.status, 'DELETE_IN_PROGRESS');
  await send(new L.DeleteListenerCommand({ serviceIdentifier: svc.id, listenerIdentifier: l.id }));
  assert.equal((await send(new L.ListListenersCommand({ serviceIdentifier: svc.id }))).items.length, 0);
  await send(new L.DeleteTargetGroupCommand({ targetGroupIdentifier: tg2.id }));
});

test('target groups and targets: register, statuses, list filters, deregister', async () => {
  const tg = await makeTg('pods');
  const bad = await rejects(send(new L.CreateTargetGroupCommand({ name: 'noconfig', type: 'IP' })));
  assert.equal(bad.name, 'ValidationException');
  const reg = await send(new L.RegisterTargetsCommand({
    targetGroupIdentifier: tg.id, targets: [{ id: '10.0.0.1' }, { id: '10.0.0.2', port: 9090 }, { id: 'not-an-ip' }],
  }));
  assert.deepEqual(reg.successful, [{ id: '10.0.0.1', port: 8080 }, { id: '10.0.0.2', port: 9090 }]);
  assert.equal(reg.unsuccessful[0].id, 'not-an-ip');
  let targets = await send(new L.ListTargetsCommand({ targetGroupIdentifier: tg.arn }));
  assert.deepEqual(targets.items.map((t) => [t.id, t.port, t.status]), [['10.0.0.1', 8080, 'UNUSED'], ['10.0.0.2', 9090, 'UNUSED']]);
  const svc = await send(new L.CreateServiceCommand({ name: 'pods-svc' }));
  await send(new L.CreateListenerCommand({
    serviceIdentifier: svc.id, name: 'http', protocol: 'HTTP',
    defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: tg.id }] } },
  }));
  targets = await send(new L.ListTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: '10.0.0.2' }] }));
  assert.deepEqual(targets.items.map((t) => [t.id, t.status]), [['10.0.0.2', 'HEALTHY']]);
  const page = await send(new L.ListTargetsCommand({ targetGroupIdentifier: tg.id, maxResults: 1 }));
  assert.equal(page.items.length, 1);
  assert.ok(page.nextToken);
  await send(new L.DeregisterTargetsCommand({ targetGroupIdentifier: tg.id, targets: [{ id: '10.0.0.1' }] }));
  targets = await send(new L.ListTargetsCommand({ targetGroupIdentifier: tg.id }));
  assert.deepEqual(targets.items.map((t) => t.id), ['10.0.0.2']);
  const hc = await send(new L.UpdateTargetGroupCommand({ targetGroupIdentifier: tg.id, healthCheck: { enabled: false } }));
  assert.equal(hc.config.healthCheck.enabled, false);
  assert.equal(hc.config.healthCheck.path, '/');
  targets = await send(new L.ListTargetsCommand({ targetGroupIdentifier: tg.id }));
  assert.equal(targets.items[0].status, 'UNAVAILABLE');
  const list = await send(new L.ListTargetGroupsCommand({ vpcIdentifier: VPC, targetGroupType: 'IP' }));
  assert.deepEqual(list.items.map((t) => t.name), ['pods']);
  assert.equal(list.items[0].port, 8080);
  assert.equal((await send(new L.ListTargetGroupsCommand({ vpcIdentifier: VPC2 }))).items.length, 0);
});

test('auth policies, auth types and access log subscriptions', async () => {
  const svc = await send(new L.CreateServiceCommand({ name: 'secure', authType: 'AWS_IAM' }));
  const sn = await send(new L.CreateServiceNetworkCommand({ name: 'secure-net' }));
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'vpc-lattice-svcs:Invoke', Resource: '*' }] });
  const put = await send(new L.PutAuthPolicyCommand({ resourceIdentifier: svc.arn, policy }));
  assert.equal(put.state, 'Active');
  const putSn = await send(new L.PutAuthPolicyCommand({ resourceIdentifier: sn.id, policy }));
  assert.equal(putSn.state, 'Inactive');
  const got = await send(new L.GetAuthPolicyCommand({ resourceIdentifier: svc.id }));
  assert.equal(got.policy, policy);
  assert.ok(got.createdAt instanceof Date);
  const notJson = await rejects(send(new L.PutAuthPolicyCommand({ resourceIdentifier: svc.id, policy: '{nope' })));
  assert.equal(notJson.name, 'ValidationException');
  await send(new L.DeleteAuthPolicyCommand({ resourceIdentifier: svc.id }));
  assert.equal((await rejects(send(new L.GetAuthPolicyCommand({ resourceIdentifier: svc.id })))).name, 'ResourceNotFoundException');

  const dest = 'arn:aws:logs:us-west-2:123456789012:log-group:/lattice/secure';
  const als = await send(new L.CreateAccessLogSubscriptionCommand({ resourceIdentifier: svc.id, destinationArn: dest }));
  assert.match(als.id, /^als-/);
  assert.equal(als.resourceArn, svc.arn);
  const dup = await rejects(send(new L.CreateAccessLogSubscriptionCommand({ resourceIdentifier: svc.id, destinationArn: `${dest}-2` })));
  assert.equal(dup.name, 'ConflictException');
  const listed = await send(new L.ListAccessLogSubscriptionsCommand({ resourceIdentifier: svc.arn }));
  assert.deepEqual(listed.items.map((x) => x.id), [als.id]);
  const upd = await send(new L.UpdateAccessLogSubscriptionCommand({ accessLogSubscriptionIdentifier: als.id, destinationArn: `${dest}-3` }));
  assert.equal(upd.destinationArn, `${dest}-3`);
  assert.equal((await send(new L.GetAccessLogSubscriptionCommand({ accessLogSubscriptionIdentifier: als.arn }))).destinationArn, `${dest}-3`);
  await send(new L.DeleteAccessLogSubscriptionCommand({ accessLogSubscriptionIdentifier: als.id }));
  assert.equal((await send(new L.ListAccessLogSubscriptionsCommand({ resourceIdentifier: svc.id }))).items.length, 0);

  await send(new L.PutResourcePolicyCommand({ resourceArn: sn.arn, policy }));
  assert.equal((await send(new L.GetResourcePolicyCommand({ resourceArn: sn.arn }))).policy, policy);
  await send(new L.DeleteResourcePolicyCommand({ resourceArn: sn.arn }));
});

test('quotas are enforced with ServiceQuotaExceededException', async () => {
  await emu.control('POST', 'config', { asyncMs: 0, quotas: { serviceNetworks: 2 } });
  await send(new L.CreateServiceNetworkCommand({ name: 'q-1' }));
  await send(new L.CreateServiceNetworkCommand({ name: 'q-2' }));
  const e = await rejects(send(new L.CreateServiceNetworkCommand({ name: 'q-3' })));
  assert.equal(e.name, 'ServiceQuotaExceededException');
  assert.equal(e.$metadata.httpStatusCode, 402);
  assert.equal(e.serviceCode, 'vpc-lattice');
  assert.ok(e.quotaCode);
  // Default quota: two listeners per service.
  const svc = await send(new L.CreateServiceCommand({ name: 'q-svc' }));
  const mk = (name, port) => send(new L.CreateListenerCommand({
    serviceIdentifier: svc.id, name, protocol: 'HTTP', port, defaultAction: { fixedResponse: { statusCode: 404 } },
  }));
  await mk('l-one', 80);
  await mk('l-two', 81);
  assert.equal((await rejects(mk('l-three', 82))).name, 'ServiceQuotaExceededException');
  // Target groups per service, and a target group serves one service only.
  await emu.control('POST', 'config', { asyncMs: 0, quotas: { targetGroupsPerService: 2 } });
  const [a, b, c] = [await makeTg('qa-tg'), await makeTg('qb-tg'), await makeTg('qc-tg')].map((t) => t.id);
  const lis = (await send(new L.ListListenersCommand({ serviceIdentifier: svc.id }))).items[0];
  const rule = (name, priority, tgs) => send(new L.CreateRuleCommand({
    serviceIdentifier: svc.id, listenerIdentifier: lis.id, name, priority,
    match: { httpMatch: { pathMatch: { match: { prefix: `/${name}` } } } },
    action: { forward: { targetGroups: tgs.map((id) => ({ targetGroupIdentifier: id, weight: 1 })) } },
  }));
  await rule('two-groups', 1, [a, b]);
  await rule('same-groups', 2, [b]);
  const third = await rejects(rule('third-group', 3, [c]));
  assert.equal(third.name, 'ServiceQuotaExceededException');
  assert.equal(third.quotaCode, 'L-target-groups-per-service');
  const other = await send(new L.CreateServiceCommand({ name: 'q-other' }));
  const otherL = await send(new L.CreateListenerCommand({ serviceIdentifier: other.id, name: 'l-one', protocol: 'HTTP', defaultAction: { fixedResponse: { statusCode: 404 } } }));
  const shared = await rejects(send(new L.UpdateListenerCommand({
    serviceIdentifier: other.id, listenerIdentifier: otherL.id, defaultAction: { forward: { targetGroups: [{ targetGroupIdentifier: a }] } },
  })));
  assert.equal(shared.name, 'ConflictException');
});

test('seeded foreign and drifted resources', async () => {
  const seeded = await emu.control('POST', 'seed', {
    resources: [
      { type: 'serviceNetwork', name: 'shared-net', ownerAccount: '999999999999', tags: { owner: 'someone-else' } },
      { type: 'service', name: 'broken', status: 'CREATE_FAILED', failureCode: 'INTERNAL', failureMessage: 'boom' },
    ],
  });
  const [sn, svc] = seeded.created;
  assert.match(sn.arn, /:999999999999:servicenetwork\/sn-/);
  const got = await send(new L.GetServiceCommand({ serviceIdentifier: svc.id }));
  assert.equal(got.status, 'CREATE_FAILED');
  assert.equal(got.failureMessage, 'boom');
  const tg = await makeTg('seeded-tg');
  await emu.control('POST', 'seed', { type: 'targets', targetGroupIdentifier: tg.id, targets: [{ id: '10.1.1.1', port: 80, status: 'UNHEALTHY', reasonCode: 'HealthCheckFailed' }] });
  const t = await send(new L.ListTargetsCommand({ targetGroupIdentifier: tg.id }));
  assert.deepEqual(t.items.map((x) => [x.id, x.status, x.reasonCode]), [['10.1.1.1', 'UNHEALTHY', 'HealthCheckFailed']]);
  // Visible (shared) but not ours to change.
  assert.equal((await send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: sn.arn }))).name, 'shared-net');
  const denied = await rejects(send(new L.DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id })));
  assert.equal(denied.name, 'AccessDeniedException');
  assert.equal(denied.$metadata.httpStatusCode, 403);
  // We may associate our VPC with a network shared with us.
  const va = await send(new L.CreateServiceNetworkVpcAssociationCommand({ serviceNetworkIdentifier: sn.arn, vpcIdentifier: VPC }));
  assert.equal(va.createdBy, ACCOUNT);
});

test('a wrong secret gets InvalidSignatureException', async () => {
  const bad = new L.VPCLatticeClient(emu.config({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-the-secret' } }));
  const e = await rejects(bad.send(new L.ListServicesCommand({})));
  assert.equal(e.name, 'InvalidSignatureException');
  assert.equal(e.$metadata.httpStatusCode, 403);
  const unknown = new L.VPCLatticeClient(emu.config({ credentials: { accessKeyId: 'AKIDUNKNOWN0000000', secretAccessKey: 'x' } }));
  assert.equal((await rejects(unknown.send(new L.ListServicesCommand({})))).name, 'UnrecognizedClientException');
});
