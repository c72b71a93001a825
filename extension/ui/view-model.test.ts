import { describe, expect, it } from 'vitest';
import { accountView, connectionView } from './view-model.js';
import { account, pairedSnapshot } from '../testing/fakes.js';
import { testTranslator } from '../testing/translator.js';

const t = testTranslator();

const base = pairedSnapshot();

describe('connectionView', () => {
  it('maps every connection state to a key', () => {
    expect(connectionView(null, t).key).toBe('loading');
    expect(connectionView({ ...base, pairing: { status: 'unpaired', revoked: false } }, t).key).toBe('unpaired');
    expect(connectionView({ ...base, connection: { status: 'unauthorized' } }, t).key).toBe('unpaired');
    expect(connectionView(base, t).key).toBe('open');
    expect(connectionView({ ...base, connection: { status: 'idle' } }, t).key).toBe('connecting');
    expect(connectionView({ ...base, connection: { status: 'connecting', attempt: 0 } }, t).key).toBe('connecting');
    expect(connectionView({ ...base, connection: { status: 'connecting', attempt: 3 } }, t).key).toBe('unreachable');
    expect(connectionView({ ...base, connection: { status: 'incompatible', message: 'm' } }, t).key).toBe(
      'incompatible',
    );
    const off = connectionView(
      {
        ...base,
        connection: { status: 'backoff', attempt: 1, retryAt: 2, error: 'closed (1006)' },
      },
      t,
    );
    expect(off).toMatchObject({ key: 'unreachable', tone: 'error' });
    expect(off.detail).toMatch(/Cannot reach the relay at ws:\/\/127\.0\.0\.1:8787\. Is it running/);
    expect(off.technical).toBe('closed (1006)');
  });

  it('explains a revoked pairing', () => {
    expect(connectionView({ ...base, pairing: { status: 'unpaired', revoked: true } }, t).detail).toMatch(
      /no longer accepts/,
    );
  });
});

describe('accountView', () => {
  it('describes errors in plain language with a hint and the technical detail', () => {
    const v = accountView(
      account({ id: 'a', state: { status: 'error', code: 'AUTH_FAILED', message: 'LOGIN failed', retryAt: null } }),
      t,
    );
    expect(v).toEqual({
      label: 'Sign-in failed',
      tone: 'error',
      hint: expect.stringMatching(/username or password/),
      technical: 'AUTH_FAILED: LOGIN failed',
    });
    expect(accountView(account({ id: 'a' }), t).label).toBe('Online');
  });
});

describe('view model in Spanish', () => {
  it('uses the Spanish strings', () => {
    const es = testTranslator('es');
    expect(connectionView(base, es).label).toBe('Conectado');
    expect(accountView(account({ id: 'a' }), es).label).toBe('En línea');
  });
});
