import { describe, expect, it } from 'vitest';
import type { Diagnosis, ServerSettingsWire } from '../../shared/index.js';
import { canTrustCertificate, capabilityList, diagnosisRows, fingerprintKey } from './diagnosis-view.js';
import { loadLocale } from '../i18n/locales.js';
import { testTranslator } from '../testing/translator.js';

const now = Date.UTC(2026, 5, 1);
const settings: ServerSettingsWire = {
  host: 'imap.gmail.com',
  port: 993,
  security: 'tls',
  username: 'ada@gmail.com',
  pinnedFingerprint: null,
};
const cert = {
  subject: 'CN=imap.gmail.com',
  issuer: 'CN=WR2, O=Google Trust Services',
  validFrom: now - 86_400_000,
  validTo: now + 60 * 86_400_000,
  fingerprint256: 'AB:CD:EF',
  trusted: true,
  selfSigned: false,
};
const okDiagnosis: Diagnosis = {
  ok: true,
  steps: [
    { id: 'dns', status: 'ok', detail: 'x resolves', hint: null, ms: 2 },
    { id: 'tcp', status: 'ok', detail: 'connected', hint: null, ms: 3 },
    { id: 'tls', status: 'ok', detail: 'TLSv1.3', hint: null, ms: 5 },
    { id: 'capabilities', status: 'ok', detail: 'Supports IDLE', hint: null, ms: null },
    { id: 'auth', status: 'ok', detail: 'Signed in', hint: null, ms: 20 },
  ],
  addresses: ['142.250.1.108'],
  tlsVersion: 'TLSv1.3',
  certificate: cert,
  capabilities: ['IMAP4rev1', 'IDLE', 'MOVE', 'QUOTA=RES-STORAGE', 'UIDPLUS'],
  rttMs: 12.4,
  error: null,
};
const t = testTranslator('en');

