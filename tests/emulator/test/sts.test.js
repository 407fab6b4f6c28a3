'use strict';
// STS interop: caller identity, web identity federation (unsigned), and use
// of the temporary credentials it issues.

const test = require('node:test');
const assert = require('node:assert/strict');
const S = require('@aws-sdk/client-sts');
const L = require('@aws-sdk/client-vpc-lattice');
const { startEmulator, request, rejects, ACCOUNT } = require('./helpers');

let emu;
test.before(async () => { emu = await startEmulator(); });
test.after(async () => emu && emu.stop());

const jwt = (claims) => ['eyJhbGciOiJSUzI1NiJ9', Buffer.from(JSON.stringify(claims)).toString('base64url'), 'c2ln'].join('.');
const ROLE = 'arn:aws:iam::111122223333:role/app-reader';

test('GetCallerIdentity returns the default account and caller', async () => {
  const sts = new S.STSClient(emu.config());
  const id = await sts.send(new S.GetCallerIdentityCommand({}));
  assert.equal(id.Account, ACCOUNT);
  assert.equal(id.Arn, `arn:aws:iam::${ACCOUNT}:user/emulator`);
  assert.ok(id.UserId);
});

test('unsigned AssumeRoleWithWebIdentity POST works and its credentials are accepted', async () => {
  const token = jwt({ sub: 'system:serviceaccount:apps:reader', aud: 'sts.amazonaws.com', iss: 'https://oidc.example', exp: Math.floor(Date.now() / 1000) + 600 });
  const body = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: ROLE, RoleSessionName: 'trellis-1', WebIdentityToken: token, DurationSeconds: '900' }).toString();
  const r = await request(emu.endpoint, 'POST', '/', body, { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' });
  assert.equal(r.status, 200, r.body);
  assert.match(r.body, /^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">/);
  const get = (tag) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(r.body)[1];
  const exp = Date.parse(get('Expiration'));
  assert.ok(Math.abs(exp - (Date.now() + 900 * 1000)) < 5000);
  assert.equal(get('SubjectFromWebIdentityToken'), 'system:serviceaccount:apps:reader');
  assert.equal(get('Arn'), 'arn:aws:sts::111122223333:assumed-role/app-reader/trellis-1');

  const creds = { accessKeyId: get('AccessKeyId'), secretAccessKey: get('SecretAccessKey'), sessionToken: get('SessionToken') };
  assert.match(creds.accessKeyId, /^ASIA/);
  const sts = new S.STSClient(emu.config({ credentials: creds }));
  const me = await sts.send(new S.GetCallerIdentityCommand({}));
  assert.equal(me.Account, '111122223333');
  assert.equal(me.Arn, 'arn:aws:sts::111122223333:assumed-role/app-reader/trellis-1');
  // The same keys with a wrong (or no) session token are refused.
  const wrong = new S.STSClient(emu.config({ credentials: { ...creds, sessionToken: 'tampered' } }));
  assert.equal((await rejects(wrong.send(new S.GetCallerIdentityCommand({})))).name, 'InvalidClientTokenId');
  const lattice = new L.VPCLatticeClient(emu.config({ credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey } }));
  assert.equal((await rejects(lattice.send(new L.ListServicesCommand({})))).name, 'UnrecognizedClientException');
});

test('the SDK AssumeRoleWithWebIdentity call and its errors', async () => {
  const sts = new S.STSClient(emu.config());
  const out = await sts.send(new S.AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: 'sdk', WebIdentityToken: jwt({ sub: 'x' }) }));
  assert.ok(out.Credentials.Expiration instanceof Date);
  assert.ok(Math.abs(out.Credentials.Expiration.getTime() - (Date.now() + 3600 * 1000)) < 5000);
  const missing = await request(emu.endpoint, 'POST', '/', `Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE)}&RoleSessionName=s1`,
    { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(missing.status, 400);
  assert.match(missing.body, /<Code>ValidationError<\/Code>/);
  assert.match(missing.body, /webIdentityToken/);
  const expired = await rejects(sts.send(new S.AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: 'sdk', WebIdentityToken: jwt({ exp: 1000 }) })));
  assert.equal(expired.name, 'ExpiredTokenException');
  const garbage = await rejects(sts.send(new S.AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: 'sdk', WebIdentityToken: 'a.b.c' })));
  assert.equal(garbage.name, 'InvalidIdentityTokenException');
  const tooLong = await rejects(sts.send(new S.AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: 'sdk', WebIdentityToken: jwt({}), DurationSeconds: 50000 })));
  assert.equal(tooLong.$metadata.httpStatusCode, 400);
});

test('AssumeRole is signed, mints credentials that work, and refuses unsigned callers', async () => {
  const sts = new S.STSClient(emu.config());
  const out = await sts.send(new S.AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'chained', DurationSeconds: 900 }));
  assert.match(out.Credentials.AccessKeyId, /^ASIA/);
  assert.ok(Math.abs(out.Credentials.Expiration.getTime() - (Date.now() + 900 * 1000)) < 5000);
  assert.equal(out.AssumedRoleUser.Arn, 'arn:aws:sts::111122223333:assumed-role/app-reader/chained');
  const c = out.Credentials;
  const as = new S.STSClient(emu.config({ credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } }));
  assert.equal((await as.send(new S.GetCallerIdentityCommand({}))).Arn, out.AssumedRoleUser.Arn);
  const unsigned = await request(emu.endpoint, 'POST', '/', `Action=AssumeRole&Version=2011-06-15&RoleArn=${encodeURIComponent(ROLE)}&RoleSessionName=s1`,
    { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(unsigned.status, 403);
  assert.match(unsigned.body, /<Code>MissingAuthenticationToken<\/Code>/);
  const bad = await rejects(sts.send(new S.AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:user/not-a-role', RoleSessionName: 'x1' })));
  assert.equal(bad.name, 'MalformedPolicyDocumentException');
});

test('credentials expire', async () => {
  await emu.control('POST', 'config', { maxSessionSeconds: 1 });
  const sts = new S.STSClient(emu.config());
  const out = await sts.send(new S.AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE, RoleSessionName: 'short', WebIdentityToken: jwt({}) }));
  await new Promise((r) => setTimeout(r, 1100));
  const c = out.Credentials;
  const later = new S.STSClient(emu.config({ credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken } }));
  const e = await rejects(later.send(new S.GetCallerIdentityCommand({})));
  assert.equal(e.name, 'ExpiredToken');
  await emu.control('POST', 'config', { maxSessionSeconds: null });
});

test('wrong secret: SignatureDoesNotMatch in the XML ErrorResponse', async () => {
  const bad = new S.STSClient(emu.config({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'nope' } }));
  const e = await rejects(bad.send(new S.GetCallerIdentityCommand({})));
  assert.equal(e.name, 'SignatureDoesNotMatch');
  assert.equal(e.$metadata.httpStatusCode, 403);
});
