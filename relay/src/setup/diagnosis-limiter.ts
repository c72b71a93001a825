import { Limits, TidingsError } from '../../../shared/index.js';
import { KeyedRateLimiter } from '../util/token-bucket.js';

/**
 * Diagnoses per user: at most Limits.diagnosesConcurrentPerUser at once and
 * Limits.diagnosesPerMinute on average. A diagnosis connects wherever the user says and reports
 * timings and certificates, so without a limit a paired device is a port scanner (issue 12).
 *
 * @example
 * const outcome = await limiter.run(ctx.auth.userId, () => diagnose({ ... }));
 */
export class DiagnosisLimiter {
  readonly #rate: KeyedRateLimiter;
  readonly #running = new Map<string, number>();

  constructor(options: { now: () => number }) {
    this.#rate = new KeyedRateLimiter({
      capacity: Limits.diagnosesPerMinute,
      ratePerSecond: Limits.diagnosesPerMinute / 60,
      now: options.now,
    });
  }

  async run<T>(userId: string, work: () => Promise<T>): Promise<T> {
    const running = this.#running.get(userId) ?? 0;
    if (running >= Limits.diagnosesConcurrentPerUser)
      throw new TidingsError('RATE_LIMITED', 'another connection test is still running; wait for it to finish');
    if (!this.#rate.take(userId))
      throw new TidingsError(
        'RATE_LIMITED',
        `at most ${Limits.diagnosesPerMinute} connection tests a minute; wait a moment`,
      );
    this.#running.set(userId, running + 1);
    try {
      return await work();
    } finally {
      const left = (this.#running.get(userId) ?? 1) - 1;
      if (left === 0) this.#running.delete(userId);
      else this.#running.set(userId, left);
    }
  }
}
