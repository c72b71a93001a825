import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const base = { baseMs: 1_000, maxMs: 60_000 };

  it('grows exponentially at the top of the jitter range', () => {
    const top = [0, 1, 2, 3, 4].map((attempt) => backoffDelay({ ...base, attempt, random: () => 1 }));
    expect(top).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
  });

  it('never goes below half the base delay, so a flapping server is not hammered', () => {
    for (const attempt of [0, 1, 5, 20]) expect(backoffDelay({ ...base, attempt, random: () => 0 })).toBe(500);
  });

  it('is capped at maxMs, also for huge attempt numbers', () => {
    expect(backoffDelay({ ...base, attempt: 10, random: () => 1 })).toBe(60_000);
    expect(backoffDelay({ ...base, attempt: 5_000, random: () => 1 })).toBe(60_000);
    expect(Number.isFinite(backoffDelay({ ...base, attempt: Number.MAX_SAFE_INTEGER }))).toBe(true);
  });

  it('spreads clients out (full jitter) and stays inside the range', () => {
    const values = Array.from({ length: 200 }, () => backoffDelay({ ...base, attempt: 4 }));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...values)).toBeLessThanOrEqual(16_000);
    expect(new Set(values).size).toBeGreaterThan(50);
  });

  it('treats negative or fractional attempts as sane values and clamps a bad random', () => {
    expect(backoffDelay({ ...base, attempt: -3, random: () => 1 })).toBe(1_000);
    expect(backoffDelay({ ...base, attempt: 1.7, random: () => 1 })).toBe(2_000);
    expect(backoffDelay({ ...base, attempt: 1, random: () => 7 })).toBe(2_000);
  });
});
