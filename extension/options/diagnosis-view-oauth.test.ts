// The OAuth2 token steps of the diagnosis checklist (issue 9) in the user's language: each
// failure says what happened and what to do, in English and Spanish.
import { describe, expect, it } from 'vitest';
import type { Diagnosis, DiagnosisStep, ServerSettingsWire } from '../../shared/index.js';
import { testTranslator } from '../testing/translator.js';
import { diagnosisRows } from './diagnosis-view.js';

const now = Date.UTC(2026, 5, 1);
const settings: ServerSettingsWire = {
  host: 'imap.gmail.com',
  port: 993,
  security: 'tls',
  username: 'ada@gmail.com',
  pinnedFingerprint: null,
};
const ok = (id: DiagnosisStep['id']): DiagnosisStep => ({ id, status: 'ok', detail: 'relay words', hint: null, ms: 1 });
const skipped = (id: DiagnosisStep['id']): DiagnosisStep => ({
  id,
  status: 'skipped',
  detail: 'Not tried',
  hint: null,
  ms: null,
});
const CONNECTION: DiagnosisStep['id'][] = ['dns', 'tcp', 'tls', 'capabilities', 'auth'];

function diagnosis(steps: DiagnosisStep[]): Diagnosis {
  return {
    ok: steps.every((s) => s.status === 'ok'),
    steps,
    addresses: ['142.250.1.108'],
    tlsVersion: 'TLSv1.3',
    certificate: null,
    capabilities: ['IDLE'],
    rttMs: null,
    error: null,
  };
}

function tokenFailure(code: DiagnosisStep['code']): Diagnosis {
  return diagnosis([
    { id: 'token', status: 'fail', code, detail: 'English relay words', hint: 'English hint', ms: 40 },
    ...['scopes' as const, ...CONNECTION].map(skipped),
  ]);
}

const rowsOf = (d: Diagnosis, lang: 'en' | 'es' = 'en') =>
  diagnosisRows(d, settings, { t: testTranslator(lang), locale: lang, now, oauthProvider: 'google' });

describe('diagnosisRows for an OAuth2 account', () => {
  it('names the token steps and calls the sign-in step "token accepted by the mail server"', () => {
    const rows = rowsOf(diagnosis([ok('token'), ok('scopes'), ...CONNECTION.map(ok)]));
    expect(rows.map((r) => r.title)).toEqual([
      'Token endpoint reachable',
      'Scopes granted',
      expect.any(String),
      expect.any(String),
      expect.any(String),
      expect.any(String),
      'Token accepted by the mail server',
    ]);
    expect(rows[0]?.detail).toBe('Google issued a new access token.');
    expect(rows[1]?.detail).toBe('Mail access is granted.');
    expect(rows[6]?.detail).toBe('The mail server accepted the token for ada@gmail.com.');
    // Nothing went wrong: no technical line repeating the relay's words.
    expect(rows.every((r) => r.technical === null)).toBe(true);
  });

  it('explains a refused refresh and says to sign in again; later steps name the token step as the cause', () => {
    const rows = rowsOf(tokenFailure('REAUTH_REQUIRED'));
    expect(rows[0]).toMatchObject({
      status: 'fail',
      detail: 'Google refused to renew access: the sign-in was revoked or expired, or consent was withdrawn.',
      hint: 'Choose “Sign in again” and allow access to your mail.',
      technical: 'English relay words',
    });
    expect(rows[1]?.detail).toContain('Token endpoint reachable');
    const es = rowsOf(tokenFailure('REAUTH_REQUIRED'), 'es');
    expect(es[0]?.hint).toBe('Elige «Volver a iniciar sesión» y permite el acceso a tu correo.');
    expect(es[0]?.title).toBe('Servicio de tokens accesible');
  });

  it.each([
    ['UNREACHABLE', "Google's token endpoint could not be reached.", 'internet connection'],
    ['TIMEOUT', "Google's token endpoint did not answer in time.", 'internet connection'],
    ['OAUTH_NOT_CONFIGURED', 'The relay has no Google client id, so it cannot renew access.', 'Sign-in apps'],
    ['OAUTH_REFUSED', "Google refused the relay's request for a token.", 'client id and secret'],
    ['BAD_REQUEST', 'network reach policy', 'TIDINGS_OAUTH_ENDPOINTS'],
  ] as const)('explains a token step failing with %s, with what to do', (code, detail, hint) => {
    const row = rowsOf(tokenFailure(code))[0];
    expect(row?.detail).toContain(detail.replace('network reach policy', ''));
    if (code === 'BAD_REQUEST') expect(row?.detail).toContain('does not connect');
    expect(row?.hint).toContain(hint);
  });

  it('names the missing mail scope from the provider table and says how to grant it', () => {
    const d = diagnosis([
      ok('token'),
      { id: 'scopes', status: 'fail', code: 'OAUTH_REFUSED', detail: 'lacks scope', hint: null, ms: null },
      ...CONNECTION.map(skipped),
    ]);
    const rows = rowsOf(d);
    expect(rows[1]).toMatchObject({
      status: 'fail',
      detail: 'Mail access was not granted: the sign-in lacks the permission https://mail.google.com/.',
    });
    expect(rows[1]?.hint).toContain('allow access to your mail');
    expect(rowsOf(d, 'es')[1]?.detail).toBe(
      'No se concedió el acceso al correo: al inicio de sesión le falta el permiso https://mail.google.com/.',
    );
  });

  it('says the mail server refused the token (not a password) and what to check', () => {
    const d = diagnosis([
      ok('token'),
      ok('scopes'),
      ...CONNECTION.slice(0, 3).map(ok),
      skipped('capabilities'),
      { id: 'auth', status: 'fail', code: 'AUTH_FAILED', detail: 'refused', hint: null, ms: 30 },
    ]);
    const auth = rowsOf(d).find((r) => r.id === 'auth');
    expect(auth?.detail).toBe('The mail server refused the token for ada@gmail.com.');
    expect(auth?.hint).toContain('IMAP access is on');
    expect(auth?.hint).not.toContain('app password');
  });

  it('keeps the password wording for a checklist without token steps', () => {
    const rows = rowsOf(diagnosis(CONNECTION.map(ok)));
    expect(rows.find((r) => r.id === 'auth')?.title).not.toBe('Token accepted by the mail server');
  });
});
