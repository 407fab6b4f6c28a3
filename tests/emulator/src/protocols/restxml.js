'use strict';
// rest-xml (Route 53): operation from method + path template, members from
// URI labels, query string, headers and an XML body whose elements follow
// the model's locationNames; ErrorResponse envelope for errors.

const { XMLParser } = require('fast-xml-parser');
const { ApiError } = require('../errors');
const { toXmlMembers, headerMembers, fromString } = require('./common');
const { errorXml } = require('./query');

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
});

function asArray(v) {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

function fromXml(model, shapeName, node) {
  const s = model.shape(shapeName);
  if (node === undefined) return undefined;
  switch (s.type) {
    case 'structure': {
      if (typeof node !== 'object' || node === null) return {};
      const out = {};
      for (const [name, m] of Object.entries(s.members)) {
        if (m.location) continue;
        const v = node[m.locationName || name];
        if (v === undefined) continue;
        const ms = model.shape(m.shape);
        if (ms.type === 'list' && (ms.flattened || m.flattened)) out[name] = asArray(v).map((x) => fromXml(model, ms.member.shape, x));
        else out[name] = fromXml(model, m.shape, v);
      }
      return out;
    }
    case 'list': {
      const itemTag = s.member.locationName || 'member';
      const items = typeof node === 'object' && node !== null ? asArray(node[itemTag]) : [];
      return items.map((x) => fromXml(model, s.member.shape, x));
    }
    case 'map': {
      const out = {};
      for (const e of typeof node === 'object' && node !== null ? asArray(node.entry) : []) {
        out[e[s.key.locationName || 'key']] = fromXml(model, s.value.shape, e[s.value.locationName || 'value']);
      }
      return out;
    }
    default:
      return fromString(model, shapeName, typeof node === 'object' ? '' : String(node));
  }
}

function parseRequest(model, req) {
  const match = model.matchRoute(req.method, req.rawPath, req.query);
  if (!match) throw new ApiError('InvalidInput', `Unknown operation ${req.method} ${req.rawPath}`, 400);
  const op = model.operations[match.op];
  const shape = op.input ? model.shape(op.input.shape) : { members: {} };
  const input = {};
  let doc = null;
  if (req.body.length > 0 && op.input && op.input.locationName) {
    let parsed;
    try {
      parsed = parser.parse(req.body.toString('utf8'), true);
    } catch (e) {
      throw new ApiError('InvalidInput', `Could not parse request XML: ${e.message}`, 400);
    }
    doc = parsed[op.input.locationName];
    if (doc === undefined) throw new ApiError('InvalidInput', `Expected root element ${op.input.locationName}`, 400);
  }
  for (const [name, m] of Object.entries(shape.members)) {
    const wire = m.locationName || name;
    if (m.location === 'uri') {
      if (match.labels[wire] !== undefined) input[name] = fromString(model, m.shape, match.labels[wire]);
    } else if (m.location === 'querystring') {
      const vals = req.query[wire];
      if (vals === undefined) continue;
      const s = model.shape(m.shape);
      input[name] = s.type === 'list' ? vals.map((v) => fromString(model, s.member.shape, v)) : fromString(model, m.shape, vals[0]);
    } else if (m.location === 'header') {
      if (req.headers[wire.toLowerCase()] !== undefined) input[name] = fromString(model, m.shape, req.headers[wire.toLowerCase()]);
    } else if (doc && typeof doc === 'object' && doc[wire] !== undefined) {
      const ms = model.shape(m.shape);
      input[name] = ms.type === 'list' && ms.flattened ? asArray(doc[wire]).map((x) => fromXml(model, ms.member.shape, x)) : fromXml(model, m.shape, doc[wire]);
    }
  }
  return { operation: op.name, input };
}

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

function writeResult(res, model, opName, output, requestId) {
  const op = model.operations[opName];
  const status = (op.http && op.http.responseCode) || 200;
  const headers = { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId };
  let body = '';
  if (op.output) {
    Object.assign(headers, headerMembers(model, op.output.shape, output));
    const root = op.output.shape;
    body = `<?xml version="1.0"?>\n<${root} xmlns="${NS}">${toXmlMembers(model, op.output.shape, output || {})}</${root}>`;
  }
  headers['Content-Length'] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
}

function writeError(res, model, err, requestId) {
  const body = `<?xml version="1.0"?>\n${errorXml({ metadata: { xmlNamespace: NS } }, err, requestId)}`;
  res.writeHead(err.status, {
    'Content-Type': 'text/xml',
    'x-amzn-RequestId': requestId,
    'Content-Length': Buffer.byteLength(body),
    ...err.headers,
  });
  res.end(body);
}

function validationError(errors, summary) {
  return new ApiError('InvalidInput', summary, 400);
}

const errors = {
  throttle: (retryAfter) => new ApiError('Throttling', 'Rate exceeded', 400, {}, { 'Retry-After': String(retryAfter) }),
  internal: () => new ApiError('InternalFailure', 'An internal error occurred', 500),
  badSignature: (msg) => new ApiError('SignatureDoesNotMatch', msg, 403),
  unknownKey: () => new ApiError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
  expiredToken: () => new ApiError('ExpiredToken', 'The security token included in the request is expired', 403),
  missingAuth: () => new ApiError('MissingAuthenticationToken', 'Missing Authentication Token', 403),
  accessDenied: (msg) => new ApiError('AccessDenied', msg, 403),
};

module.exports = { parseRequest, writeResult, writeError, validationError, errors };
