'use strict';
// The HTTP front: reads a request, answers /_emulator/ control calls, finds
// the AWS service (SigV4 credential scope, or the shape of an unsigned
// request), checks the signature, applies faults, validates the input
// against the model, runs the handler and records the request.

const http = require('http');
const crypto = require('crypto');
const { ApiError } = require('./errors');
const { loadModel, validationSummary, safeDecode } = require('./model');
const { World, stableStringify } = require('./state');
const { Faults } = require('./faults');
const sigv4 = require('./sigv4');
const services = require('./services');

const PROTOCOLS = {
  'rest-json': require('./protocols/restjson'),
  'rest-xml': require('./protocols/restxml'),
  json: require('./protocols/json'),
  query: require('./protocols/query'),
};

const DEFAULT_ACCOUNT = '123456789012';
const DEFAULT_REGION = 'us-west-2';
const MAX_BODY = 16 * 1024 * 1024;
const DEFAULT_CONFIG = { asyncMs: 200, quotas: {}, defaultRegion: DEFAULT_REGION, maxSessionSeconds: null };

function parseQuery(raw) {
  const q = {};
  if (!raw) return q;
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const i = part.indexOf('=');
    const k = safeDecode(i < 0 ? part : part.slice(0, i));
    const v = i < 0 ? '' : safeDecode(part.slice(i + 1));
    (q[k] = q[k] || []).push(v);
  }
  return q;
}

function isMutating(service, operation) {
  if (!operation || service === 'sts') return false;
  return !/^(Get|List|Describe)/.test(operation);
}

class Emulator {
  constructor(opts = {}) {
    this.opts = opts;
    this.world = new World(opts.stateFile);
    this.faults = new Faults(opts.latencyMs || 0);
    this.config = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
    this.log = [];
    this.logSeq = 0;
    this.credentials = {
      accessKeyId: opts.accessKeyId || 'AKIDEXAMPLE',
      secretAccessKey: opts.secretAccessKey || 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      account: DEFAULT_ACCOUNT,
      arn: `arn:aws:iam::${DEFAULT_ACCOUNT}:user/emulator`,
      userId: 'AIDAEMULATOREXAMPLE01',
    };
    this.services = {};
    for (const svc of services.all) {
      this.services[svc.name] = { ...svc, model: loadModel(svc.modelFile), protocol: PROTOCOLS[svc.protocolName] };
    }
    this.server = http.createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 5000;
  }

