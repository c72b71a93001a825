import { describe, expect, it } from 'vitest';
import { Limits } from '../../../shared/index.js';
import { DiagnosisLimiter } from './diagnosis-limiter.js';

describe('regression: accounts.diagnose was a port scanner at 20 requests/s', () => {
  it('limits diagnoses per user by concurrency', async () => {
    const limiter = new DiagnosisLimiter({ now: () => 0 });
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    const running = Array.from({ length: Limits.diagnosesConcurrentPerUser }, () => limiter.run('u1', () => held));
    await expect(limiter.run('u1', async () => 'x')).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // Another user is not affected.
    await expect(limiter.run('u2', async () => 'ok')).resolves.toBe('ok');
    release();
    await Promise.all(running);
    await expect(limiter.run('u1', async () => 'again')).resolves.toBe('again');
  });

  it('limits diagnoses per user by rate', async () => {
    let t = 0;
    const limiter = new DiagnosisLimiter({ now: () => t });
    const results = await Promise.allSettled(
      Array.from({ length: Limits.diagnosesPerMinute + 5 }, () => limiter.run('u1', async () => 'ok')),
    );
    // Sequential awaits inside allSettled start together, so concurrency refuses some as well;
    // run them one by one for the rate alone.
    expect(results.some((r) => r.status === 'rejected')).toBe(true);
    const limiter2 = new DiagnosisLimiter({ now: () => t });
    let ok = 0;
    for (let i = 0; i < Limits.diagnosesPerMinute + 5; i++) {
      try {
        await limiter2.run('u1', async () => undefined);
        ok += 1;
      } catch {
        /* refused */
      }
    }
    expect(ok).toBe(Limits.diagnosesPerMinute);
    t += 60_000;
    await expect(limiter2.run('u1', async () => 'later')).resolves.toBe('later');
  });
});
