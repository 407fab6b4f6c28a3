'use strict';
// A Kubernetes API server for one simulated cluster: the EndpointSlice list
// of discovery.k8s.io/v1 (labelSelector kubernetes.io/service-name, limit,
// continue), HTTPS with a certificate the test makes, bearer-token auth.
// Control endpoints under /_kube/ let tests scale Services and flip
// endpoint conditions between runs. No code is shared with the C client.
//
//   node src/kube.js --cert FILE --key FILE --token T [--port N] [--cluster NAME]

const https = require('https');
const fs = require('fs');

function usage(msg) {
  process.stderr.write(`${msg}\nusage: kube.js --cert FILE --key FILE --token T [--port N] [--cluster NAME]\n`);
  process.exit(64);
}

function parseArgs(argv) {
  const o = { port: 0, cluster: 'cluster' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--cert': o.cert = val(); break;
      case '--key': o.key = val(); break;
      case '--token': o.token = val(); break;
      case '--port': o.port = Number(val()); break;
      case '--cluster': o.cluster = val(); break;
      default: usage(`unknown argument ${a}`);
    }
  }
  if (!o.cert || !o.key || !o.token) usage('--cert, --key and --token are required');
  return o;
}

class KubeApi {
  constructor(opts) {
    this.opts = opts;
    this.token = opts.token;
    this.slices = new Map(); // "ns/name" -> EndpointSlice
    this.requests = [];
    this.maxPerSlice = 100;
    this.forbid = false;     // answer 403 to every list
    this.rv = 1;
    this.sliceSeq = 0;
  }