  listen(port = 0) {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve(this.server.address().port));
    });
  }

  close() {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      if (this.server.closeAllConnections) this.server.closeAllConnections();
    });
  }

  onRequest(req, res) {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      const url = req.url || '/';
      const qi = url.indexOf('?');
      const headers = {};
      const distinct = req.headersDistinct || {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = distinct[k] ? distinct[k].join(',') : String(v);
      const r = {
        method: req.method,
        rawPath: qi < 0 ? url : url.slice(0, qi),
        rawQuery: qi < 0 ? '' : url.slice(qi + 1),
        headers,
        body: Buffer.concat(chunks),
        socket: req.socket,
      };
      r.query = parseQuery(r.rawQuery);
      const done = r.rawPath.startsWith('/_emulator/') ? this.control(r, res) : this.api(r, res);
      done.catch((e) => {
        process.stderr.write(`emulator: internal error: ${e.stack}\n`);
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'text/plain' });
          res.end(String(e.message));
        }
      });
    });
  }

  // ----- control endpoints -------------------------------------------------

  async control(r, res) {
    const send = (status, obj) => {
      const body = typeof obj === 'string' ? obj : `${stableStringify(obj)}\n`;
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    let body = {};
    if (r.body.length) {
      try {
        body = JSON.parse(r.body.toString('utf8'));
      } catch (e) {
        return send(400, { error: `invalid JSON: ${e.message}` });
      }
    }
    const route = `${r.method} ${r.rawPath.replace(/\/+$/, '')}`;
    this.world.maybeReload();
    switch (route) {
      case 'GET /_emulator/health':
        return send(200, { ok: true });
      case 'POST /_emulator/reset':
        this.world.reset();
        this.world.save();
        this.faults.set({});
        this.config = JSON.parse(JSON.stringify(DEFAULT_CONFIG));
        this.log = [];
        this.logSeq = 0;
        return send(200, { ok: true });
      case 'POST /_emulator/faults':
        try {
          this.faults.set(body);
        } catch (e) {
          return send(400, { error: e.message });
        }
        return send(200, { faults: this.faults.describe() });
      case 'GET /_emulator/faults':
        return send(200, { faults: this.faults.describe() });
      case 'GET /_emulator/requests':
        return send(200, { requests: this.log });
      case 'DELETE /_emulator/requests':
        this.log = [];
        return send(200, { ok: true });
      case 'GET /_emulator/state':
        this.tick();
        return send(200, this.world.data);
      case 'GET /_emulator/config':
        return send(200, this.config);
      case 'POST /_emulator/config': {
        const known = new Set(Object.keys(DEFAULT_CONFIG));
        for (const k of Object.keys(body)) if (!known.has(k)) return send(400, { error: `unknown config setting ${k}` });
        if (body.asyncMs !== undefined && !(Number.isInteger(body.asyncMs) && body.asyncMs >= 0)) return send(400, { error: 'asyncMs must be an integer >= 0' });
        Object.assign(this.config, body);
        return send(200, this.config);
      }
      case 'POST /_emulator/seed': {
        const list = Array.isArray(body) ? body : Array.isArray(body.resources) ? body.resources : [body];
        const created = [];
        try {
          for (const spec of list) created.push(await this.seedOne(spec));
        } catch (e) {
          this.world.save();
          return send(400, { error: e.message, code: e.code, created });
        }
        this.world.save();
        return send(200, { created });
      }
      default:
        return send(404, { error: `no control endpoint ${route}` });
    }
  }

  async seedOne(spec) {
    if (!spec || typeof spec !== 'object' || !spec.type) throw new Error('each seeded resource needs a "type"');
    const entry = services.seedTypes[spec.type];
    if (!entry) throw new Error(`unknown seed type ${spec.type}; known: ${Object.keys(services.seedTypes).join(', ')}`);
    const svc = this.services[entry.service];
    const op = svc.model.operations[entry.operation];
    const members = op.input ? svc.model.shape(op.input.shape).members : {};
    const input = {};
    const set = {};
    for (const [k, v] of Object.entries(spec)) {
      if (['type', 'ownerAccount', 'region'].includes(k)) continue;
      if (members[k] !== undefined) input[k] = v;
      else set[k] = v;
    }
    const account = spec.ownerAccount || DEFAULT_ACCOUNT;
    const ctx = this.context(svc, entry.operation, {
      account,
      arn: `arn:aws:iam::${account}:root`,
      region: spec.region || (svc.global ? 'us-east-1' : this.config.defaultRegion),
    });
    ctx.seeding = true;
    ctx.config = { ...this.config, asyncMs: 0 };
    this.tick();
    const out = await svc.handlers[entry.operation](ctx, input);
    const rec = ctx.created;
    if (rec) {
      for (const [k, v] of Object.entries(set)) rec[k] = v;
      if (spec.ownerAccount) rec.ownerAccount = spec.ownerAccount;
      // A seeded id (a zone's id, a certificate's ARN) replaces the
      // generated one, so fixtures can name it.
      if (svc.reseed) svc.reseed(ctx, rec);
    }
    const view = rec || out || {};
    return { type: spec.type, id: view.id || view.Id || view.RoleId || view.CertificateArn || null, arn: view.arn || view.Arn || view.CertificateArn || null, output: out };
  }

  // ----- API requests ------------------------------------------------------

  context(svc, operation, identity) {
    return {
      world: this.world.data,
      emulator: this,
      service: svc.name,
      operation,
      model: svc.model,
      account: identity.account,
      callerArn: identity.arn,
      userId: identity.userId,
      region: identity.region,
      now: Date.now(),
      config: this.config,
      requestId: crypto.randomUUID(),
      errors: svc.protocol.errors,
      created: null,
      dirty: false,
    };
  }

  tick() {
    const now = Date.now();
    for (const svc of Object.values(this.services)) if (svc.tick) svc.tick(this.world.data, now);
  }

  detectService(r, auth) {
    if (auth && !auth.malformed && this.services[auth.service]) return auth.service;
    if (auth && !auth.malformed) return null;
    if ((r.headers['x-amz-target'] || '').startsWith('CertificateManager.')) return 'acm';
    if ((r.headers['x-amz-target'] || '').startsWith('ResourceGroupsTaggingAPI_20170126.')) return 'tagging';
    if (r.rawPath.startsWith('/2013-04-01/')) return 'route53';
    if (r.rawPath === '/' || r.rawPath === '') {
      const params = new URLSearchParams(r.body.toString('utf8') + (r.rawQuery ? `&${r.rawQuery}` : ''));
      const version = params.get('Version');
      const action = params.get('Action') || '';
      if (version === '2010-05-08') return 'iam';
      if (version === '2011-06-15' || /^(AssumeRole|GetCallerIdentity|GetSessionToken)/.test(action)) return 'sts';
      if (action) return 'iam';
    }
    return 'vpc-lattice';
  }

  record(entry) {
    this.logSeq += 1;
    this.log.push({ seq: this.logSeq, ...entry });
  }

  async api(r, res) {
    this.world.maybeReload();
    this.tick();
    const auth = sigv4.parseAuthorization(r.headers.authorization);
    const serviceName = this.detectService(r, auth);
    const entry = {
      service: serviceName || (auth && auth.service) || 'unknown',
      operation: null,
      method: r.method,
      path: r.rawPath,
      status: 0,
      errorCode: null,
      mutating: false,
      // Whether the request carried a SigV4 Authorization header at all, so
      // a client's unsigned calls (AssumeRoleWithWebIdentity) can be told
      // from signed ones; a bad signature still shows in status/errorCode.
      signed: Boolean(auth),
      time: new Date().toISOString(),
    };
    if (!serviceName) {
      const body = JSON.stringify({ message: `Unknown service in credential scope: ${auth.service}` });
      res.writeHead(400, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'UnknownServiceException' });
      res.end(body);
      this.record({ ...entry, status: 400, errorCode: 'UnknownServiceException' });
      return;
    }
    const svc = this.services[serviceName];
    const requestId = crypto.randomUUID();
    let ctx = null;
    try {
      const parsed = svc.protocol.parseRequest(svc.model, r);
      entry.operation = parsed.operation;
      entry.mutating = isMutating(serviceName, parsed.operation);
      const identity = await this.authenticate(r, auth, svc, parsed.operation);
      ctx = this.context(svc, parsed.operation, identity);

      const fault = this.faults.decide(parsed.operation);
      const delay = this.faults.latency();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      if (fault === 'dropConnection') {
        r.socket.destroy();
        this.record({ ...entry, status: 0, errorCode: 'ConnectionDropped' });
        return;
      }
      if (fault === 'throttle') throw svc.protocol.errors.throttle(this.faults.cfg.retryAfterSeconds);
      if (fault === 'error5xx') throw svc.protocol.errors.internal();

      const op = svc.model.operations[parsed.operation];
      if (op.input) {
        const errs = svc.model.validate(op.input.shape, parsed.input);
        if (errs.length) throw svc.protocol.validationError(errs, validationSummary(errs));
      }
      const handler = svc.handlers[parsed.operation];
      if (!handler) throw new ApiError('NotImplemented', `The emulator does not implement ${serviceName} ${parsed.operation}`, 501);
      const output = await handler(ctx, parsed.input);
      // Persist before answering: a client that got the reply may go
      // straight to another process sharing the state file.
      if (entry.mutating || ctx.dirty) this.world.save();
      svc.protocol.writeResult(res, svc.model, parsed.operation, output, requestId);
      entry.status = res.statusCode;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (ctx && ctx.dirty) this.world.save();
      svc.protocol.writeError(res, svc.model, e, requestId);
      entry.status = e.status;
      entry.errorCode = e.code;
    } finally {
      if (entry.status !== 0) this.record(entry);
    }
  }

  // Returns the caller's identity or throws the protocol's auth error.
  async authenticate(r, auth, svc, operation) {
    const op = svc.model.operations[operation];
    const noAuth = op.authtype === 'none' || (Array.isArray(op.auth) && op.auth.includes('smithy.api#noAuth'));
    const region = auth && !auth.malformed ? auth.region : (svc.global ? 'us-east-1' : this.config.defaultRegion);
    // Operations modelled without auth (AssumeRoleWithWebIdentity) are
    // accepted signed or not, as AWS does.
    if (noAuth) return { account: DEFAULT_ACCOUNT, arn: null, region };
    if (!auth) throw svc.protocol.errors.missingAuth();
    if (auth.malformed) throw svc.protocol.errors.badSignature('Authorization header is malformed.');
    let creds = null;
    let identity = null;
    if (auth.accessKeyId === this.credentials.accessKeyId) {
      creds = this.credentials;
      identity = { account: creds.account, arn: creds.arn, userId: creds.userId };
    } else {
      const sess = this.world.data.sts.sessions[auth.accessKeyId];
      if (!sess) throw svc.protocol.errors.unknownKey();
      if (r.headers['x-amz-security-token'] !== sess.sessionToken) throw svc.protocol.errors.unknownKey();
      if (Date.parse(sess.expiration) <= Date.now()) throw svc.protocol.errors.expiredToken();
      creds = { accessKeyId: auth.accessKeyId, secretAccessKey: sess.secretAccessKey };
      identity = { account: sess.account, arn: sess.arn, userId: sess.userId };
    }
    // Global services (IAM, Route 53) are signed for us-east-1 only.
    if (svc.global && auth.region !== 'us-east-1') {
      throw svc.protocol.errors.badSignature(`Credential should be scoped to a valid region, not '${auth.region}'. `);
    }
    const problem = await sigv4.verify(r, auth, creds, Date.now());
    if (problem) throw svc.protocol.errors.badSignature(problem);
    return { ...identity, region: auth.region };
  }
}

module.exports = { Emulator, DEFAULT_ACCOUNT };
