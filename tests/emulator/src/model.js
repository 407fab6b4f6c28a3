'use strict';
// Loads a stripped botocore model and answers the questions the protocols ask
// of it: which operation a REST request is, what a shape looks like, and
// whether an input satisfies the model's constraints.

const fs = require('fs');
const path = require('path');

const MODEL_DIR = path.join(__dirname, '..', 'models');

function splitPath(p) {
  return p.split('/').filter((s, i, a) => !(s === '' && (i === 0 || i === a.length - 1)));
}

class Model {
  constructor(file) {
    const json = JSON.parse(fs.readFileSync(path.join(MODEL_DIR, file), 'utf8'));
    this.metadata = json.metadata;
    this.shapes = json.shapes;
    this.operations = json.operations;
    this.protocol = json.metadata.protocol;
    this.regexCache = new Map();
    this.routes = [];
    for (const op of Object.values(this.operations)) {
      if (!op.http || !op.http.requestUri) continue;
      const [p, q] = op.http.requestUri.split('?');
      const segs = splitPath(p).map((s) => {
        const m = /^\{([^}]+?)(\+?)\}$/.exec(s);
        return m ? { label: m[1], greedy: m[2] === '+' } : { lit: s };
      });
      const literals = segs.filter((s) => s.lit !== undefined).length;
      const queryLits = q ? q.split('&').map((kv) => kv.split('=')) : [];
      this.routes.push({ op: op.name, method: op.http.method, segs, literals, queryLits });
    }
    // Most specific first: more literal segments win over labels.
    this.routes.sort((a, b) => b.literals - a.literals || b.queryLits.length - a.queryLits.length);
  }

  shape(name) {
    return this.shapes[name];
  }

  // Returns { op, labels } or null. rawPath is still percent-encoded.
  matchRoute(method, rawPath, query) {
    const parts = splitPath(rawPath);
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const labels = {};
      let ok = true;
      let i = 0;
      for (let s = 0; s < r.segs.length; s++) {
        const seg = r.segs[s];
        if (seg.greedy) {
          if (i >= parts.length) { ok = false; break; }
          labels[seg.label] = parts.slice(i).map(safeDecode).join('/');
          i = parts.length;
          continue;
        }
        if (i >= parts.length) { ok = false; break; }
        const part = parts[i++];
        if (seg.lit !== undefined) {
          if (seg.lit !== part) { ok = false; break; }
        } else {
          if (part === '') { ok = false; break; }
          labels[seg.label] = safeDecode(part);
        }
      }
      if (!ok || i !== parts.length) continue;
      if (!r.queryLits.every(([k, v]) => query[k] !== undefined && (v === undefined || query[k].includes(v)))) continue;
      return { op: r.op, labels };
    }
    return null;
  }

  regex(pattern) {
    if (!this.regexCache.has(pattern)) {
      let re = null;
      for (const flags of ['u', '']) {
        try { re = new RegExp(`^(?:${pattern})$`, flags); break; } catch (_) { /* try next */ }
      }
      this.regexCache.set(pattern, re);
    }
    return this.regexCache.get(pattern);
  }

  // Validate a value against a shape. Returns [{path, message}] with messages
  // worded like AWS's own validation layer.
  validate(shapeName, value) {
    const errors = [];
    this.validateShape(shapeName, value, '', errors, 0);
    return errors;
  }

  validateShape(shapeName, value, where, errors, depth) {
    const s = this.shapes[shapeName];
    if (!s || depth > 30 || value === undefined || value === null) return;
    const fail = (msg) => errors.push({ path: where, message: `Value ${show(value)} at '${where}' failed to satisfy constraint: Member must ${msg}`, member: msg });
    switch (s.type) {
      case 'structure': {
        if (typeof value !== 'object' || Array.isArray(value)) { fail('be a structure'); return; }
        for (const req of s.required || []) {
          const m = s.members[req];
          if (m && m.location === 'header') continue;
          if (value[req] === undefined || value[req] === null) {
            const p = join(where, req);
            errors.push({ path: p, message: `Value null at '${p}' failed to satisfy constraint: Member must not be null` });
          }
        }
        if (s.union) {
          const set = Object.keys(s.members).filter((k) => value[k] !== undefined && value[k] !== null);
          if (set.length !== 1) fail(`have exactly one of [${Object.keys(s.members).join(', ')}] set`);
        }
        for (const [name, m] of Object.entries(s.members)) {
          if (value[name] !== undefined) this.validateShape(m.shape, value[name], join(where, name), errors, depth + 1);
        }
        return;
      }
      case 'list': {
        if (!Array.isArray(value)) { fail('be a list'); return; }
        if (s.min !== undefined && value.length < s.min) fail(`have length greater than or equal to ${s.min}`);
        if (s.max !== undefined && value.length > s.max) fail(`have length less than or equal to ${s.max}`);
        value.forEach((v, i) => this.validateShape(s.member.shape, v, `${where}.${i + 1}.member`, errors, depth + 1));
        return;
      }
      case 'map': {
        if (typeof value !== 'object' || Array.isArray(value)) { fail('be a map'); return; }
        const keys = Object.keys(value);
        if (s.min !== undefined && keys.length < s.min) fail(`have length greater than or equal to ${s.min}`);
        if (s.max !== undefined && keys.length > s.max) fail(`have length less than or equal to ${s.max}`);
        for (const k of keys) {
          this.validateShape(s.key.shape, k, `${where}.${k}.key`, errors, depth + 1);
          this.validateShape(s.value.shape, value[k], `${where}.${k}.value`, errors, depth + 1);
        }
        return;
      }
      case 'string': {
        if (typeof value !== 'string') { fail('be a string'); return; }
        const len = [...value].length;
        if (s.min !== undefined && len < s.min) fail(`have length greater than or equal to ${s.min}`);
        if (s.max !== undefined && len > s.max) fail(`have length less than or equal to ${s.max}`);
        if (s.enum && !s.enum.includes(value)) fail(`satisfy enum value set: [${s.enum.join(', ')}]`);
        if (s.pattern) {
          const re = this.regex(s.pattern);
          if (re && !re.test(value)) fail(`satisfy regular expression pattern: ${s.pattern}`);
        }
        return;
      }
      case 'integer':
      case 'long': {
        if (typeof value !== 'number' || !Number.isInteger(value)) { fail('be an integer'); return; }
        if (s.min !== undefined && value < s.min) fail(`have value greater than or equal to ${s.min}`);
        if (s.max !== undefined && value > s.max) fail(`have value less than or equal to ${s.max}`);
        return;
      }
      case 'boolean':
        if (typeof value !== 'boolean') fail('be a boolean');
        return;
      case 'blob':
        if (s.min !== undefined && value.length < s.min) fail(`have length greater than or equal to ${s.min}`);
        if (s.max !== undefined && value.length > s.max) fail(`have length less than or equal to ${s.max}`);
        return;
      default:
        return;
    }
  }
}

function join(where, name) {
  const n = name.charAt(0).toLowerCase() + name.slice(1);
  return where ? `${where}.${n}` : n;
}

function show(v) {
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v)) return `'[${v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : x)).join(', ')}]'`;
  if (typeof v === 'object') return `'${JSON.stringify(v)}'`;
  return `'${v}'`;
}

function safeDecode(s) {
  try { return decodeURIComponent(s); } catch (_) { return s; }
}

// Coral-style summary of a list of validation errors.
function validationSummary(errors) {
  const n = errors.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${errors.map((e) => e.message).join('; ')}`;
}

const cache = new Map();
function loadModel(file) {
  if (!cache.has(file)) cache.set(file, new Model(file));
  return cache.get(file);
}

module.exports = { loadModel, validationSummary, safeDecode };
