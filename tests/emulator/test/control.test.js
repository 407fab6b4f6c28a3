'use strict';
// The /_emulator control plane: faults (each kind observed through the SDK
// and the request log), the request log itself, state dumps, and --state
// persistence shared by two processes.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const os = require('os');
const path = require('path');
const L = require('@aws-sdk/client-vpc-lattice');
const R = require('@aws-sdk/client-route-53');
const I = require('@aws-sdk/client-iam');
const { spawn } = require('child_process');
const { startEmulator, request, rejects, ROOT } = require('./helpers');

let emu;
let lattice;
test.before(async () => {
  emu = await startEmulator(['--latency-ms', '0']);
  lattice = new L.VPCLatticeClient(emu.config());
});
test.after(async () => emu && emu.stop());
test.beforeEach(async () => {
  await emu.control('POST', 'reset');
  await emu.control('POST', 'config', { asyncMs: 0 });
});

const requests = async () => (await emu.control('GET', 'requests')).requests;

test('request log tells unsigned requests from signed ones', async () => {
  const body = 'Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr&RoleSessionName=s1&WebIdentityToken=token';
  const r = await request(emu.endpoint, 'POST', '/', body, { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(r.status, 200, r.body);
  const anon = await request(emu.endpoint, 'GET', '/servicenetworks', '', {});
  assert.equal(anon.status, 403);
  await lattice.send(new L.ListServiceNetworksCommand({}));
  const log = await requests();
  assert.deepEqual(log.map((e) => [e.operation, e.status, e.signed]), [
    ['AssumeRoleWithWebIdentity', 200, false],
    ['ListServiceNetworks', 403, false],
    ['ListServiceNetworks', 200, true],
  ]);
});

test('request log records service, operation, status, error code and mutation', async () => {
  await lattice.send(new L.CreateServiceNetworkCommand({ name: 'logged' }));
  await lattice.send(new L.ListServiceNetworksCommand({}));
  await rejects(lattice.send(new L.GetServiceCommand({ serviceIdentifier: 'svc-00000000000000000' })));
  const iam = new I.IAMClient(emu.config({ region: 'us-east-1' }));
  await rejects(iam.send(new I.GetRoleCommand({ RoleName: 'none' })));
  const log = await requests();
  assert.deepEqual(log.map((r) => [r.seq, r.service, r.operation, r.status, r.errorCode, r.mutating]), [
    [1, 'vpc-lattice', 'CreateServiceNetwork', 201, null, true],
    [2, 'vpc-lattice', 'ListServiceNetworks', 200, null, false],
    [3, 'vpc-lattice', 'GetService', 404, 'ResourceNotFoundException', false],
    [4, 'iam', 'GetRole', 404, 'NoSuchEntity', false],
  ]);
  assert.equal(log[0].method, 'POST');
  assert.equal(log[0].path, '/servicenetworks');
  assert.ok(Date.parse(log[0].time));
  assert.ok(log.every((r) => r.signed === true));
  await emu.control('DELETE', 'requests');
  assert.equal((await requests()).length, 0);
});

test('throttle fault: 429 ThrottlingException with Retry-After', async () => {
  await emu.control('POST', 'faults', { throttle: 1, retryAfterSeconds: 3 });
  const e = await rejects(lattice.send(new L.ListServicesCommand({})));
  assert.equal(e.name, 'ThrottlingException');
  assert.equal(e.$metadata.httpStatusCode, 429);
  assert.equal(e.retryAfterSeconds, 3);
  const raw = await request(emu.endpoint, 'GET', '/services', undefined, {});
  // Unsigned requests are refused before faults apply.
  assert.equal(raw.status, 403);
  // Route 53 throttles its own way.
  const r53 = new R.Route53Client(emu.config({ region: 'us-east-1' }));
  const re = await rejects(r53.send(new R.ListHostedZonesCommand({})));
  assert.equal(re.name, 'Throttling');
  assert.equal(re.$metadata.httpStatusCode, 400);
  const log = await requests();
  assert.equal(log.filter((r) => r.errorCode === 'ThrottlingException' || r.errorCode === 'Throttling').length, 2);
  await emu.control('POST', 'faults', {});
  await lattice.send(new L.ListServicesCommand({}));
});

test('5xx fault and the SDK retrying through it', async () => {
  await emu.control('POST', 'faults', { error5xx: 1 });
  const e = await rejects(lattice.send(new L.ListServicesCommand({})));
  assert.equal(e.name, 'InternalServerException');
  assert.equal(e.$metadata.httpStatusCode, 500);
  await emu.control('POST', 'faults', { failNext: { ListServices: 2 } });
  await emu.control('DELETE', 'requests');
  const retrying = new L.VPCLatticeClient(emu.config({ maxAttempts: 3 }));
  const out = await retrying.send(new L.ListServicesCommand({}));
  assert.equal(out.$metadata.attempts, 3);
  const log = await requests();
  assert.deepEqual(log.map((r) => r.status), [500, 500, 200]);
});

test('failNext counts down per operation and supports other fault kinds', async () => {
  await emu.control('POST', 'faults', { failNext: { CreateService: 2, ListServices: { count: 1, fault: 'throttle' } } });
  assert.equal((await rejects(lattice.send(new L.CreateServiceCommand({ name: 'fn-1' })))).$metadata.httpStatusCode, 500);
  assert.equal((await rejects(lattice.send(new L.ListServicesCommand({})))).name, 'ThrottlingException');
  assert.equal((await rejects(lattice.send(new L.CreateServiceCommand({ name: 'fn-1' })))).$metadata.httpStatusCode, 500);
  const ok = await lattice.send(new L.CreateServiceCommand({ name: 'fn-1' }));
  assert.equal(ok.name, 'fn-1');
  const log = await requests();
  assert.deepEqual(log.map((r) => `${r.operation}:${r.status}`), ['CreateService:500', 'ListServices:429', 'CreateService:500', 'CreateService:201']);
  // Failed mutations changed nothing.
  const state = await emu.control('GET', 'state');
  assert.equal(Object.keys(state.lattice.services).length, 1);
});

test('latency fault delays replies', async () => {
  await emu.control('POST', 'faults', { latencyMs: 150 });
  const t0 = Date.now();
  await lattice.send(new L.ListServicesCommand({}));
  assert.ok(Date.now() - t0 >= 140, `took ${Date.now() - t0}ms`);
});

test('dropConnection destroys the socket without a reply and is logged', async () => {
  await emu.control('POST', 'faults', { dropConnection: 1 });
  const e = await rejects(lattice.send(new L.ListServicesCommand({})));
  assert.ok(!e.$metadata || e.$metadata.httpStatusCode === undefined);
  assert.match(`${e.code} ${e.message}`, /ECONNRESET|socket hang up|EPIPE/);
  const log = await requests();
  assert.equal(log.length, 1);
  assert.equal(log[0].status, 0);
  assert.equal(log[0].errorCode, 'ConnectionDropped');
});

test('probabilistic faults are repeatable for a seed', async () => {
  const run = async () => {
    await emu.control('POST', 'faults', { throttle: 0.3, error5xx: 0.2, seed: 7 });
    const outcomes = [];
    for (let i = 0; i < 20; i++) {
      try {
        await lattice.send(new L.ListServicesCommand({}));
        outcomes.push('ok');
      } catch (e) {
        outcomes.push(e.name);
      }
    }
    return outcomes;
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a, b);
  assert.ok(a.includes('ok') && a.includes('ThrottlingException') && a.includes('InternalServerException'), a.join(','));
  const bad = await request(emu.endpoint, 'POST', '/_emulator/faults', { throttle: 2 }, { 'content-type': 'application/json' });
  assert.equal(bad.status, 400);
  await emu.control('POST', 'faults', {});
});

test('state dump is stable JSON of the whole world', async () => {
  await lattice.send(new L.CreateServiceNetworkCommand({ name: 'dumped', tags: { z: '1', a: '2' } }));
  const r1 = await request(emu.endpoint, 'GET', '/_emulator/state');
  const r2 = await request(emu.endpoint, 'GET', '/_emulator/state');
  assert.equal(r1.body, r2.body);
  const sn = Object.values(r1.json.lattice.serviceNetworks)[0];
  assert.equal(sn.name, 'dumped');
  assert.deepEqual(Object.keys(sn.tags), ['a', 'z']);
  assert.ok(r1.json.route53 && r1.json.acm && r1.json.iam);
});

test('--state shares one world between two processes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emu-state-'));
  const file = path.join(dir, 'world.json');
  const a = await startEmulator(['--state', file]);
  const b = await startEmulator(['--state', file]);
  try {
    await a.control('POST', 'config', { asyncMs: 0 });
    const ca = new L.VPCLatticeClient(a.config());
    const cb = new L.VPCLatticeClient(b.config());
    const sn = await ca.send(new L.CreateServiceNetworkCommand({ name: 'shared' }));
    assert.ok(fs.existsSync(file));
    assert.equal((await cb.send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }))).name, 'shared');
    const dup = await rejects(cb.send(new L.CreateServiceNetworkCommand({ name: 'shared' })));
    assert.equal(dup.name, 'ConflictException');
    await cb.send(new L.DeleteServiceNetworkCommand({ serviceNetworkIdentifier: sn.id }));
    assert.equal((await rejects(ca.send(new L.GetServiceNetworkCommand({ serviceNetworkIdentifier: sn.id })))).name, 'ResourceNotFoundException');
    await ca.send(new L.CreateServiceNetworkCommand({ name: 'survivor' }));
  } finally {
    assert.equal(await a.stop(), 0);
    await b.stop();
  }
  // A new process starts from the saved world.
  const c = await startEmulator(['--state', file]);
  try {
    const cc = new L.VPCLatticeClient(c.config());
    const names = (await cc.send(new L.ListServiceNetworksCommand({}))).items.map((x) => x.name);
    assert.deepEqual(names, ['survivor']);
  } finally {
    await c.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown control endpoints and bad config are refused', async () => {
  assert.equal((await request(emu.endpoint, 'GET', '/_emulator/nope')).status, 404);
  assert.equal((await request(emu.endpoint, 'POST', '/_emulator/config', { asyncMs: -1 }, { 'content-type': 'application/json' })).status, 400);
  assert.equal((await request(emu.endpoint, 'POST', '/_emulator/seed', { type: 'spaceship' }, { 'content-type': 'application/json' })).status, 400);
});

