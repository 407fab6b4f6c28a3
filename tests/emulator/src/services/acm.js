'use strict';
// AWS Certificate Manager: requested certificates (issued after the
// configured delay, without real validation), imported certificates (parsed
// with node's X509 support), the ListCertificates default key-type filter,
// tags, and deletes refused while a Lattice service uses the certificate.

const crypto = require('crypto');
const { modelError, nowIso, paginate } = require('./common');

const DEFAULT_KEY_TYPES = ['RSA_1024', 'RSA_2048'];

function A(ctx) {
  return ctx.world.acm;
}

function err(ctx, shape, message) {
  return modelError(ctx.model, shape, message);
}

function certFor(ctx, arn) {
  const c = A(ctx).certificates[arn];
  if (!c || c.region !== ctx.region) {
    throw err(ctx, 'ResourceNotFoundException', `Could not find certificate ${arn}.`);
  }
  return c;
}

function inUseBy(ctx, c) {
  return Object.values(ctx.world.lattice.services)
    .filter((s) => s.certificateArn === c.CertificateArn)
    .map((s) => s.arn)
    .sort();
}

function tick(world, now) {
  for (const c of Object.values(world.acm.certificates)) {
    if (c._due !== undefined && c._due <= now) {
      c.Status = 'ISSUED';
      c.IssuedAt = new Date(c._due).toISOString();
      for (const d of c.DomainValidationOptions || []) d.ValidationStatus = 'SUCCESS';
      delete c._due;
    }
    if (c.Status === 'ISSUED' && c.NotAfter && Date.parse(c.NotAfter) < now) c.Status = 'EXPIRED';
  }
}

function detailView(ctx, c) {
  return { ...c, InUseBy: inUseBy(ctx, c) };
}

function checkTags(ctx, tags) {
  for (const t of tags || []) {
    if (t.Key.toLowerCase().startsWith('aws:')) throw err(ctx, 'InvalidTagException', `Tag key ${t.Key} uses the reserved prefix aws:`);
  }
}

function newArn(ctx) {
  return `arn:aws:acm:${ctx.region}:${ctx.account}:certificate/${crypto.randomUUID()}`;
}

function validationRecord(domain) {
  const h = crypto.createHash('md5').update(domain).digest('hex');
  const base = domain.replace(/^\*\./, '');
  return { Name: `_${h}.${base}.`, Type: 'CNAME', Value: `_${h.split('').reverse().join('')}.acm-validations.aws.` };
}

function RequestCertificate(ctx, input) {
  checkTags(ctx, input.Tags);
  if (input.IdempotencyToken) {
    const prev = Object.values(A(ctx).certificates).find((c) => c._idempotencyToken === input.IdempotencyToken
      && c.DomainName === input.DomainName && Date.parse(c.CreatedAt) > ctx.now - 3600 * 1000);
    if (prev) return { CertificateArn: prev.CertificateArn };
  }
  const sans = [input.DomainName, ...(input.SubjectAlternativeNames || []).filter((d) => d !== input.DomainName)];
  const method = input.ValidationMethod || 'EMAIL';
  const asyncMs = ctx.config.asyncMs;
  const issued = asyncMs === 0;
  const notBefore = new Date(ctx.now);
  const notAfter = new Date(ctx.now + 395 * 24 * 3600 * 1000);
  const c = {
    CertificateArn: newArn(ctx),
    DomainName: input.DomainName,
    SubjectAlternativeNames: sans,
    DomainValidationOptions: sans.map((d) => ({
      DomainName: d,
      ValidationDomain: d,
      ValidationStatus: issued ? 'SUCCESS' : 'PENDING_VALIDATION',
      ValidationMethod: method,
      ResourceRecord: method === 'DNS' ? validationRecord(d) : undefined,
    })),
    Subject: `CN=${input.DomainName}`,
    Issuer: 'Amazon',
    CreatedAt: nowIso(ctx),
    IssuedAt: issued ? nowIso(ctx) : undefined,
    Status: issued ? 'ISSUED' : 'PENDING_VALIDATION',
    NotBefore: notBefore.toISOString(),
    NotAfter: notAfter.toISOString(),
    KeyAlgorithm: input.KeyAlgorithm || 'RSA_2048',
    SignatureAlgorithm: 'SHA256WITHRSA',
    Type: input.CertificateAuthorityArn ? 'PRIVATE' : 'AMAZON_ISSUED',
    RenewalEligibility: 'INELIGIBLE',
    Options: input.Options || { CertificateTransparencyLoggingPreference: 'ENABLED' },
    KeyUsages: [{ Name: 'DIGITAL_SIGNATURE' }, { Name: 'KEY_ENCIPHERMENT' }],
    ExtendedKeyUsages: [{ Name: 'TLS_WEB_SERVER_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.1' }],
    region: ctx.region,
    ownerAccount: ctx.account,
    tags: (input.Tags || []).map((t) => ({ Key: t.Key, Value: t.Value })),
    _idempotencyToken: input.IdempotencyToken,
    _seq: ctx.emulator.world.nextSeq(),
  };
  if (!issued) c._due = ctx.now + asyncMs;
  A(ctx).certificates[c.CertificateArn] = c;
  ctx.created = c;
  return { CertificateArn: c.CertificateArn };
}

