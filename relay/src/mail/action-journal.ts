import { ErrorCode, Limits, TidingsError } from '../../../shared/index.js';

interface Entry<T> {
  /** Fingerprint of the request, so a reused id with other content is refused, not answered wrongly. */
  fingerprint: string;
  at: number;
  outcome: Promise<T>;
}

/**
 * Remembers recent action ids and their outcomes, so a replay (the extension's outbox resends
 * after a reconnect, not knowing whether the first send arrived) gets the first outcome instead
 * of acting twice. Bounded by count and age (Limits.actionJournalMax / actionJournalTtlMs). A
 * replay that arrives while the first is still running waits for it. An attempt that failed as a
 * whole (e.g. the server was unreachable, so nothing was applied) is forgotten, so a retry runs.
 *
 * @example
 * const outcomes = await journal.run(actionId, JSON.stringify(params), () => applyAction(...));
 */
export class ActionJournal<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { max?: number; ttlMs?: number; now?: () => number } = {}) {
    this.#max = options.max ?? Limits.actionJournalMax;
    this.#ttlMs = options.ttlMs ?? Limits.actionJournalTtlMs;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  run(id: string, fingerprint: string, act: () => Promise<T>): Promise<T> {
    this.#evict();
    const existing = this.#entries.get(id);
    if (existing) {
      if (existing.fingerprint !== fingerprint)
        return Promise.reject(
          new TidingsError(ErrorCode.BAD_REQUEST, 'this actionId was already used for another action: use a new id'),
        );
      return existing.outcome;
    }
    const outcome = act();
    const entry: Entry<T> = { fingerprint, at: this.#now(), outcome };
    this.#entries.set(id, entry);
    outcome.catch(() => {
      if (this.#entries.get(id) === entry) this.#entries.delete(id);
    });
    return outcome;
  }

  #evict(): void {
    const oldest = this.#now() - this.#ttlMs;
    // Map iteration follows insertion order, so the oldest entries come first.
    for (const [id, entry] of this.#entries) {
      if (entry.at >= oldest && this.#entries.size < this.#max) break;
      this.#entries.delete(id);
    }
  }
}
