'use strict';
// IAM interop (query protocol) with the official SDK v3 client.

const test = require('node:test');
const assert = require('node:assert/strict');
const I = require('@aws-sdk/client-iam');
const { startEmulator, request, rejects, ACCOUNT } = require('./helpers');

let emu;
let client;
test.before(async () => {
  emu = await startEmulator();
  client = new I.IAMClient(emu.config({ region: 'us-east-1' }));
});
test.after(async () => emu && emu.stop());
test.beforeEach(async () => emu.control('POST', 'reset'));
const send = (c) => client.send(c);

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow',
    Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE` },
    Action: 'sts:AssumeRoleWithWebIdentity',
    Condition: { StringEquals: { 'oidc.eks.us-west-2.amazonaws.com/id/EXAMPLE:sub': 'system:serviceaccount:apps:client' } },
  }],
});
const INVOKE = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'vpc-lattice-svcs:Invoke', Resource: '*' }] });

test('roles: create, get (URL-encoded trust policy), update, list with paging, delete', async () => {
  const c = await send(new I.CreateRoleCommand({
    RoleName: 'apps-client', Path: '/trellis/', AssumeRolePolicyDocument: TRUST, Description: 'd',
    Tags: [{ Key: 'owner', Value: 'trellis' }],
  }));
  assert.equal(c.Role.Arn, `arn:aws:iam::${ACCOUNT}:role/trellis/apps-client`);
  assert.match(c.Role.RoleId, /^AROA/);
  assert.ok(c.Role.CreateDate instanceof Date);
  const g = await send(new I.GetRoleCommand({ RoleName: 'apps-client' }));
  assert.notEqual(g.Role.AssumeRolePolicyDocument, TRUST);
  assert.match(g.Role.AssumeRolePolicyDocument, /^%7B%22Version%22%3A%222012-10-17%22/);
  assert.deepEqual(JSON.parse(decodeURIComponent(g.Role.AssumeRolePolicyDocument)), JSON.parse(TRUST));
  assert.equal(g.Role.MaxSessionDuration, 3600);
  assert.deepEqual(g.Role.Tags, [{ Key: 'owner', Value: 'trellis' }]);
  const dup = await rejects(send(new I.CreateRoleCommand({ RoleName: 'APPS-CLIENT', AssumeRolePolicyDocument: TRUST })));
  assert.equal(dup.name, 'EntityAlreadyExistsException');
  assert.equal(dup.$metadata.httpStatusCode, 409);

  await send(new I.UpdateRoleCommand({ RoleName: 'apps-client', Description: 'new', MaxSessionDuration: 7200 }));
  const newTrust = TRUST.replace('apps:client', 'apps:other');
  await send(new I.UpdateAssumeRolePolicyCommand({ RoleName: 'apps-client', PolicyDocument: newTrust }));
  const g2 = await send(new I.GetRoleCommand({ RoleName: 'apps-client' }));
  assert.equal(g2.Role.Description, 'new');
  assert.equal(g2.Role.MaxSessionDuration, 7200);
  assert.equal(decodeURIComponent(g2.Role.AssumeRolePolicyDocument), newTrust);

  for (const n of ['r-a', 'r-b', 'r-c']) await send(new I.CreateRoleCommand({ RoleName: n, AssumeRolePolicyDocument: TRUST }));
  const p1 = await send(new I.ListRolesCommand({ MaxItems: 2 }));
  assert.equal(p1.Roles.length, 2);
  assert.equal(p1.IsTruncated, true);
  const p2 = await send(new I.ListRolesCommand({ MaxItems: 2, Marker: p1.Marker }));
  assert.equal(p2.IsTruncated, false);
  assert.equal(p1.Roles.length + p2.Roles.length, 4);
  const scoped = await send(new I.ListRolesCommand({ PathPrefix: '/trellis/' }));
  assert.deepEqual(scoped.Roles.map((r) => r.RoleName), ['apps-client']);

  await send(new I.DeleteRoleCommand({ RoleName: 'r-a' }));
  const gone = await rejects(send(new I.GetRoleCommand({ RoleName: 'r-a' })));
  assert.equal(gone.name, 'NoSuchEntityException');
  assert.equal(gone.$metadata.httpStatusCode, 404);
  assert.match(gone.message, /cannot be found/);
});

test('inline policies and DeleteConflict', async () => {
  await send(new I.CreateRoleCommand({ RoleName: 'invoker', AssumeRolePolicyDocument: TRUST }));
  await send(new I.PutRolePolicyCommand({ RoleName: 'invoker', PolicyName: 'invoke', PolicyDocument: INVOKE }));
  await send(new I.PutRolePolicyCommand({ RoleName: 'invoker', PolicyName: 'extra', PolicyDocument: INVOKE }));
  const gp = await send(new I.GetRolePolicyCommand({ RoleName: 'invoker', PolicyName: 'invoke' }));
  assert.equal(gp.RoleName, 'invoker');
  assert.equal(decodeURIComponent(gp.PolicyDocument), INVOKE);
  const names = await send(new I.ListRolePoliciesCommand({ RoleName: 'invoker' }));
  assert.deepEqual(names.PolicyNames, ['extra', 'invoke']);
  const conflict = await rejects(send(new I.DeleteRoleCommand({ RoleName: 'invoker' })));
  assert.equal(conflict.name, 'DeleteConflictException');
  assert.equal(conflict.$metadata.httpStatusCode, 409);
  await send(new I.DeleteRolePolicyCommand({ RoleName: 'invoker', PolicyName: 'invoke' }));
  await send(new I.DeleteRolePolicyCommand({ RoleName: 'invoker', PolicyName: 'extra' }));
  const missing = await rejects(send(new I.GetRolePolicyCommand({ RoleName: 'invoker', PolicyName: 'invoke' })));
  assert.equal(missing.name, 'NoSuchEntityException');
  const malformed = await rejects(send(new I.PutRolePolicyCommand({ RoleName: 'invoker', PolicyName: 'x', PolicyDocument: '{not json' })));
  assert.equal(malformed.name, 'MalformedPolicyDocumentException');
  await send(new I.DeleteRoleCommand({ RoleName: 'invoker' }));
});

test('attached managed policies also block DeleteRole', async () => {
  await send(new I.CreateRoleCommand({ RoleName: 'attached', AssumeRolePolicyDocument: TRUST }));
  const arn = 'arn:aws:iam::aws:policy/VPCLatticeServicesInvokeAccess';
  await send(new I.AttachRolePolicyCommand({ RoleName: 'attached', PolicyArn: arn }));
  const l = await send(new I.ListAttachedRolePoliciesCommand({ RoleName: 'attached' }));
  assert.deepEqual(l.AttachedPolicies, [{ PolicyArn: arn, PolicyName: 'VPCLatticeServicesInvokeAccess' }]);
  const e = await rejects(send(new I.DeleteRoleCommand({ RoleName: 'attached' })));
  assert.equal(e.name, 'DeleteConflictException');
  await send(new I.DetachRolePolicyCommand({ RoleName: 'attached', PolicyArn: arn }));
  await send(new I.DeleteRoleCommand({ RoleName: 'attached' }));
});

test('role tags', async () => {
  await send(new I.CreateRoleCommand({ RoleName: 'tagged', AssumeRolePolicyDocument: TRUST }));
  await send(new I.TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
  await send(new I.UntagRoleCommand({ RoleName: 'tagged', TagKeys: ['a'] }));
  const t = await send(new I.ListRoleTagsCommand({ RoleName: 'tagged' }));
  assert.deepEqual(t.Tags, [{ Key: 'b', Value: '2' }]);
  assert.equal(t.IsTruncated, false);
});

test('validation errors come back as ValidationError in the XML envelope', async () => {
  const e = await rejects(send(new I.CreateRoleCommand({ RoleName: 'bad name!', AssumeRolePolicyDocument: TRUST })));
  assert.equal(e.name, 'ValidationError');
  assert.match(e.message, /roleName/);
  const body = 'Action=GetRole&Version=2010-05-08';
  const raw = await request(emu.endpoint, 'POST', '/', body, { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(raw.status, 403);
  assert.match(raw.body, /<ErrorResponse xmlns="https:\/\/iam.amazonaws.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/);
});

test('a wrong secret gets SignatureDoesNotMatch', async () => {
  const bad = new I.IAMClient(emu.config({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bad' } }));
  const e = await rejects(bad.send(new I.ListRolesCommand({})));
  assert.equal(e.name, 'SignatureDoesNotMatch');
  assert.equal(e.$metadata.httpStatusCode, 403);
});
