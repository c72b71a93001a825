import { Limits } from '../../../shared/index.js';

/**
 * Keeps one account's flag changes in order before they are published (`message.flags`). The
 * same change reaches the relay twice, on two connections that do not wait for each other: at
 * once in the answer to the relay's own STORE, and about half a second later from the IDLE
 * watcher, which may still report the state before a STORE that came right after. Each carries
 * the message's CONDSTORE modseq (RFC 7162), so a change is published only when it is newer
 * than the last one published for that message: a late, older state would otherwise undo a
 * newer one in every browser until the next change.
 *
 * A change without a modseq (a server without CONDSTORE) is always published, as before.
 * Bounded: the oldest remembered messages are forgotten first (Limits.flagOrderMax).
 *
 * @example
 * const order = new FlagOrder();
 * order.admit(key, 12n); // true: publish
 * order.admit(key, 11n); // false: older than what was published
 */
export class FlagOrder {
  readonly #latest = new Map<string, bigint>();
  readonly #max: number;

  constructor(max: number = Limits.flagOrderMax) {
    this.#max = max;
  }

  /** Whether a change to message `key` at `modseq` is newer than any published; remembers it if so. */
  admit(key: string, modseq: bigint | undefined): boolean {
    if (modseq === undefined) return true;
    const last = this.#latest.get(key);
    if (last !== undefined && modseq <= last) return false;
    // Re-inserted, so the Map's order is least recently changed first.
    this.#latest.delete(key);
    this.#latest.set(key, modseq);
    if (this.#latest.size > this.#max) {
      const oldest = this.#latest.keys().next();
      if (!oldest.done) this.#latest.delete(oldest.value);
    }
    return true;
  }

  /** How many messages are remembered (tests). */
  get size(): number {
    return this.#latest.size;
  }
}
