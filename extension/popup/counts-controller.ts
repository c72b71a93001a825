/**
 * Keeps the unread counts the popup shows in step with the user's actions (unread-ledger.ts):
 * the pending changes live in `view.counts` (added to the snapshot's counts by withPending), and
 * loaded folder lists are changed in place for folders without live counts.
 */
import type { AccountSummary } from '../../shared/index.js';
import type { SetTimer } from '../core/timer.js';
import type { MailboxesController } from './mailboxes-controller.js';
import type { PopupStore } from './popup-store.js';
import { reversed, UnreadLedger, type MessageCountChange } from './unread-ledger.js';

export interface CountsOptions {
  store: PopupStore;
  mailboxes: MailboxesController;
  now: () => number;
  setTimer: SetTimer;
}

/**
 * @example
 * counts.applied('a1', actionCountChanges(action, rows)); // shown at once
 * counts.settled('a1', new Set()); // done: waits for the relay's counts, or its window
 */
export class CountsController {
  readonly #o: CountsOptions;
  readonly #ledger: UnreadLedger;
  #cancelTimer: (() => void) | null = null;

  constructor(options: CountsOptions) {
    this.#o = options;
    this.#ledger = new UnreadLedger({ now: options.now });
  }

  /** An action made these changes on screen; the server has not confirmed them yet. */
  applied(group: string, changes: readonly MessageCountChange[]): void {
    if (changes.length === 0) return;
    this.#ledger.add(group, changes);
    this.#o.mailboxes.adjust(changes);
    this.#publish();
  }

  /** Changes the server made already (where moved messages landed), until the counts show them. */
  known(group: string, changes: readonly MessageCountChange[]): void {
    if (changes.length === 0) return;
    this.#ledger.add(group, changes, true);
    this.#o.mailboxes.adjust(changes);
    this.#publish();
  }

  /** The action is done except for `failed` ('all': it failed): their counts go back to the truth. */
  settled(group: string, failed: ReadonlySet<string> | 'all'): void {
    const dropped = this.#ledger.settle(group, failed);
    this.#o.mailboxes.adjust(reversed(dropped));
    this.#publish();
  }

  /** These messages' changes are not happening after all ('all': none of the group's); the rest wait on. */
  withdrawn(group: string, keys: ReadonlySet<string> | 'all'): void {
    this.#o.mailboxes.adjust(reversed(this.#ledger.withdraw(group, keys)));
    this.#publish();
  }

  /** The relay's counts changed (a snapshot): what they show now is no longer pending. */
  observe(accounts: readonly AccountSummary[]): void {
    if (this.#ledger.observe(accounts)) this.#publish();
  }

  stop(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
  }

  #publish(): void {
    const pending = this.#ledger.pending();
    const { store } = this.#o;
    if (JSON.stringify(pending) !== JSON.stringify(store.view.counts)) store.set({ counts: pending });
    this.#schedule();
  }

  /** One timer, for the next done change that may expire. */
  #schedule(): void {
    this.stop();
    const at = this.#ledger.nextExpiry();
    if (at === null) return;
    this.#cancelTimer = this.#o.setTimer(
      () => {
        this.#cancelTimer = null;
        this.#ledger.expire();
        this.#publish();
      },
      Math.max(0, at - this.#o.now()),
    );
  }
}