function keyAlgorithm(key) {
  const d = key.asymmetricKeyDetails || {};
  if (key.asymmetricKeyType === 'rsa') return `RSA_${d.modulusLength}`;
  if (key.asymmetricKeyType === 'ec') {
    return { prime256v1: 'EC_prime256v1', secp384r1: 'EC_secp384r1', secp521r1: 'EC_secp521r1' }[d.namedCurve] || 'EC_prime256v1';
  }
  return 'RSA_2048';
}

function blobText(v) {
  // JSON blobs arrive base64-encoded; the content is PEM text.
  const raw = Buffer.from(String(v), 'base64');
  return raw.toString('utf8').includes('-----BEGIN') ? raw : Buffer.from(String(v));
}

function ImportCertificate(ctx, input) {
  checkTags(ctx, input.Tags);
  let x509;
  let key;
  try {
    x509 = new crypto.X509Certificate(blobText(input.Certificate));
  } catch (e) {
    throw err(ctx, 'ValidationException', 'Could not parse the certificate: it must be a PEM-encoded X.509 certificate.');
  }
  try {
    key = crypto.createPrivateKey(blobText(input.PrivateKey));
  } catch (e) {
    throw err(ctx, 'ValidationException', 'Could not parse the private key: it must be a PEM-encoded unencrypted private key.');
  }
  if (!x509.checkPrivateKey(key)) throw err(ctx, 'ValidationException', 'The private key does not match the public key in the certificate.');
  const cn = (/CN=([^\n,]+)/.exec(x509.subject) || [])[1] || '';
  const sans = (x509.subjectAltName || '').split(',').map((s) => s.trim()).filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4));
  const notAfter = new Date(x509.validTo).toISOString();
  let c;
  if (input.CertificateArn) {
    c = certFor(ctx, input.CertificateArn);
    if (input.Tags) throw err(ctx, 'InvalidParameterException', 'Tags are not allowed when re-importing a certificate.');
  } else {
    c = {
      CertificateArn: newArn(ctx),
      CreatedAt: nowIso(ctx),
      Type: 'IMPORTED',
      RenewalEligibility: 'INELIGIBLE',
      region: ctx.region,
      ownerAccount: ctx.account,
      tags: (input.Tags || []).map((t) => ({ Key: t.Key, Value: t.Value })),
      _seq: ctx.emulator.world.nextSeq(),
    };
  }
  Object.assign(c, {
    DomainName: cn || sans[0],
    SubjectAlternativeNames: sans.length ? sans : [cn],
    Serial: x509.serialNumber.toLowerCase().match(/.{1,2}/g).join(':'),
    Subject: x509.subject.replace(/\n/g, ','),
    Issuer: x509.issuer.replace(/\n/g, ','),
    ImportedAt: nowIso(ctx),
    NotBefore: new Date(x509.validFrom).toISOString(),
    NotAfter: notAfter,
    Status: Date.parse(notAfter) < ctx.now ? 'EXPIRED' : 'ISSUED',
    KeyAlgorithm: keyAlgorithm(key),
    _pem: blobText(input.Certificate).toString('utf8'),
  });
  A(ctx).certificates[c.CertificateArn] = c;
  ctx.created = c;
  return { CertificateArn: c.CertificateArn };
}

