'use strict';
// Helpers shared by the four wire protocols: timestamps, XML text, and the
// walk that turns a handler's plain object into the model's output shape
// (members the model does not know are dropped, so handlers may return
// whole state records).

function toDate(v) {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  return new Date(String(v));
}

function formatTimestamp(v, format) {
  const d = toDate(v);
  if (format === 'unixTimestamp') return Math.round(d.getTime()) / 1000;
  if (format === 'rfc822') return d.toUTCString();
  return d.toISOString();
}

// Only element text is ever escaped (no attributes besides constant
// xmlns), so quotes stay as they are, like AWS's own replies.
function xmlEscape(s) {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

// JSON value for `value` under shape `shapeName`; `tsDefault` is the
// protocol's default timestamp format.
function toJsonValue(model, shapeName, value, tsDefault) {
  const s = model.shape(shapeName);
  if (value === undefined || value === null || !s) return undefined;
  switch (s.type) {
    case 'structure': {
      const out = {};
      for (const [name, m] of Object.entries(s.members)) {
        if (m.location) continue;
        const v = toJsonValue(model, m.shape, value[name], tsDefault);
        if (v !== undefined) out[m.jsonName || name] = v;
      }
      return out;
    }
    case 'list':
      return Array.isArray(value) ? value.map((v) => toJsonValue(model, s.member.shape, v, tsDefault)) : undefined;
    case 'map': {
      const out = {};
      for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(model, s.value.shape, v, tsDefault);
      return out;
    }
    case 'timestamp':
      return formatTimestamp(value, s.timestampFormat || tsDefault);
    case 'blob':
      return Buffer.isBuffer(value) ? value.toString('base64') : Buffer.from(String(value)).toString('base64');
    default:
      return value;
  }
}

// XML text for the members of a structure (without the enclosing element).
// listStyle 'query' wraps list items in <member>; rest-xml uses the member's
// locationName.
function toXmlMembers(model, shapeName, value) {
  const s = model.shape(shapeName);
  let out = '';
  for (const [name, m] of Object.entries(s.members)) {
    if (m.location) continue;
    const v = value[name];
    if (v === undefined || v === null) continue;
    out += toXmlElement(model, m.shape, v, m.locationName || name, m.flattened);
  }
  return out;
}

function toXmlElement(model, shapeName, value, tag, flattenedMember) {
  const s = model.shape(shapeName);
  switch (s.type) {
    case 'structure':
      return `<${tag}>${toXmlMembers(model, shapeName, value)}</${tag}>`;
    case 'list': {
      if (!Array.isArray(value)) return '';
      const itemTag = (s.member.locationName) || 'member';
      if (s.flattened || flattenedMember) {
        return value.map((v) => toXmlElement(model, s.member.shape, v, tag)).join('');
      }
      return `<${tag}>${value.map((v) => toXmlElement(model, s.member.shape, v, itemTag)).join('')}</${tag}>`;
    }
    case 'map': {
      const kt = s.key.locationName || 'key';
      const vt = s.value.locationName || 'value';
      const entries = Object.entries(value)
        .map(([k, v]) => `<entry><${kt}>${xmlEscape(k)}</${kt}>${toXmlElement(model, s.value.shape, v, vt)}</entry>`)
        .join('');
      return `<${tag}>${entries}</${tag}>`;
    }
    case 'timestamp':
      return `<${tag}>${xmlEscape(formatTimestamp(value, s.timestampFormat || 'iso8601'))}</${tag}>`;
    case 'blob':
      return `<${tag}>${Buffer.from(value).toString('base64')}</${tag}>`;
    default:
      return `<${tag}>${xmlEscape(value)}</${tag}>`;
  }
}

function headerMembers(model, shapeName, value) {
  const s = model.shape(shapeName);
  const headers = {};
  if (!s || !value) return headers;
  for (const [name, m] of Object.entries(s.members)) {
    if (m.location === 'header' && value[name] !== undefined && value[name] !== null) {
      headers[m.locationName || name] = String(value[name]);
    }
  }
  return headers;
}

// Scalar from a string (query string, header, form field, XML text).
function fromString(model, shapeName, text) {
  const s = model.shape(shapeName);
  if (!s) return text;
  switch (s.type) {
    case 'integer':
    case 'long': {
      const n = Number(text);
      return /^-?\d+$/.test(String(text).trim()) ? n : text;
    }
    case 'float':
    case 'double':
      return Number(text);
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'timestamp':
      return new Date(/^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : text);
    default:
      return text;
  }
}

module.exports = { toJsonValue, toXmlMembers, toXmlElement, headerMembers, fromString, xmlEscape, formatTimestamp };
