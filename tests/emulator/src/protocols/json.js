'use strict';
// awsJson1_1 (ACM, Resource Groups Tagging): POST / with X-Amz-Target "<prefix>.<Operation>" and a
// JSON body; errors are {"__type", "message"} with status 400.

const { ApiError } = require('../errors');
const { toJsonValue } = require('./common');

function parseRequest(model, req) {
  const target = req.headers['x-amz-target'] || '';
  const prefix = `${model.metadata.targetPrefix}.`;
  const opName = target.startsWith(prefix) ? target.slice(prefix.length) : '';
  if (req.method !== 'POST' || !model.operations[opName]) {
    throw new ApiError('UnknownOperationException', `Unknown operation ${target}`, 400);
  }
  let input = {};
  if (req.body.length > 0) {
    try {
      input = JSON.parse(req.body.toString('utf8'));
    } catch (_) {
      throw new ApiError('SerializationException', 'Could not parse request body', 400);
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw new ApiError('SerializationException', 'Request body must be a JSON object', 400);
    }
  }
  return { operation: opName, input };
}

function writeResult(res, model, opName, output, requestId) {
  const op = model.operations[opName];
  const body = JSON.stringify(op.output ? toJsonValue(model, op.output.shape, output || {}, 'unixTimestamp') : {});
  res.writeHead(200, {
    'Content-Type': 'application/x-amz-json-1.1',
    'x-amzn-RequestId': requestId,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

function writeError(res, model, err, requestId) {
  const body = JSON.stringify({ __type: err.code, message: err.message, ...err.fields });
  res.writeHead(err.status, {
    'Content-Type': 'application/x-amz-json-1.1',
    'x-amzn-RequestId': requestId,
    'Content-Length': Buffer.byteLength(body),
    ...err.headers,
  });
  res.end(body);
}

function validationError(errors, summary) {
  return new ApiError('ValidationException', summary, 400);
}

const errors = {
  throttle: (retryAfter) => new ApiError('ThrottlingException', 'Rate exceeded', 400, {}, { 'Retry-After': String(retryAfter) }),
  internal: () => new ApiError('InternalFailure', 'An internal error occurred', 500),
  badSignature: (msg) => new ApiError('InvalidSignatureException', msg, 400),
  unknownKey: () => new ApiError('UnrecognizedClientException', 'The security token included in the request is invalid.', 400),
  expiredToken: () => new ApiError('ExpiredTokenException', 'The security token included in the request is expired', 400),
  missingAuth: () => new ApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400),
  accessDenied: (msg) => new ApiError('AccessDeniedException', msg, 400),
};

module.exports = { parseRequest, writeResult, writeError, validationError, errors };
