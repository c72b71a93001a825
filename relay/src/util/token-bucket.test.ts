import { describe, expect, it } from 'vitest';
import { KeyedRateLimiter, TokenBucket } from './token-bucket.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    let t = 0;
    const b = new TokenBucket({ capacity: 3, ratePerSecond: 2, now: () => t });
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
    t += 500;
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    t += 10_000;
    expect([b.take(), b.take(), b.take(), b.take()]).toEqual([true, true, true, false]);
  });

  it('keeps separate buckets per key', () => {
    const r = new KeyedRateLimiter({ capacity: 1, ratePerSecond: 0.001, now: () => 0 });
    expect(r.take('a')).toBe(true);
    expect(r.take('a')).toBe(false);
    expect(r.take('b')).toBe(true);
  });
});

describe('KeyedRateLimiter.available', () => {
  it('reports without consuming', () => {
    const r = new KeyedRateLimiter({ capacity: 1, ratePerSecond: 0.001, now: () => 0 });
    expect(r.available('a')).toBe(true);
    expect(r.available('a')).toBe(true);
    expect(r.take('a')).toBe(true);
    expect(r.available('a')).toBe(false);
  });
});
