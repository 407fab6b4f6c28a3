'use strict';
// Small helpers shared by the service handlers.

const crypto = require('crypto');
const { ApiError } = require('../errors');

// Error named after a shape of the service's model: wire code and HTTP status
// come from the model's `error` trait.
function modelError(model, shapeName, message, fields = {}, headers = {}) {
  const s = model.shape(shapeName) || {};
  const e = s.error || {};
  return new ApiError(e.code || shapeName, message, e.httpStatusCode || 400, fields, headers);
}

function nowIso(ctx) {
  return new Date(ctx.now).toISOString();
}

// Hash of an input without its idempotency token, for clientToken checks.
function inputHash(input, tokenField) {
  const copy = { ...input };
  delete copy[tokenField];
  return crypto.createHash('sha256').update(JSON.stringify(sortDeep(copy))).digest('hex');
}

function sortDeep(v) {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = sortDeep(v[k]);
    return o;
  }
  return v;
}

// Page through `items` (already in a stable order, each with a numeric _seq).
function paginate(items, maxResults, nextToken, defaultMax, onBadToken) {
  let after = 0;
  if (nextToken !== undefined) {
    try {
      after = JSON.parse(Buffer.from(String(nextToken), 'base64').toString('utf8')).after;
      if (!Number.isInteger(after)) throw new Error('bad');
    } catch (_) {
      throw onBadToken();
    }
  }
  const max = maxResults || defaultMax;
  const rest = items.filter((x) => x._seq > after);
  const page = rest.slice(0, max);
  const token = rest.length > max ? Buffer.from(JSON.stringify({ after: page[page.length - 1]._seq })).toString('base64') : undefined;
  return { page, nextToken: token };
}

module.exports = { modelError, nowIso, inputHash, paginate, sortDeep };
