/**
 * TLS material for `wss://`: either the user's certificate files, or a self-signed certificate
 * generated once under `<dataDir>/tls/` and reused, so that a fingerprint the user trusted keeps
 * working across restarts.
 */
import { X509Certificate, createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 of the DER certificate, colon-separated upper-case hex (what browsers show). */
  fingerprint256: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo: Chromium's --ignore-certificate-errors-spki-list. */
  spkiSha256Base64: string;
}

/** A self-signed certificate is regenerated when it expires within this margin. */
const RENEW_MARGIN_MS = 7 * 24 * 60 * 60_000;
/** 825 days: the longest validity Apple platforms accept even for user-trusted certificates. */
const SELF_SIGNED_VALIDITY_DAYS = 825;

/**
 * Reads and checks a PEM certificate (chain) and private key. Throws one clear line when a file is
 * missing, unreadable, not PEM, or the key does not belong to the certificate.
 */
export function loadTlsFiles(options: { certFile: string; keyFile: string }): TlsMaterial {
  const cert = readPem(options.certFile, 'certificate', /-----BEGIN CERTIFICATE-----/);
  const key = readPem(options.keyFile, 'private key', /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/);
  return describe(cert, key, options);
}

/**
 * Returns the self-signed certificate in `<dataDir>/tls/`, generating it (EC P-256, SHA-256,
 * SAN = hostnames + localhost + 127.0.0.1 + ::1) when absent or about to expire.
 */
export async function ensureSelfSignedCert(options: {
  dataDir: string;
  hostnames: string[];
  now?: Date;
}): Promise<TlsMaterial & { certFile: string; keyFile: string; created: boolean }> {
  const dir = join(options.dataDir, 'tls');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const now = options.now ?? new Date();

  if (existsSync(certFile) && existsSync(keyFile)) {
    const material = loadTlsFiles({ certFile, keyFile });
    // validTo is "Mon DD HH:MM:SS YYYY GMT", which Date parses (validToDate is Node 22+).
    const validTo = new Date(new X509Certificate(material.cert).validTo);
    if (validTo.getTime() - now.getTime() > RENEW_MARGIN_MS) return { ...material, certFile, keyFile, created: false };
  }

  const names = selfSignedNames(options.hostnames);
  const notAfter = new Date(now.getTime() + SELF_SIGNED_VALIDITY_DAYS * 24 * 60 * 60_000);
  const pems = await generate([{ name: 'commonName', value: names.commonName }], {
    // EC: generation is instant (RSA 2048 takes ~100 ms to seconds) and every browser supports it.
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256', // selfsigned still defaults to SHA-1, which browsers reject.
    notBeforeDate: new Date(now.getTime() - 60_000), // tolerate small clock skew between machines
    notAfterDate: notAfter,
    extensions: [
      { name: 'basicConstraints', cA: false },
      // ECDSA keys only sign (ECDHE); keyEncipherment is an RSA-only usage some clients reject on EC certs.
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.altNames },
    ],
  });

  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Write to temp files then rename, so a crash never leaves a cert paired with the wrong key.
  writeFileSync(`${keyFile}.tmp`, pems.private, { mode: 0o600 });
  writeFileSync(`${certFile}.tmp`, pems.cert, { mode: 0o644 });
  renameSync(`${keyFile}.tmp`, keyFile);
  renameSync(`${certFile}.tmp`, certFile);
  return { ...describe(pems.cert, pems.private, { certFile, keyFile }), certFile, keyFile, created: true };
}

function selfSignedNames(hostnames: string[]): {
  commonName: string;
  altNames: ({ type: 2; value: string } | { type: 7; ip: string })[];
} {
  const seen = new Set<string>();
  const altNames: ({ type: 2; value: string } | { type: 7; ip: string })[] = [];
  for (const raw of [...hostnames, 'localhost', '127.0.0.1', '::1']) {
    const h = raw
      .trim()
      .replace(/^\[(.*)\]$/, '$1')
      .toLowerCase();
    // Wildcard bind addresses are not names anyone connects to.
    if (h === '' || h === '0.0.0.0' || h === '::' || seen.has(h)) continue;
    seen.add(h);
    altNames.push(isIP(h) ? { type: 7, ip: h } : { type: 2, value: h });
  }
  const firstDns = altNames.find((n) => n.type === 2);
  return { commonName: firstDns?.type === 2 ? firstDns.value : 'Tidings relay', altNames };
}

function readPem(file: string, what: string, marker: RegExp): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new Error(`cannot read TLS ${what} ${file}: ${reason}`);
  }
  if (!marker.test(text)) throw new Error(`TLS ${what} ${file} is not PEM (expected a "${marker.source}" block)`);
  return text;
}

function describe(cert: string, key: string, files: { certFile: string; keyFile: string }): TlsMaterial {
  let x509: X509Certificate;
  try {
    // With a chain, the first block is the leaf, which is what clients see and pin.
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`TLS certificate ${files.certFile} could not be parsed: ${(err as Error).message}`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new Error(
      `TLS private key ${files.keyFile} could not be parsed (encrypted keys are not supported): ${(err as Error).message}`,
    );
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw new Error(`TLS private key ${files.keyFile} does not belong to the certificate ${files.certFile}`);
  }
  const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
  return {
    cert,
    key,
    fingerprint256: x509.fingerprint256,
    spkiSha256Base64: createHash('sha256').update(spki).digest('base64'),
  };
}
