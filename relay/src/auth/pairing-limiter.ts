import { Limits } from '../../../shared/index.js';
import { KeyedRateLimiter, TokenBucket } from '../util/token-bucket.js';

/** What the pairing route does with an attempt. */
export type PairingAdmission = { ok: true } | { ok: false; reason: 'global' };

/**
 * Limits guessing of pairing codes without letting wrong codes lock the real user out.
 *
 * - The bound on guessing is global: Limits.pairFailuresGlobalPerMinute wrong codes from all
 *   addresses together. Many source addresses (a botnet, an IPv6 /64) cannot add up to more.
 * - Per address, Limits.pairAttemptsPerMinute wrong codes; past it the address's wrong codes are
 *   answered 429 (and still count globally), but its attempts are still checked, so the right code
 *   pairs: a person behind the same NAT or proxy as someone typing wrong codes is not locked out.
 * - Only failures count: a person pairing several browsers never hits a limit.
 *
 * @example
 * if (!limiter.admit().ok) return 429;
 * if (!redeemed) return limiter.recordWrongCode(address) === 'throttled' ? 429 : 401;
 */
export class PairingLimiter {
  readonly #perAddress: KeyedRateLimiter;
  readonly #global: TokenBucket;

  constructor(options: { now: () => number }) {
    this.#perAddress = new KeyedRateLimiter({
      capacity: Limits.pairAttemptsPerMinute,
      ratePerSecond: Limits.pairAttemptsPerMinute / 60,
      now: options.now,
    });
    this.#global = new TokenBucket({
      capacity: Limits.pairFailuresGlobalPerMinute,
      ratePerSecond: Limits.pairFailuresGlobalPerMinute / 60,
      now: options.now,
    });
  }

  /** May a code be checked at all? Not while the global budget of wrong codes is spent. */
  admit(): PairingAdmission {
    return this.#global.available() ? { ok: true } : { ok: false, reason: 'global' };
  }

  /** Records a wrong code; 'throttled' when the address is over its own share (answer 429). */
  recordWrongCode(address: string): 'refused' | 'throttled' {
    this.#global.take();
    return this.#perAddress.take(address) ? 'refused' : 'throttled';
  }

  /** Records a request that was not a guess but still a failure (e.g. a web page's Origin). */
  recordOtherFailure(address: string): void {
    this.#perAddress.take(address);
  }

  /** True when the address has used its share of wrong codes (for requests refused before a check). */
  addressThrottled(address: string): boolean {
    return !this.#perAddress.available(address);
  }
}
