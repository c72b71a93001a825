/**
 * Reconnect delay with "full jitter" (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * a uniform random delay in [0, min(max, base * 2^attempt)], floored at `base / 2` so a
 * flapping server is never hammered with zero-delay retries. Pure: pass `random` for tests.
 *
 * @example backoffDelay({ attempt: 3, baseMs: 1000, maxMs: 60000 }) // somewhere in [500, 8000]
 */
export function backoffDelay(options: {
  attempt: number;
  baseMs: number;
  maxMs: number;
  random?: () => number;
}): number {
  const { baseMs, maxMs } = options;
  const attempt = Math.max(0, Math.floor(options.attempt));
  const random = options.random ?? Math.random;
  // 2^attempt overflows to Infinity past ~1023; clamp the exponent first.
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  const floor = Math.min(baseMs / 2, ceiling);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(floor + (ceiling - floor) * r);
}
