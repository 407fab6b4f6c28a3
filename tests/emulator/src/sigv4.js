'use strict';
// Verifies AWS Signature Version 4 on a received request by recomputing it
// with the official implementation (@smithy/signature-v4) from exactly what
// arrived: the raw path (the signer applies the second percent-encoding that
// non-S3 services use), the decoded query, the headers the client listed in
// SignedHeaders, and the body bytes.

const crypto = require('crypto');
const { SignatureV4 } = require('@smithy/signature-v4');

const MAX_SKEW_MS = 15 * 60 * 1000;

class Sha256 {
  constructor(secret) {
    this.h = secret === undefined ? crypto.createHash('sha256') : crypto.createHmac('sha256', toBuf(secret));
  }
  update(data) {
    this.h.update(toBuf(data));
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}

function toBuf(d) {
  if (typeof d === 'string') return Buffer.from(d, 'utf8');
  return Buffer.from(d.buffer ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : d);
}

// Parse "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/iam/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=abc". Returns null if not SigV4.
function parseAuthorization(value) {
  if (!value) return null;
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(value.trim());
  if (!m) return { malformed: true };
  const parts = {};
  for (const kv of m[1].split(',')) {
    const i = kv.indexOf('=');
    if (i > 0) parts[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
  }
  if (!parts.Credential || !parts.SignedHeaders || !parts.Signature) return { malformed: true };
  const cred = parts.Credential.split('/');
  if (cred.length !== 5 || cred[4] !== 'aws4_request') return { malformed: true };
  return {
    accessKeyId: cred[0],
    date: cred[1],
    region: cred[2],
    service: cred[3],
    signedHeaders: parts.SignedHeaders.split(';'),
    signature: parts.Signature,
  };
}

function parseAmzDate(s) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s || '');
  if (!m) return null;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

// Returns null when the signature is good, else a message for the error.
async function verify(req, auth, credentials, now) {
  const amzDate = req.headers['x-amz-date'];
  const date = parseAmzDate(amzDate);
  if (!date) return 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.';
  if (!auth.signedHeaders.includes('host')) return '\'Host\' must be a \'SignedHeader\' in the AWS Authorization.';
  if (Math.abs(now - date.getTime()) > MAX_SKEW_MS) {
    const iso = (d) => d.toISOString().replace(/[-:]|\.\d+/g, '');
    return `Signature expired: ${amzDate} is now earlier than ${iso(new Date(now - MAX_SKEW_MS))} (${iso(new Date(now))} - 15 min.)`;
  }
  if (auth.date !== amzDate.slice(0, 8)) return `Credential should be scoped to a valid date: ${amzDate.slice(0, 8)}`;

  const headers = {};
  for (const name of auth.signedHeaders) {
    if (req.headers[name] !== undefined) headers[name] = req.headers[name];
  }
  if (headers['x-amz-content-sha256'] !== undefined) {
    const actual = crypto.createHash('sha256').update(req.body).digest('hex');
    if (headers['x-amz-content-sha256'] !== actual && headers['x-amz-content-sha256'] !== 'UNSIGNED-PAYLOAD') {
      return 'The provided \'x-amz-content-sha256\' header does not match what was computed.';
    }
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: auth.signedHeaders.includes('x-amz-security-token') ? req.headers['x-amz-security-token'] : undefined,
    },
    region: auth.region,
    service: auth.service,
    sha256: Sha256,
    applyChecksum: false,
    uriEscapePath: true,
  });
  const signed = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: (req.headers.host || '').split(':')[0],
      path: req.rawPath,
      query: req.query,
      headers,
      body: req.body.length ? req.body : undefined,
    },
    {
      signingDate: date,
      signingRegion: auth.region,
      signingService: auth.service,
      signableHeaders: new Set(auth.signedHeaders),
    },
  );
  const expected = /Signature=([0-9a-f]+)/.exec(signed.headers.authorization)[1];
  const a = Buffer.from(expected);
  const b = Buffer.from(auth.signature);
  if (a.length === b.length && crypto.timingSafeEqual(a, b)) return null;
  return 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
}

module.exports = { parseAuthorization, verify };