function DescribeCertificate(ctx, input) {
  return { Certificate: detailView(ctx, certFor(ctx, input.CertificateArn)) };
}

function GetCertificate(ctx, input) {
  const c = certFor(ctx, input.CertificateArn);
  if (c.Status !== 'ISSUED' && c.Status !== 'EXPIRED') throw err(ctx, 'RequestInProgressException', `Certificate ${c.CertificateArn} is not yet issued.`);
  return { Certificate: c._pem || '-----BEGIN CERTIFICATE-----\nZW11bGF0b3I=\n-----END CERTIFICATE-----\n' };
}

function ListCertificates(ctx, input) {
  const inc = input.Includes || {};
  const keyTypes = inc.keyTypes && inc.keyTypes.length ? inc.keyTypes : DEFAULT_KEY_TYPES;
  let certs = Object.values(A(ctx).certificates)
    .filter((c) => c.region === ctx.region && c.ownerAccount === ctx.account)
    .filter((c) => keyTypes.includes(c.KeyAlgorithm))
    .filter((c) => !input.CertificateStatuses || input.CertificateStatuses.length === 0 || input.CertificateStatuses.includes(c.Status))
    .sort((a, b) => a._seq - b._seq);
  if (input.SortOrder === 'DESCENDING') {
    certs = certs.reverse().map((c, i) => ({ ...c, _seq: i + 1 }));
  }
  const { page, nextToken } = paginate(certs, input.MaxItems, input.NextToken, 1000,
    () => err(ctx, 'InvalidArgsException', 'The NextToken is not valid.'));
  return {
    NextToken: nextToken,
    CertificateSummaryList: page.map((c) => ({
      ...c,
      SubjectAlternativeNameSummaries: c.SubjectAlternativeNames,
      HasAdditionalSubjectAlternativeNames: false,
      InUse: inUseBy(ctx, c).length > 0,
    })),
  };
}

function DeleteCertificate(ctx, input) {
  const c = certFor(ctx, input.CertificateArn);
  const users = inUseBy(ctx, c);
  if (users.length) throw err(ctx, 'ResourceInUseException', `Certificate ${c.CertificateArn} is in use by ${users.join(', ')}.`);
  delete A(ctx).certificates[c.CertificateArn];
  return {};
}

function ListTagsForCertificate(ctx, input) {
  return { Tags: certFor(ctx, input.CertificateArn).tags };
}

function AddTagsToCertificate(ctx, input) {
  const c = certFor(ctx, input.CertificateArn);
  checkTags(ctx, input.Tags);
  const tags = [...c.tags];
  for (const t of input.Tags) {
    const i = tags.findIndex((x) => x.Key === t.Key);
    if (i >= 0) tags[i] = { Key: t.Key, Value: t.Value };
    else tags.push({ Key: t.Key, Value: t.Value });
  }
  if (tags.length > 50) throw err(ctx, 'TooManyTagsException', 'A certificate can have at most 50 tags.');
  c.tags = tags;
  return {};
}

function RemoveTagsFromCertificate(ctx, input) {
  const c = certFor(ctx, input.CertificateArn);
  c.tags = c.tags.filter((t) => !input.Tags.some((r) => r.Key === t.Key && (r.Value === undefined || r.Value === t.Value)));
  return {};
}

function reseed(ctx, rec) {
  const certs = A(ctx).certificates;
  const key = Object.keys(certs).find((k) => certs[k] === rec);
  if (key !== undefined && rec.CertificateArn !== key) {
    if (!/^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-z-]+$/.test(rec.CertificateArn) || certs[rec.CertificateArn]) {
      delete certs[key];
      throw new Error(`seeded certificate ARN ${rec.CertificateArn} is not a free certificate ARN`);
    }
    delete certs[key];
    certs[rec.CertificateArn] = rec;
  }
}

module.exports = {
  name: 'acm',
  reseed,
  modelFile: 'acm-2015-12-08.json',
  protocolName: 'json',
  tick,
  seedTypes: { certificate: 'RequestCertificate', importedCertificate: 'ImportCertificate' },
  handlers: {
    RequestCertificate, ImportCertificate, DescribeCertificate, GetCertificate, ListCertificates, DeleteCertificate,
    ListTagsForCertificate, AddTagsToCertificate, RemoveTagsFromCertificate,
  },
};
