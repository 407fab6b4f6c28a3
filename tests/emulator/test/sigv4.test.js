'use strict';
// SigV4 verification: the official test suite, and requests signed the way
// the trellis C client signs them (ARNs in paths double-encoded in the
// canonical request, repeated query keys, session tokens, clock skew).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const sigv4 = require('../src/sigv4');
const { startEmulator, request, CREDS, ACCOUNT } = require('./helpers');

const SUITE = path.join(__dirname, 'data', 'sigv4-suite', 'v4');

function parseSuiteRequest(text) {
  const [head, ...rest] = text.split('\n\n');
  const lines = head.split('\n');
  const [method, target] = /^(\S+) (.*) HTTP\/1\.1$/.exec(lines[0]).slice(1);
  const headers = {};
  let last = null;
  for (const line of lines.slice(1)) {
    if (/^\s/.test(line) && last) {
      headers[last] += ` ${line.trim()}`;
      continue;
    }
    const i = line.indexOf(':');
    const name = line.slice(0, i).toLowerCase();
    const value = line.slice(i + 1);
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    last = name;
  }
  const qi = target.indexOf('?');
  const rawQuery = qi < 0 ? '' : target.slice(qi + 1);
  const query = {};
  for (const part of rawQuery.split('&').filter(Boolean)) {
    const j = part.indexOf('=');
    const k = decodeURIComponent(j < 0 ? part : part.slice(0, j));
    (query[k] = query[k] || []).push(j < 0 ? '' : decodeURIComponent(part.slice(j + 1)));
  }
  return { method, rawPath: qi < 0 ? target : target.slice(0, qi), query, headers, body: Buffer.from(rest.join('\n\n')) };
}

const SUITE_NOW = Date.parse('2015-08-30T12:36:00Z');
const cases = fs.readdirSync(SUITE).filter((c) => JSON.parse(fs.readFileSync(path.join(SUITE, c, 'context.json'))).normalize);

test('every normalising case of the official SigV4 suite verifies', async () => {
  assert.ok(cases.length >= 30);
  for (const c of cases) {
    const ctx = JSON.parse(fs.readFileSync(path.join(SUITE, c, 'context.json')));
    const req = parseSuiteRequest(fs.readFileSync(path.join(SUITE, c, 'header-signed-request.txt'), 'utf8'));
    const auth = sigv4.parseAuthorization(req.headers.authorization);
    const creds = { accessKeyId: ctx.credentials.access_key_id, secretAccessKey: ctx.credentials.secret_access_key };
    assert.equal(await sigv4.verify(req, auth, creds, SUITE_NOW), null, `case ${c}`);
    // Any change to what was signed breaks it.
    const tampered = { ...req, headers: { ...req.headers, 'x-amz-date': '20150830T123601Z' } };
    assert.notEqual(await sigv4.verify(tampered, auth, creds, SUITE_NOW), null, `tampered ${c}`);
    const wrongKey = { ...creds, secretAccessKey: `${creds.secretAccessKey}x` };
    assert.notEqual(await sigv4.verify(req, auth, wrongKey, SUITE_NOW), null, `wrong key ${c}`);
  }
});

test('the suite request is refused when the clock is more than 15 minutes off', async () => {
  const req = parseSuiteRequest(fs.readFileSync(path.join(SUITE, 'get-vanilla', 'header-signed-request.txt'), 'utf8'));
  const auth = sigv4.parseAuthorization(req.headers.authorization);
  const creds = { accessKeyId: CREDS.accessKeyId, secretAccessKey: CREDS.secretAccessKey };
  assert.equal(await sigv4.verify(req, auth, creds, SUITE_NOW + 14 * 60 * 1000), null);
  assert.match(await sigv4.verify(req, auth, creds, SUITE_NOW + 16 * 60 * 1000), /Signature expired/);
  assert.match(await sigv4.verify(req, auth, creds, SUITE_NOW - 16 * 60 * 1000), /Signature expired/);
});

// ----- a small independent signer, written from the SigV4 specification ----

const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (k, d) => crypto.createHmac('sha256', k).update(d).digest();
const sha = (d) => crypto.createHash('sha256').update(d).digest('hex');

