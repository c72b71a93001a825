import { z } from 'zod/mini';
import { Limits, messageKey, type AccountSummary, type ServerEvent } from '../../shared/index.js';

/**
 * The badge's "new" mode: which unread messages arrived since the popup was last opened.
 *
 * A bounded, insertion-ordered set of message keys (see `messageKey`), fed by relay events:
 * `message.new` adds its unread rows; `message.flags` with `\Seen`, `message.expunged` and an
 * account leaving the list remove them; opening the popup clears the set. Past `max` keys the
 * oldest are dropped. Pure (no browser APIs): the background persists `toJSON()` in
 * `storage.session`, so a worker restart keeps the count but a browser restart starts at zero.
 */
export class NewMailTracker {
  /** message key → account id, in arrival order. */
  #keys = new Map<string, string>();
  readonly #max: number;

  constructor(options: { max?: number } = {}) {
    this.#max = options.max ?? Limits.badgeNewMailMax;
  }

  /** Applies one relay event; true when the set changed (persist and recompute the badge). */
  apply(event: ServerEvent): boolean {
    switch (event.event) {
      case 'message.new': {
        let changed = false;
        for (const row of event.payload.rows) {
          if (row.seen) continue;
          const key = messageKey(row.id);
          if (this.#keys.has(key)) continue;
          this.#keys.set(key, row.id.accountId);
          changed = true;
        }
        while (this.#keys.size > this.#max) {
          const oldest = this.#keys.keys().next();
          if (oldest.done) break;
          this.#keys.delete(oldest.value);
        }
        return changed;
      }
      case 'message.flags':
        return event.payload.flags.includes('\\Seen') && this.#keys.delete(messageKey(event.payload.id));
      case 'message.expunged': {
        const { accountId, mailbox, uidValidity, uids } = event.payload;
        let changed = false;
        for (const uid of uids) {
          if (this.#keys.delete(messageKey({ accountId, mailbox, uidValidity, uid }))) changed = true;
        }
        return changed;
      }
      case 'accounts.changed':
        return this.retainAccounts(event.payload.accounts);
      default:
        return false;
    }
  }

  /** Forgets the messages of accounts no longer in `accounts` (removed, or after a resync). */
  retainAccounts(accounts: readonly AccountSummary[]): boolean {
    const ids = new Set(accounts.map((a) => a.id));
    let changed = false;
    for (const [key, accountId] of this.#keys) {
      if (!ids.has(accountId)) {
        this.#keys.delete(key);
        changed = true;
      }
    }
    return changed;
  }

  /** The popup was opened: everything so far has been seen. */
  reset(): boolean {
    const changed = this.#keys.size > 0;
    this.#keys.clear();
    return changed;
  }

  get size(): number {
    return this.#keys.size;
  }

  /**
   * New messages per account id, each capped by the account's current unread count: a read made
   * elsewhere whose event we missed (relay resync) must not keep the badge up.
   */
  counts(accounts: readonly AccountSummary[]): Map<string, number> {
    const raw = new Map<string, number>();
    for (const accountId of this.#keys.values()) raw.set(accountId, (raw.get(accountId) ?? 0) + 1);
    const out = new Map<string, number>();
    for (const a of accounts) out.set(a.id, Math.min(raw.get(a.id) ?? 0, a.unread));
    return out;
  }

  toJSON(): NewMailState {
    return { entries: [...this.#keys].map(([key, accountId]) => ({ key, accountId })) };
  }

  /** Restores persisted state; anything invalid is dropped (it is only a badge count). */
  restore(value: unknown): void {
    const parsed = newMailStateSchema.safeParse(value);
    this.#keys.clear();
    if (!parsed.success) return;
    for (const { key, accountId } of parsed.data.entries.slice(-this.#max)) this.#keys.set(key, accountId);
  }
}

const newMailStateSchema = z.object({
  entries: z.array(
    z.object({ key: z.string().check(z.maxLength(2_200)), accountId: z.string().check(z.maxLength(64)) }),
  ),
});
export type NewMailState = z.infer<typeof newMailStateSchema>;

/** The `storage.session` key of the tracker's state. */
export const NEW_MAIL_STORAGE_KEY = 'tidings.newMail.v1';
