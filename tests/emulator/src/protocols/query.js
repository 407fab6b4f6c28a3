'use strict';
// AWS query protocol (IAM, STS): form-encoded Action/Version and flattened
// members (Tags.member.1.Key); XML replies wrapped in <OpResult> and
// ErrorResponse envelopes for errors.

const { ApiError } = require('../errors');
const { toXmlMembers, fromString, xmlEscape } = require('./common');

function formParams(req) {
  const params = new Map();
  const add = (k, v) => { if (!params.has(k)) params.set(k, v); };
  for (const [k, vals] of Object.entries(req.query)) add(k, vals[0]);
  if (req.body.length > 0) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) add(k, v);
  }
  return params;
}

function hasPrefix(params, prefix) {
  for (const k of params.keys()) if (k === prefix || k.startsWith(`${prefix}.`)) return true;
  return false;
}

function readShape(model, shapeName, params, prefix) {
  const s = model.shape(shapeName);
  switch (s.type) {
    case 'structure': {
      if (prefix && !hasPrefix(params, prefix)) return undefined;
      const out = {};
      for (const [name, m] of Object.entries(s.members)) {
        const key = prefix ? `${prefix}.${m.locationName || name}` : (m.locationName || name);
        const v = readShape(model, m.shape, params, key);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'list': {
      if (params.get(prefix) === '') return [];
      if (!hasPrefix(params, prefix)) return undefined;
      const base = s.flattened ? prefix : `${prefix}.${s.member.locationName || 'member'}`;
      const out = [];
      for (let i = 1; hasPrefix(params, `${base}.${i}`); i++) out.push(readShape(model, s.member.shape, params, `${base}.${i}`));
      return out;
    }
    case 'map': {
      if (!hasPrefix(params, prefix)) return undefined;
      const out = {};
      for (let i = 1; hasPrefix(params, `${prefix}.entry.${i}`); i++) {
        out[params.get(`${prefix}.entry.${i}.key`)] = readShape(model, s.value.shape, params, `${prefix}.entry.${i}.value`);
      }
      return out;
    }
    default:
      return params.has(prefix) ? fromString(model, shapeName, params.get(prefix)) : undefined;
  }
}

function parseRequest(model, req) {
  const params = formParams(req);
  const action = params.get('Action');
  if (!action || !model.operations[action]) {
    throw new ApiError('InvalidAction', `Could not find operation ${action} for version ${model.metadata.apiVersion}`, 400);
  }
  const op = model.operations[action];
  const input = op.input ? readShape(model, op.input.shape, params, '') : {};
  return { operation: action, input };
}

function ns(model) {
  return model.metadata.xmlNamespace || `https://${model.metadata.endpointPrefix}.amazonaws.com/doc/${model.metadata.apiVersion}/`;
}

function writeResult(res, model, opName, output, requestId) {
  const op = model.operations[opName];
  let inner = '';
  if (op.output) {
    const wrapper = op.output.resultWrapper || `${opName}Result`;
    inner = `<${wrapper}>${toXmlMembers(model, op.output.shape, output || {})}</${wrapper}>`;
  }
  const body = `<${opName}Response xmlns="${ns(model)}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${opName}Response>`;
  res.writeHead(200, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function errorXml(model, err, requestId) {
  const type = err.status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${ns(model)}"><Error><Type>${type}</Type><Code>${xmlEscape(err.code)}</Code><Message>${xmlEscape(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

function writeError(res, model, err, requestId) {
  const body = errorXml(model, err, requestId);
  res.writeHead(err.status, {
    'Content-Type': 'text/xml',
    'x-amzn-RequestId': requestId,
    'Content-Length': Buffer.byteLength(body),
    ...err.headers,
  });
  res.end(body);
}

function validationError(errors, summary) {
  return new ApiError('ValidationError', summary, 400);
}

const errors = {
  throttle: (retryAfter) => new ApiError('Throttling', 'Rate exceeded', 400, {}, { 'Retry-After': String(retryAfter) }),
  internal: () => new ApiError('ServiceFailure', 'An internal error occurred', 500),
  badSignature: (msg) => new ApiError('SignatureDoesNotMatch', msg, 403),
  unknownKey: () => new ApiError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403),
  expiredToken: () => new ApiError('ExpiredToken', 'The security token included in the request is expired', 403),
  missingAuth: () => new ApiError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403),
  accessDenied: (msg) => new ApiError('AccessDenied', msg, 403),
};

module.exports = { parseRequest, writeResult, writeError, validationError, errors, errorXml };
