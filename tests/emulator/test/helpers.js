'use strict';
// Test helpers: start the emulator as a real child process on a free port,
// talk to its control endpoints, and build SDK client configs for it.

const { spawn } = require('child_process');
const path = require('path');
const http = require('http');

const ROOT = path.join(__dirname, '..');
const CREDS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const ACCOUNT = '123456789012';

// One attempt per call, so tests see every error the emulator sends. (The
// SDK release pinned here retries once even with maxAttempts: 1.)
const NO_RETRY = { mode: 'standard', retry: (next, args) => next(args) };

function startEmulator(args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'src', 'main.js'), '--port', '0', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let errText = '';
    const timer = setTimeout(() => reject(new Error(`emulator did not start: ${errText}`)), 15000);
    child.stderr.on('data', (d) => { errText += d; });
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0 && !child.started) {
        child.started = true;
        clearTimeout(timer);
        const m = /^listening (http:\/\/127\.0\.0\.1:(\d+))$/.exec(out.slice(0, nl));
        if (!m) return reject(new Error(`unexpected first line: ${out.slice(0, nl)}`));
        const endpoint = m[1];
        resolve({
          child,
          port: Number(m[2]),
          endpoint,
          stderr: () => errText,
          control: (method, p, body) => control(endpoint, method, p, body),
          config: (extra = {}) => ({
            endpoint, region: 'us-west-2', credentials: CREDS, ...(extra.maxAttempts ? {} : { retryStrategy: NO_RETRY }), ...extra,
          }),
          stop: () => new Promise((res) => {
            if (child.exitCode !== null) return res(child.exitCode);
            child.once('exit', (code, signal) => res(code === null ? signal : code));
            child.kill('SIGTERM');
          }),
        });
      }
    });
    child.once('exit', (code) => {
      if (!child.started) {
        clearTimeout(timer);
        reject(new Error(`emulator exited with ${code}: ${errText}`));
      }
    });
  });
}

// Raw HTTP call; returns { status, headers, body, json }.
function request(endpoint, method, p, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(p, endpoint);
    const data = body === undefined ? null : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = http.request(u, { method, headers: { ...(data ? { 'Content-Length': data.length } : {}), ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = null;
        try { json = JSON.parse(text); } catch (_) { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

async function control(endpoint, method, p, body) {
  const r = await request(endpoint, method, `/_emulator/${p}`, body, body === undefined ? {} : { 'Content-Type': 'application/json' });
  if (r.status !== 200) throw new Error(`control ${method} ${p} -> ${r.status} ${r.body}`);
  return r.json;
}

// The error an SDK call rejects with (fails the test if it resolves).
async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Poll `fn` until `pred(value)` holds; returns the value. Keeps the
// asynchronous-status tests robust on a loaded machine.
async function waitFor(fn, pred, timeoutMs = 10000) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    let v;
    let error;
    try { v = await fn(); } catch (e) { error = e; }
    if (pred(v, error)) return error || v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs}ms (last: ${error ? error.name : JSON.stringify(v)})`);
    await sleep(50);
  }
}

module.exports = { startEmulator, request, rejects, sleep, waitFor, CREDS, ACCOUNT, ROOT };
