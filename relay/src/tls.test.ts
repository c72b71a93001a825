import { X509Certificate, createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureSelfSignedCert, loadTlsFiles } from './tls.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidings-tls-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureSelfSignedCert', () => {
  it('generates once, then reuses the same certificate', async () => {
    const first = await ensureSelfSignedCert({
      dataDir: dir,
      hostnames: ['relay.example.lan', '192.168.1.20', '0.0.0.0'],
    });
    expect(first.created).toBe(true);
    expect(first.certFile).toBe(join(dir, 'tls', 'cert.pem'));
    expect(statSync(first.keyFile).mode & 0o777).toBe(0o600);
    expect(first.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(Buffer.from(first.spkiSha256Base64, 'base64')).toHaveLength(32);

    const x509 = new X509Certificate(first.cert);
    expect(x509.subjectAltName).toContain('DNS:relay.example.lan');
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(x509.subjectAltName).toContain('IP Address:192.168.1.20');
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.subjectAltName).not.toContain('0.0.0.0');
    expect(x509.checkHost('relay.example.lan')).toBe('relay.example.lan');
    expect(x509.checkIP('::1')).toBe('::1');
    // SPKI hash is SHA-256 over the DER SubjectPublicKeyInfo, as Chromium expects
    const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
    expect(first.spkiSha256Base64).toBe(createHash('sha256').update(spki).digest('base64'));

    const second = await ensureSelfSignedCert({ dataDir: dir, hostnames: ['relay.example.lan'] });
    expect(second.created).toBe(false);
    expect(second.fingerprint256).toBe(first.fingerprint256);
    expect(second.spkiSha256Base64).toBe(first.spkiSha256Base64);
    expect(second.cert).toBe(first.cert);
  });

  it('regenerates a certificate that is about to expire', async () => {
    const first = await ensureSelfSignedCert({ dataDir: dir, hostnames: [] });
    const later = new Date(Date.now() + 900 * 24 * 60 * 60_000);
    const renewed = await ensureSelfSignedCert({ dataDir: dir, hostnames: [], now: later });
    expect(renewed.created).toBe(true);
    expect(renewed.fingerprint256).not.toBe(first.fingerprint256);
  });
});

describe('loadTlsFiles', () => {
  it('loads a matching pair and reports the same fingerprints', async () => {
    const generated = await ensureSelfSignedCert({ dataDir: dir, hostnames: [] });
    const loaded = loadTlsFiles({ certFile: generated.certFile, keyFile: generated.keyFile });
    expect(loaded.fingerprint256).toBe(generated.fingerprint256);
    expect(loaded.spkiSha256Base64).toBe(generated.spkiSha256Base64);
  });

  it('explains a missing file', () => {
    expect(() => loadTlsFiles({ certFile: join(dir, 'nope.pem'), keyFile: join(dir, 'k.pem') })).toThrow(
      /cannot read TLS certificate .*nope\.pem: file not found/,
    );
  });

  it('explains a file that is not PEM', () => {
    const f = join(dir, 'cert.pem');
    writeFileSync(f, 'hello');
    expect(() => loadTlsFiles({ certFile: f, keyFile: f })).toThrow(/is not PEM/);
  });

  it('refuses a key that does not belong to the certificate', async () => {
    const a = await ensureSelfSignedCert({ dataDir: join(dir, 'a'), hostnames: [] });
    const b = await ensureSelfSignedCert({ dataDir: join(dir, 'b'), hostnames: [] });
    expect(() => loadTlsFiles({ certFile: a.certFile, keyFile: b.keyFile })).toThrow(/does not belong/);
    expect(readFileSync(a.certFile, 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});
