/**
 * Token bucket: `capacity` tokens, refilled at `ratePerSecond`. Pure apart from the clock,
 * which is passed in, so tests drive time explicitly.
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  constructor(private readonly options: { capacity: number; ratePerSecond: number; now: () => number }) {
    this.#tokens = options.capacity;
    this.#last = options.now();
  }

  #refill(): void {
    const now = this.options.now();
    this.#tokens = Math.min(
      this.options.capacity,
      this.#tokens + ((now - this.#last) / 1000) * this.options.ratePerSecond,
    );
    this.#last = now;
  }

  /** True when a token is available, without taking it. */
  available(): boolean {
    this.#refill();
    return this.#tokens >= 1;
  }

  /** Takes one token if available. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** One bucket per key (e.g. remote address), forgetting keys idle for `ttlMs`. */
export class KeyedRateLimiter {
  readonly #buckets = new Map<string, { bucket: TokenBucket; seen: number }>();
  constructor(
    private readonly options: { capacity: number; ratePerSecond: number; now: () => number; ttlMs?: number },
  ) {}

  take(key: string): boolean {
    return this.#entry(key).take();
  }

  available(key: string): boolean {
    return this.#entry(key).available();
  }

  #entry(key: string): TokenBucket {
    const now = this.options.now();
    if (this.#buckets.size > 10_000) {
      for (const [k, v] of this.#buckets) if (now - v.seen > (this.options.ttlMs ?? 600_000)) this.#buckets.delete(k);
    }
    let entry = this.#buckets.get(key);
    if (!entry) {
      entry = { bucket: new TokenBucket(this.options), seen: now };
      this.#buckets.set(key, entry);
    }
    entry.seen = now;
    return entry.bucket;
  }
}