describe('diagnosisRows', () => {
  it('explains a passing checklist with the structured facts, plus the round trip', () => {
    const rows = diagnosisRows(okDiagnosis, settings, { t, locale: 'en', now });
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      ['dns', 'ok'],
      ['tcp', 'ok'],
      ['tls', 'ok'],
      ['capabilities', 'ok'],
      ['auth', 'ok'],
      ['rtt', 'ok'],
    ]);
    expect(rows[0]?.detail).toBe('imap.gmail.com found at 142.250.1.108.');
    expect(rows[2]?.detail).toBe(
      'TLSv1.3, certificate for CN=imap.gmail.com issued by CN=WR2, O=Google Trust Services, valid until Jul 31, 2026.',
    );
    expect(rows[3]?.detail).toBe('Has 4 of the 8 IMAP extensions Tidings can use:');
    expect(rows[5]?.detail).toBe('The server answered a command in 12 ms.');
  });

  it('gives the provider’s app-password fix when the sign-in is refused', () => {
    const failed: Diagnosis = {
      ...okDiagnosis,
      ok: false,
      steps: [
        ...okDiagnosis.steps.slice(0, 3),
        { id: 'capabilities', status: 'skipped', detail: 'Known only after signing in.', hint: null, ms: null },
        { id: 'auth', status: 'fail', detail: 'rejected', hint: 'relay hint', ms: 9, code: 'AUTH_FAILED' },
      ],
      rttMs: null,
    };
    const auth = diagnosisRows(failed, settings, { t, locale: 'en', now }).find((r) => r.id === 'auth');
    expect(auth?.detail).toBe('The server refused the sign-in for ada@gmail.com.');
    expect(auth?.hint).toMatch(/^Gmail needs an app password/);
    expect(auth?.technical).toBe('rejected');
    const es = diagnosisRows(
      failed,
      { ...settings, host: 'mail.example.org' },
      { t: testTranslator('es'), locale: 'es', now },
    );
    expect(es.find((r) => r.id === 'auth')?.hint).toMatch(/^Revisa el usuario y la contraseña/);
  });

  // Issue 13: the checklist said "not tried, because an earlier step failed" about a step whose
  // cause came after it, and repeated every step in a second (English) line.
  it('names the failed step that kept another from running, and keeps relay words for problems', () => {
    const failed: Diagnosis = {
      ...okDiagnosis,
      ok: false,
      steps: [
        ...okDiagnosis.steps.slice(0, 3),
        { id: 'capabilities', status: 'skipped', detail: 'Known only after signing in.', hint: null, ms: null },
        { id: 'auth', status: 'fail', detail: 'rejected', hint: 'relay hint', ms: 9, code: 'AUTH_FAILED' },
      ],
      rttMs: null,
    };
    const rows = diagnosisRows(failed, settings, { t, locale: 'en', now });
    expect(rows.find((r) => r.id === 'capabilities')?.detail).toBe('Not tried, because “Sign-in” failed.');
    expect(rows.find((r) => r.id === 'capabilities')?.technical).toBeNull();
    expect(rows.find((r) => r.id === 'dns')?.technical).toBeNull();
    const es = diagnosisRows(failed, settings, { t: testTranslator('es'), locale: 'es', now });
    expect(es.find((r) => r.id === 'capabilities')?.detail).toBe('No se probó porque falló «Inicio de sesión».');
  });

  it('does not claim a lookup for an IP address', () => {
    const literal: Diagnosis = { ...okDiagnosis, addresses: ['127.0.0.1'] };
    const rows = diagnosisRows(literal, { ...settings, host: '127.0.0.1' }, { t, locale: 'en', now });
    expect(rows[0]?.detail).toBe('127.0.0.1 is an IP address: no lookup needed.');
  });

  it('offers to trust a self-signed certificate, but not an expired or mismatching one', () => {
    const selfSigned: Diagnosis = {
      ...okDiagnosis,
      ok: false,
      steps: [
        ...okDiagnosis.steps.slice(0, 2),
        { id: 'tls', status: 'fail', detail: 'self-signed', hint: 'pin', ms: 4, code: 'TLS_FAILED' },
        { id: 'capabilities', status: 'skipped', detail: 'not tried', hint: null, ms: null },
        { id: 'auth', status: 'skipped', detail: 'not tried', hint: null, ms: null },
      ],
      certificate: { ...cert, subject: 'CN=localhost', issuer: 'CN=localhost', trusted: false, selfSigned: true },
      capabilities: [],
      rttMs: null,
      error: { code: 'TLS_FAILED', message: 'Untrusted certificate' },
    };
    const tls = diagnosisRows(selfSigned, settings, { t, locale: 'en', now }).find((r) => r.id === 'tls');
    expect(tls?.detail).toMatch(/^The certificate for CN=localhost is self-signed/);
    expect(tls?.hint).toMatch(/Trust this certificate/);
    expect(canTrustCertificate(selfSigned, settings, now)).toBe(true);
    expect(canTrustCertificate(selfSigned, settings, cert.validTo + 1)).toBe(false);
    expect(canTrustCertificate(selfSigned, { ...settings, pinnedFingerprint: 'AB:CD:00' }, now)).toBe(false);
    expect(canTrustCertificate(okDiagnosis, settings, now)).toBe(false);
    const mismatch = diagnosisRows(selfSigned, { ...settings, pinnedFingerprint: '00:11' }, { t, locale: 'en', now });
    expect(mismatch.find((r) => r.id === 'tls')?.detail).toBe("The server's certificate is not the one you trusted.");
  });

  it('lists the notable capabilities', () => {
    expect(
      capabilityList(okDiagnosis)
        .filter((c) => c.present)
        .map((c) => c.name),
    ).toEqual(['IDLE', 'MOVE', 'UIDPLUS', 'QUOTA']);
    expect(fingerprintKey('ab:cd ef')).toBe('ABCDEF');
  });

  it('has every dynamically chosen key in both languages', () => {
    for (const lang of ['en', 'es']) {
      const messages = loadLocale(new URL('../locales', import.meta.url).pathname, lang);
      for (const id of ['dns', 'tcp', 'tls', 'capabilities', 'auth', 'rtt'])
        expect(messages, id).toHaveProperty(`diag_title_${id}`);
      for (const p of ['gmail', 'outlook', 'fastmail', 'icloud', 'yahoo', 'custom'])
        expect(messages, p).toHaveProperty(`diag_auth_hint_${p}`);
    }
  });
});
