import { describe, expect, it } from 'vitest';
import type { AccountHealth } from '../../shared/index.js';
import { testTranslator } from '../testing/translator.js';
import { healthText } from './health-text.js';

const failure = { since: 1, host: 'mail.example.com', detail: 'ECONNREFUSED', retryAt: null, attempts: 1 };
const cases: AccountHealth[] = [
  { state: 'unreachable', ...failure, code: 'UNREACHABLE' },
  { state: 'auth_refused', ...failure, code: 'AUTH_FAILED' },
  { state: 'cert_changed', ...failure, code: 'TLS_FAILED' },
  { state: 'frozen', ...failure, code: 'TIMEOUT', limitMs: 20_000 },
];

describe('healthText', () => {
  it('is null when live', () => {
    expect(healthText({ state: 'live', since: 1, host: 'h' }, testTranslator())).toBeNull();
  });

  for (const lang of ['en', 'es'] as const) {
    it(`names the server, a reason and what to do for every failure, in ${lang}, without codes`, () => {
      const t = testTranslator(lang);
      for (const health of cases) {
        const text = healthText(health, t);
        expect(text?.title).toContain('mail.example.com');
        expect(text?.reason).not.toBe('');
        expect(text?.action).not.toBe('');
        expect(JSON.stringify(text)).not.toMatch(/UNREACHABLE|AUTH_FAILED|TLS_FAILED|TIMEOUT|ECONNREFUSED|\$/);
      }
    });
  }

  it('says how long a frozen server was waited for', () => {
    expect(healthText(cases[3]!, testTranslator())?.reason).toBe('no answer within 20 s');
  });
});