test('the run script: first line, custom credentials, clean SIGTERM', async () => {
  const child = spawn(path.join(ROOT, 'run'), ['--port', '0', '--access-key', 'AKIDCUSTOM', '--secret-key', 'custom-secret'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const first = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    child.once('exit', (code) => reject(new Error(`run exited ${code}`)));
  });
  try {
    const m = /^listening (http:\/\/127\.0\.0\.1:\d+)$/.exec(first);
    assert.ok(m, first);
    const cfg = { endpoint: m[1], region: 'us-west-2', retryStrategy: { mode: 'standard', retry: (next, args) => next(args) } };
    const good = new L.VPCLatticeClient({ ...cfg, credentials: { accessKeyId: 'AKIDCUSTOM', secretAccessKey: 'custom-secret' } });
    await good.send(new L.ListServicesCommand({}));
    const old = new L.VPCLatticeClient({ ...cfg, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } });
    assert.equal((await rejects(old.send(new L.ListServicesCommand({})))).name, 'UnrecognizedClientException');
  } finally {
    const code = await new Promise((resolve) => {
      child.removeAllListeners('exit');
      child.once('exit', (c, sig) => resolve(c === null ? sig : c));
      child.kill('SIGTERM');
    });
    assert.equal(code, 0);
  }
});