  status(res, code, reason, message) {
    this.send(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  }

  send(res, code, obj) {
    const body = JSON.stringify(obj);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  // Slices of a Service in name order (the API server lists by key).
  serviceSlices(ns, svc) {
    return [...this.slices.values()]
      .filter((s) => s.metadata.namespace === ns && s.metadata.labels['kubernetes.io/service-name'] === svc)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  list(req, res, ns, query) {
    const auth = req.headers.authorization || '';
    const ok = auth === `Bearer ${this.token}`;
    this.requests.push({ method: req.method, path: req.url.split('?')[0], query: Object.fromEntries(query), authorized: ok });
    if (!ok) return this.status(res, 401, 'Unauthorized', 'Unauthorized');
    if (this.forbid) {
      return this.status(res, 403, 'Forbidden', `endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:trellis:trellis" cannot list resource "endpointslices" in API group "discovery.k8s.io" in the namespace "${ns}"`);
    }
    const selector = query.get('labelSelector') || '';
    const m = /^kubernetes\.io\/service-name=([a-z0-9.-]+)$/.exec(selector);
    if (!m) return this.status(res, 400, 'BadRequest', `unable to parse requirement: ${selector}`);
    const all = this.serviceSlices(ns, m[1]);
    let start = 0;
    const cont = query.get('continue');
    if (cont) {
      let tok;
      try {
        tok = JSON.parse(Buffer.from(cont, 'base64').toString('utf8'));
      } catch (_) {
        return this.status(res, 400, 'BadRequest', 'continue key is not valid');
      }
      if (tok.rv !== this.rv) return this.status(res, 410, 'Expired', 'The provided continue parameter is too old');
      start = tok.offset;
    }
    const limit = query.has('limit') ? Number(query.get('limit')) : 0;
    const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
    const next = limit > 0 && start + limit < all.length
      ? Buffer.from(JSON.stringify({ rv: this.rv, offset: start + limit })).toString('base64') : undefined;
    const metadata = { resourceVersion: String(this.rv) };
    if (next) metadata.continue = next;
    return this.send(res, 200, { kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', metadata, items: page });
  }

  changed() {
    this.rv++;
  }

  // POST /_kube/endpoints {namespace, service, addresses|ip, ports, ready,
  // terminating, addressType}: one endpoint added to the Service's last
  // slice of that family with room, or a new slice.
  addEndpoint(b) {
    const family = b.addressType || (String(b.ip || b.addresses[0]).includes(':') ? 'IPv6' : 'IPv4');
    const ports = b.ports || [{ name: '', port: 8080, protocol: 'TCP' }];
    let slice = this.serviceSlices(b.namespace, b.service)
      .filter((s) => s.addressType === family && s.endpoints.length < this.maxPerSlice
        && JSON.stringify(s.ports) === JSON.stringify(ports)).pop();
    if (!slice) {
      const name = `${b.service}-${String(++this.sliceSeq).padStart(5, '0')}`;
      slice = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name, namespace: b.namespace, labels: { 'kubernetes.io/service-name': b.service } },
        addressType: family,
        ports,
        endpoints: [],
      };
      this.slices.set(`${b.namespace}/${name}`, slice);
    }
    const conditions = { ready: b.ready !== false, serving: b.ready !== false, terminating: b.terminating === true };
    slice.endpoints.push({ addresses: b.addresses || [b.ip], conditions });
    this.changed();
    return slice.metadata.name;
  }

  findEndpoint(b) {
    for (const s of this.serviceSlices(b.namespace, b.service)) {
      const e = s.endpoints.find((x) => x.addresses.includes(b.ip));
      if (e) return { slice: s, endpoint: e };
    }
    return null;
  }

  control(req, res, path, body) {
    const b = body ? JSON.parse(body) : {};
    if (req.method === 'POST' && path === '/_kube/reset') {
      this.slices.clear();
      this.requests = [];
      this.forbid = false;
      this.changed();
      return this.send(res, 200, {});
    }
    if (req.method === 'POST' && path === '/_kube/config') {
      if (b.token !== undefined) this.token = b.token;
      if (b.maxPerSlice !== undefined) this.maxPerSlice = b.maxPerSlice;
      if (b.forbid !== undefined) this.forbid = !!b.forbid;
      return this.send(res, 200, {});
    }
    if (req.method === 'POST' && path === '/_kube/endpoints') {
      return this.send(res, 200, { slice: this.addEndpoint(b) });
    }
    if (req.method === 'PATCH' && path === '/_kube/endpoints') {
      const f = this.findEndpoint(b);
      if (!f) return this.status(res, 404, 'NotFound', `no endpoint ${b.ip}`);
      if (b.ready !== undefined) {
        f.endpoint.conditions.ready = !!b.ready;
        f.endpoint.conditions.serving = !!b.ready;
      }
      if (b.terminating !== undefined) f.endpoint.conditions.terminating = !!b.terminating;
      this.changed();
      return this.send(res, 200, f.endpoint);
    }
    if (req.method === 'DELETE' && path === '/_kube/endpoints') {
      const f = this.findEndpoint(b);
      if (!f) return this.status(res, 404, 'NotFound', `no endpoint ${b.ip}`);
      f.slice.endpoints = f.slice.endpoints.filter((e) => e !== f.endpoint);
      if (f.slice.endpoints.length === 0) this.slices.delete(`${f.slice.metadata.namespace}/${f.slice.metadata.name}`);
      this.changed();
      return this.send(res, 200, {});
    }
    if (req.method === 'POST' && path === '/_kube/slices') {
      // A whole EndpointSlice, for shapes the helpers do not make.
      this.slices.set(`${b.metadata.namespace}/${b.metadata.name}`, b);
      this.changed();
      return this.send(res, 200, {});
    }
    if (req.method === 'GET' && path === '/_kube/slices') {
      return this.send(res, 200, { items: [...this.slices.values()] });
    }
    if (req.method === 'GET' && path === '/_kube/requests') {
      return this.send(res, 200, { requests: this.requests });
    }
    if (req.method === 'DELETE' && path === '/_kube/requests') {
      this.requests = [];
      return this.send(res, 200, {});
    }
    return this.status(res, 404, 'NotFound', `no control endpoint ${req.method} ${path}`);
  }

  handle(req, res, body) {
    const url = new URL(req.url, 'https://localhost');
    const path = url.pathname;
    try {
      if (path.startsWith('/_kube/')) return this.control(req, res, path, body);
      const m = /^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/([a-z0-9-]+)\/endpointslices$/.exec(path);
      if (req.method === 'GET' && m) return this.list(req, res, m[1], url.searchParams);
      this.requests.push({ method: req.method, path, query: Object.fromEntries(url.searchParams), authorized: false });
      return this.status(res, 404, 'NotFound', `the server could not find the requested resource (${req.method} ${path})`);
    } catch (e) {
      return this.status(res, 400, 'BadRequest', String(e.message || e));
    }
  }
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const api = new KubeApi(opts);
  const server = https.createServer({ cert: fs.readFileSync(opts.cert), key: fs.readFileSync(opts.key) }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => api.handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  server.listen(opts.port, '127.0.0.1', () => {
    process.stdout.write(`listening https://127.0.0.1:${server.address().port}\n`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (require.main === module) main();

module.exports = { KubeApi };
