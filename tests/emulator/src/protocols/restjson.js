'use strict';
// rest-json (VPC Lattice): operation from method + path template, members
// from the URI labels, query string, headers and a JSON body; errors named
// in X-Amzn-ErrorType with a JSON body.

const { ApiError } = require('../errors');
const { toJsonValue, headerMembers, fromString } = require('./common');

function parseRequest(model, req) {
  const match = model.matchRoute(req.method, req.rawPath, req.query);
  if (!match) {
    throw new ApiError('UnknownOperationException', `Unknown operation ${req.method} ${req.rawPath}`, 404);
  }
  const op = model.operations[match.op];
  const input = {};
  const shape = op.input ? model.shape(op.input.shape) : { members: {} };
  let body = {};
  if (req.body.length > 0) {
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch (e) {
      throw new ApiError('ValidationException', 'Could not parse request body into json', 400, { reason: 'cannotParse' });
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new ApiError('ValidationException', 'Request body must be a JSON object', 400, { reason: 'cannotParse' });
    }
  }
  for (const [name, m] of Object.entries(shape.members || {})) {
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
    } else if (body[m.jsonName || name] !== undefined) {
      input[name] = body[m.jsonName || name];
    }
  }
  return { operation: op.name, input };
}

function writeResult(res, model, opName, output, requestId) {
  const op = model.operations[opName];
  const status = (op.http && op.http.responseCode) || 200;
  const headers = { 'Content-Type': 'application/json', 'x-amzn-RequestId': requestId };
  let body = '{}';
  if (op.output) {
    Object.assign(headers, headerMembers(model, op.output.shape, output));
    body = JSON.stringify(toJsonValue(model, op.output.shape, output || {}, 'unixTimestamp') || {});
  }
  if (status === 204) body = '';
  headers['Content-Length'] = Buffer.byteLength(body);
  res.writeHead(status, headers);
  res.end(body);
}

function writeError(res, model, err, requestId) {
  const body = { message: err.message, ...err.fields };
  const headers = {
    'Content-Type': 'application/json',
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': err.code,
    ...err.headers,
  };
  const text = JSON.stringify(body);
  headers['Content-Length'] = Buffer.byteLength(text);
  res.writeHead(err.status, headers);
  res.end(text);
}

function validationError(errors, summary) {
  return new ApiError('ValidationException', summary, 400, {
    reason: 'fieldValidationFailed',
    fieldList: errors.map((e) => ({ name: e.path, message: e.message })),
  });
}

const errors = {
  throttle: (retryAfter) => new ApiError('ThrottlingException', 'Rate exceeded', 429,
    { serviceCode: 'vpc-lattice', retryAfterSeconds: retryAfter }, { 'Retry-After': String(retryAfter) }),
  internal: () => new ApiError('InternalServerException', 'An internal error occurred', 500, { retryAfterSeconds: 1 }, { 'Retry-After': '1' }),
  badSignature: (msg) => new ApiError('InvalidSignatureException', msg, 403),
  unknownKey: () => new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403),
  expiredToken: () => new ApiError('ExpiredTokenException', 'The security token included in the request is expired', 403),
  missingAuth: () => new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403),
  accessDenied: (msg) => new ApiError('AccessDeniedException', msg, 403),
};

module.exports = { parseRequest, writeResult, writeError, validationError, errors };
