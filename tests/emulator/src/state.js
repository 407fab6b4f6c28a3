'use strict';
// The emulated world: plain JSON, so it can be dumped, seeded and shared
// between processes through a file. Services keep their records under their
// own key; a record that is still changing carries `_due` (epoch ms) and
// `_then` (what it becomes), applied lazily by tick().

const fs = require('fs');
const crypto = require('crypto');

function emptyWorld() {
  return {
    seq: 0,
    lattice: {
      serviceNetworks: {}, services: {}, listeners: {}, rules: {}, targetGroups: {},
      snvas: {}, snsas: {}, accessLogs: {}, authPolicies: {}, resourcePolicies: {},
    },
    route53: { zones: {}, changes: {} },
    acm: { certificates: {} },
    iam: { roles: {} },
    sts: { sessions: {} },
    idempotency: {},
  };
}

class World {
  constructor(file) {
    this.file = file || null;
    this.data = emptyWorld();
    this.stamp = null;
    if (this.file && fs.existsSync(this.file)) this.load();
  }

  reset() {
    this.data = emptyWorld();
  }

  load() {
    const text = fs.readFileSync(this.file, 'utf8');
    this.data = text.trim() ? { ...emptyWorld(), ...JSON.parse(text) } : emptyWorld();
    this.stamp = this.fileStamp();
  }

  fileStamp() {
    try {
      const st = fs.statSync(this.file);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (_) {
      return null;
    }
  }

  // Another process may have written the file since we last looked.
  maybeReload() {
    if (!this.file) return;
    const s = this.fileStamp();
    if (s !== null && s !== this.stamp) this.load();
  }

  save() {
    if (!this.file) return;
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${stableStringify(this.data)}\n`);
    fs.renameSync(tmp, this.file);
    this.stamp = this.fileStamp();
  }

  nextSeq() {
    this.data.seq += 1;
    return this.data.seq;
  }
}

// JSON with object keys sorted, so dumps are stable.
function stableStringify(v, indent = 1) {
  return JSON.stringify(sortKeys(v), null, indent);
}

function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

function hexId(n = 17) {
  return crypto.randomBytes(Math.ceil(n / 2)).toString('hex').slice(0, n);
}

function randomChars(n, alphabet) {
  const bytes = crypto.randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[bytes[i] % alphabet.length];
  return s;
}

module.exports = { World, emptyWorld, stableStringify, sortKeys, hexId, randomChars };
