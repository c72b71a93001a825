import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { runDir } from './paths.js';

/** One certificate with its key, as PEM strings and as files on disk, plus the hashes tests pin. */
export interface CertificatePair {
  certPem: string;
  keyPem: string;
  certFile: string;
  keyFile: string;
  /** `new X509Certificate(pem).fingerprint256`: upper-case hex, colon separated. */
  fingerprint256: string;
  /** Base64 SHA-256 of the DER SubjectPublicKeyInfo (Chromium's --ignore-certificate-errors-spki-list). */
  spkiSha256: string;
}

export interface TestCertificates {
  dir: string;
  /** The test CA. Trust it (imapflow `tls.ca`, relay `--ca-file`) for "trusted via pinned CA" tests. */
  ca: CertificatePair;
  /** Server certificate for localhost / 127.0.0.1 / ::1, signed by `ca`. */
  server: CertificatePair;
  /** Self-signed server certificate for the same names, NOT chained to `ca` (TLS_FAILED tests). */
  selfSigned: CertificatePair;
}

/** SHA-256 fingerprint of a PEM certificate in Node's format (`AB:CD:...`). */
export function fingerprint256(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** Base64 SHA-256 of the certificate's DER SubjectPublicKeyInfo. */
export function spkiSha256(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

const SERVER_NAMES = [
  { type: 2 as const, value: 'localhost' },
  { type: 7 as const, ip: '127.0.0.1' },
  { type: 7 as const, ip: '::1' },
];

interface PemSet {
  ca: { cert: string; key: string };
  server: { cert: string; key: string };
  selfSigned: { cert: string; key: string };
}

async function generatePems(): Promise<PemSet> {
  // Backdated a day so small clock differences between processes never make them "not yet valid".
  const notBeforeDate = new Date(Date.now() - 24 * 3600_000);
  const notAfterDate = new Date(Date.now() + 30 * 24 * 3600_000);
  // EC P-256 keys: generated in milliseconds (RSA-2048 takes ~100 ms each) and accepted by
  // Dovecot, Node and Chromium alike.
  const common = { keyType: 'ec' as const, curve: 'P-256' as const, algorithm: 'sha256', notBeforeDate, notAfterDate };
  const ca = await generate([{ name: 'commonName', value: 'Tidings Test CA' }], {
    ...common,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const serverExtensions = [
    { name: 'basicConstraints' as const, cA: false },
    { name: 'keyUsage' as const, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage' as const, serverAuth: true },
    { name: 'subjectAltName' as const, altNames: SERVER_NAMES },
  ];
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...common,
    extensions: serverExtensions,
    ca: { key: ca.private, cert: ca.cert },
  });
  const selfSigned = await generate([{ name: 'commonName', value: 'localhost' }], {
    ...common,
    extensions: serverExtensions,
  });
  return {
    ca: { cert: ca.cert, key: ca.private },
    server: { cert: server.cert, key: server.private },
    selfSigned: { cert: selfSigned.cert, key: selfSigned.private },
  };
}

/**
 * A NEW self-signed certificate for localhost / 127.0.0.1 / ::1 (a different key and fingerprint
 * each call), written to `<dir>/<name>.crt|key`: a server whose owner replaced its certificate.
 *
 * @example
 * const next = await newSelfSignedPair(dir, 'next');
 */
export async function newSelfSignedPair(dir: string, name: string): Promise<CertificatePair> {
  const notBeforeDate = new Date(Date.now() - 24 * 3600_000);
  const notAfterDate = new Date(Date.now() + 30 * 24 * 3600_000);
  const pem = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: SERVER_NAMES },
    ],
  });
  return toPair(dir, name, { cert: pem.cert, key: pem.private });
}

function toPair(dir: string, name: string, pem: { cert: string; key: string }): CertificatePair {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  if (!existsSync(certFile)) writeFileSync(certFile, pem.cert, { mode: 0o644 });
  // Dovecot reads ssl_key as root before dropping privileges, so 0600 is fine.
  if (!existsSync(keyFile)) writeFileSync(keyFile, pem.key, { mode: 0o600 });
  return {
    certPem: pem.cert,
    keyPem: pem.key,
    certFile,
    keyFile,
    fingerprint256: fingerprint256(pem.cert),
    spkiSha256: spkiSha256(pem.cert),
  };
}

function isPemSet(value: unknown): value is PemSet {
  const ok = (v: unknown): boolean =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { cert?: unknown }).cert === 'string' &&
    typeof (v as { key?: unknown }).key === 'string';
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return ok(v['ca']) && ok(v['server']) && ok(v['selfSigned']);
}

let cached: Promise<TestCertificates> | undefined;

/**
 * The run's test certificates, generated once per run and cached in `<runDir>/certs` (globalSetup
 * generates them, workers read the files), so every Dovecot, relay and browser in a run agrees
 * on the same CA.
 *
 * @example
 * const certs = await testCertificates();
 * new ImapFlow({ ..., tls: { ca: certs.ca.certPem } });
 */
export async function testCertificates(): Promise<TestCertificates> {
  cached ??= (async () => {
    const dir = join(runDir(), 'certs');
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const store = join(dir, 'certs.json');
    let pems: PemSet | undefined;
    if (existsSync(store)) {
      const parsed: unknown = JSON.parse(readFileSync(store, 'utf8'));
      if (isPemSet(parsed)) pems = parsed;
    }
    if (!pems) {
      pems = await generatePems();
      // Write-then-rename so a concurrent reader never sees a half-written file.
      const temp = `${store}.${process.pid}.tmp`;
      writeFileSync(temp, JSON.stringify(pems), { mode: 0o600 });
      renameSync(temp, store);
    }
    return {
      dir,
      ca: toPair(dir, 'ca', pems.ca),
      server: toPair(dir, 'server', pems.server),
      selfSigned: toPair(dir, 'self-signed', pems.selfSigned),
    };
  })();
  return await cached;
}