// encodePathTwice=false reproduces curl 7.88's bug (raw path in the
// canonical request), which AWS rejects for paths with %XX.
function sign({ method, wirePath, query = [], headers, body = '', service, region = 'us-west-2', date = new Date(), creds = CREDS, encodePathTwice = true }) {
  const amzDate = date.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const h = { ...headers, 'x-amz-date': amzDate };
  if (creds.sessionToken) h['x-amz-security-token'] = creds.sessionToken;
  const names = Object.keys(h).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
  const canonPath = encodePathTwice ? wirePath.split('/').map((s) => enc(s)).join('/') : wirePath;
  const canonQuery = query.map(([k, v]) => [enc(k), enc(v)]).sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join('&');
  const creq = [method, canonPath, canonQuery, names.map((n) => `${n}:${String(lower[n]).trim()}\n`).join(''), names.join(';'), sha(body)].join('\n');
  const scope = `${amzDate.slice(0, 8)}/${region}/${service}/aws4_request`;
  const sts = ['AWS4-HMAC-SHA256', amzDate, scope, sha(creq)].join('\n');
  let k = hmac(`AWS4${creds.secretAccessKey}`, amzDate.slice(0, 8));
  for (const part of [region, service, 'aws4_request']) k = hmac(k, part);
  const signature = hmac(k, sts).toString('hex');
  return {
    ...h,
    authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

let emu;
test.before(async () => { emu = await startEmulator(); await emu.control('POST', 'config', { asyncMs: 0 }); });
test.after(async () => emu && emu.stop());

function call(opts) {
  const host = `127.0.0.1:${emu.port}`;
  const headers = sign({ ...opts, headers: { host, ...(opts.headers || {}) } });
  const qs = (opts.query || []).map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
  return request(emu.endpoint, opts.method, opts.wirePath + (qs ? `?${qs}` : ''), opts.body, headers);
}

test('C-client style requests: ARN paths, repeated query keys, JSON bodies', async () => {
  const body = JSON.stringify({ name: 'signed-net', tags: { a: '1', b: '2', c: '3' } });
  const created = await call({ method: 'POST', wirePath: '/servicenetworks', service: 'vpc-lattice', body, headers: { 'content-type': 'application/json' } });
  assert.equal(created.status, 201, created.body);
  const arn = created.json.arn;
  const tagPath = `/tags/${enc(arn)}`;
  assert.match(tagPath, /arn%3Aaws%3Avpc-lattice%3Aus-west-2%3A\d{12}%3Aservicenetwork%2Fsn-/);
  const untag = await call({ method: 'DELETE', wirePath: tagPath, service: 'vpc-lattice', query: [['tagKeys', 'c'], ['tagKeys', 'a']] });
  assert.equal(untag.status, 200, untag.body);
  const tags = await call({ method: 'GET', wirePath: tagPath, service: 'vpc-lattice' });
  assert.deepEqual(tags.json.tags, { b: '2' });
  // The same request signed over the single-encoded path is what AWS refuses.
  const curlBug = await call({ method: 'GET', wirePath: tagPath, service: 'vpc-lattice', encodePathTwice: false });
  assert.equal(curlBug.status, 403);
  assert.equal(curlBug.headers['x-amzn-errortype'], 'InvalidSignatureException');
  const page = await call({ method: 'GET', wirePath: '/servicenetworks', service: 'vpc-lattice', query: [['maxResults', '1']] });
  assert.equal(page.status, 200);
  assert.equal(page.json.items.length, 1);
});

test('clock skew and body tampering are refused with each service\'s error', async () => {
  const old = new Date(Date.now() - 20 * 60 * 1000);
  const lat = await call({ method: 'GET', wirePath: '/services', service: 'vpc-lattice', date: old });
  assert.equal(lat.status, 403);
  assert.equal(lat.headers['x-amzn-errortype'], 'InvalidSignatureException');
  assert.match(lat.json.message, /Signature expired/);
  const iam = await call({
    method: 'POST', wirePath: '/', service: 'iam', region: 'us-east-1', date: old,
    body: 'Action=ListRoles&Version=2010-05-08', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  });
  assert.equal(iam.status, 403);
  assert.match(iam.body, /<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired/);
  const wrongRegion = await call({
    method: 'POST', wirePath: '/', service: 'iam', region: 'us-west-2',
    body: 'Action=ListRoles&Version=2010-05-08', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
  });
  assert.equal(wrongRegion.status, 403);
  assert.match(wrongRegion.body, /Credential should be scoped to a valid region, not 'us-west-2'/);
  const acm = await call({
    method: 'POST', wirePath: '/', service: 'acm', date: old, body: '{}',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'CertificateManager.ListCertificates' },
  });
  assert.equal(acm.json.__type, 'InvalidSignatureException');

  // Signed body A, sent body B.
  const host = `127.0.0.1:${emu.port}`;
  const headers = sign({ method: 'POST', wirePath: '/', service: 'sts', body: 'Action=GetCallerIdentity&Version=2011-06-15', headers: { host, 'content-type': 'application/x-www-form-urlencoded' } });
  const r = await request(emu.endpoint, 'POST', '/', 'Action=GetCallerIdentity&Version=2011-06-15&X=1', headers);
  assert.equal(r.status, 403);
  assert.match(r.body, /SignatureDoesNotMatch/);
});

test('session credentials are accepted only with their token', async () => {
  const form = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: `arn:aws:iam::${ACCOUNT}:role/r`, RoleSessionName: 'c-client', WebIdentityToken: 'opaque-token' }).toString();
  const r = await request(emu.endpoint, 'POST', '/', form, { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(r.status, 200, r.body);
  const get = (t) => new RegExp(`<${t}>([^<]*)</${t}>`).exec(r.body)[1];
  const creds = { accessKeyId: get('AccessKeyId'), secretAccessKey: get('SecretAccessKey'), sessionToken: get('SessionToken') };
  const ok = await call({ method: 'GET', wirePath: '/services', service: 'vpc-lattice', creds });
  assert.equal(ok.status, 200, ok.body);
  const noToken = await call({ method: 'GET', wirePath: '/services', service: 'vpc-lattice', creds: { ...creds, sessionToken: undefined } });
  assert.equal(noToken.status, 403);
  assert.equal(noToken.headers['x-amzn-errortype'], 'UnrecognizedClientException');
});
