'use strict';
// ACM interop (json 1.1) with the official SDK v3 client.

const test = require('node:test');
const assert = require('node:assert/strict');
const A = require('@aws-sdk/client-acm');
const L = require('@aws-sdk/client-vpc-lattice');
const fs = require('fs');
const path = require('path');
const { startEmulator, rejects, waitFor, ACCOUNT } = require('./helpers');

const CERTS = path.join(__dirname, 'data', 'certs');

let emu;
let client;
test.before(async () => {
  emu = await startEmulator();
  client = new A.ACMClient(emu.config());
});
test.after(async () => emu && emu.stop());
test.beforeEach(async () => {
  await emu.control('POST', 'reset');
  await emu.control('POST', 'config', { asyncMs: 0 });
});
const send = (c) => client.send(c);

test('RequestCertificate, DescribeCertificate with SANs, PENDING_VALIDATION then ISSUED', async () => {
  await emu.control('POST', 'config', { asyncMs: 1500 });
  const { CertificateArn: arn } = await send(new A.RequestCertificateCommand({
    DomainName: 'api.example.com', SubjectAlternativeNames: ['*.api.example.com'], ValidationMethod: 'DNS',
    Tags: [{ Key: 'owner', Value: 'trellis' }], IdempotencyToken: 'tok1',
  }));
  assert.match(arn, new RegExp(`^arn:aws:acm:us-west-2:${ACCOUNT}:certificate/[0-9a-f-]{36}$`));
  const again = await send(new A.RequestCertificateCommand({ DomainName: 'api.example.com', IdempotencyToken: 'tok1' }));
  assert.equal(again.CertificateArn, arn);
  let d = (await send(new A.DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
  assert.equal(d.Status, 'PENDING_VALIDATION');
  assert.deepEqual(d.SubjectAlternativeNames, ['api.example.com', '*.api.example.com']);
  assert.equal(d.DomainValidationOptions[0].ResourceRecord.Type, 'CNAME');
  assert.ok(d.NotAfter instanceof Date);
  d = (await waitFor(() => send(new A.DescribeCertificateCommand({ CertificateArn: arn })), (r) => r && r.Certificate.Status === 'ISSUED')).Certificate;
  assert.equal(d.DomainValidationOptions[0].ValidationStatus, 'SUCCESS');
  assert.equal(d.Type, 'AMAZON_ISSUED');
  assert.deepEqual(d.InUseBy, []);
  assert.deepEqual((await send(new A.ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags, [{ Key: 'owner', Value: 'trellis' }]);
});

test('ListCertificates: default key types, status filter, pagination', async () => {
  const arns = [];
  for (let i = 0; i < 5; i++) arns.push((await send(new A.RequestCertificateCommand({ DomainName: `s${i}.example.com` }))).CertificateArn);
  const ec = (await send(new A.RequestCertificateCommand({ DomainName: 'ec.example.com', KeyAlgorithm: 'EC_prime256v1' }))).CertificateArn;
  await emu.control('POST', 'seed', {
    type: 'certificate', DomainName: 'old.example.com', Status: 'EXPIRED', NotAfter: '2020-01-01T00:00:00.000Z',
  });
  const all = await send(new A.ListCertificatesCommand({}));
  assert.equal(all.CertificateSummaryList.length, 6);
  assert.ok(!all.CertificateSummaryList.some((c) => c.CertificateArn === ec));
  const withEc = await send(new A.ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1'] } }));
  assert.deepEqual(withEc.CertificateSummaryList.map((c) => c.CertificateArn), [ec]);
  const expired = await send(new A.ListCertificatesCommand({ CertificateStatuses: ['EXPIRED'] }));
  assert.equal(expired.CertificateSummaryList.length, 1);
  assert.equal(expired.CertificateSummaryList[0].DomainName, 'old.example.com');
  assert.equal(expired.CertificateSummaryList[0].NotAfter.toISOString(), '2020-01-01T00:00:00.000Z');
  const seen = [];
  for await (const p of A.paginateListCertificates({ client, pageSize: 2 }, { CertificateStatuses: ['ISSUED'] })) {
    assert.ok(p.CertificateSummaryList.length <= 2);
    seen.push(...p.CertificateSummaryList.map((c) => c.CertificateArn));
  }
  assert.deepEqual(seen, arns);
  const badMax = await rejects(send(new A.ListCertificatesCommand({ MaxItems: 0 })));
  assert.equal(badMax.name, 'ValidationException');
});

test('tags, not found, delete refused while a Lattice service uses it', async () => {
  const { CertificateArn: arn } = await send(new A.RequestCertificateCommand({ DomainName: 'shop.example.com' }));
  await send(new A.AddTagsToCertificateCommand({ CertificateArn: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
  await send(new A.RemoveTagsFromCertificateCommand({ CertificateArn: arn, Tags: [{ Key: 'a' }] }));
  assert.deepEqual((await send(new A.ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags, [{ Key: 'b', Value: '2' }]);
  const reserved = await rejects(send(new A.AddTagsToCertificateCommand({ CertificateArn: arn, Tags: [{ Key: 'aws:x', Value: '1' }] })));
  assert.equal(reserved.name, 'InvalidTagException');

  const lattice = new L.VPCLatticeClient(emu.config());
  const svc = await lattice.send(new L.CreateServiceCommand({ name: 'shop', customDomainName: 'shop.example.com', certificateArn: arn }));
  const d = (await send(new A.DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
  assert.deepEqual(d.InUseBy, [svc.arn]);
  const inUse = await rejects(send(new A.DeleteCertificateCommand({ CertificateArn: arn })));
  assert.equal(inUse.name, 'ResourceInUseException');
  await lattice.send(new L.DeleteServiceCommand({ serviceIdentifier: svc.id }));
  await send(new A.DeleteCertificateCommand({ CertificateArn: arn }));
  const gone = await rejects(send(new A.DescribeCertificateCommand({ CertificateArn: arn })));
  assert.equal(gone.name, 'ResourceNotFoundException');
  assert.equal(gone.$metadata.httpStatusCode, 400);
  const badArn = await rejects(send(new A.DescribeCertificateCommand({ CertificateArn: 'nope' })));
  assert.equal(badArn.name, 'ValidationException');
});

test('ImportCertificate parses the PEM; GetCertificate returns it', async () => {
  const pem = fs.readFileSync(path.join(CERTS, 'import.example.com.crt'));
  const key = fs.readFileSync(path.join(CERTS, 'import.example.com.key'));
  const { CertificateArn: arn } = await send(new A.ImportCertificateCommand({ Certificate: pem, PrivateKey: key, Tags: [{ Key: 'owner', Value: 'trellis' }] }));
  const d = (await send(new A.DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
  assert.equal(d.Type, 'IMPORTED');
  assert.equal(d.Status, 'ISSUED');
  assert.equal(d.DomainName, 'import.example.com');
  assert.deepEqual(d.SubjectAlternativeNames, ['import.example.com', '*.import.example.com']);
  assert.equal(d.KeyAlgorithm, 'RSA_2048');
  assert.ok(d.NotAfter.getUTCFullYear() > 2100);
  const got = await send(new A.GetCertificateCommand({ CertificateArn: arn }));
  assert.equal(got.Certificate.trim(), pem.toString('utf8').trim());
  const wrongKey = await rejects(send(new A.ImportCertificateCommand({ Certificate: pem, PrivateKey: Buffer.from('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n') })));
  assert.equal(wrongKey.name, 'ValidationException');
  // Re-import keeps the ARN.
  const again = await send(new A.ImportCertificateCommand({ CertificateArn: arn, Certificate: pem, PrivateKey: key }));
  assert.equal(again.CertificateArn, arn);
});

test('a wrong secret gets InvalidSignatureException', async () => {
  const bad = new A.ACMClient(emu.config({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bad' } }));
  const e = await rejects(bad.send(new A.ListCertificatesCommand({})));
  assert.equal(e.name, 'InvalidSignatureException');
});

test('seeding: a given CertificateArn replaces the generated one; a taken or malformed one is refused', async () => {
  const arn = `arn:aws:acm:us-west-2:${ACCOUNT}:certificate/00000000-0000-4000-8000-000000000001`;
  const seeded = await emu.control('POST', 'seed', { type: 'certificate', DomainName: 'datastore.lattice.io', CertificateArn: arn });
  assert.equal(seeded.created[0].arn, arn);
  const d = (await send(new A.DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
  assert.equal(d.DomainName, 'datastore.lattice.io');
  assert.equal(d.Status, 'ISSUED');
  const listed = (await send(new A.ListCertificatesCommand({}))).CertificateSummaryList.map((c) => c.CertificateArn);
  assert.deepEqual(listed, [arn]);
  await assert.rejects(emu.control('POST', 'seed', { type: 'certificate', DomainName: 'x.io', CertificateArn: arn }));
  await assert.rejects(emu.control('POST', 'seed', { type: 'certificate', DomainName: 'x.io', CertificateArn: 'nope' }));
});
