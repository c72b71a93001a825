import { describe, expect, it } from 'vitest';
import { Limits } from '../../../shared/index.js';
import { PairingLimiter } from './pairing-limiter.js';

describe('regression: pairing limiter locked out the real user behind a shared address', () => {
  it('answers wrong codes past the per-address share with throttled, but keeps admitting checks', () => {
    const limiter = new PairingLimiter({ now: () => 0 });
    const outcomes = Array.from({ length: Limits.pairAttemptsPerMinute + 1 }, () =>
      limiter.recordWrongCode('10.0.0.1'),
    );
    expect(outcomes.slice(0, -1).every((o) => o === 'refused')).toBe(true);
    expect(outcomes.at(-1)).toBe('throttled');
    expect(limiter.addressThrottled('10.0.0.1')).toBe(true);
    // The global budget is not spent yet, so the next attempt (perhaps the right code) is checked.
    expect(limiter.admit()).toEqual({ ok: true });
    expect(limiter.addressThrottled('10.0.0.2')).toBe(false);
  });
});

describe('regression: many source addresses made 200 guesses in a second', () => {
  it('stops checking codes once the global budget of wrong codes is spent, whatever the address', () => {
    let t = 0;
    const limiter = new PairingLimiter({ now: () => t });
    let checked = 0;
    for (let i = 0; i < 200; i++) {
      if (!limiter.admit().ok) continue;
      checked += 1;
      limiter.recordWrongCode(`10.0.${i}.1`);
    }
    expect(checked).toBe(Limits.pairFailuresGlobalPerMinute);
    expect(limiter.admit()).toEqual({ ok: false, reason: 'global' });
    // It refills: a minute later a full budget is back.
    t += 60_000;
    expect(limiter.admit()).toEqual({ ok: true });
  });
});
