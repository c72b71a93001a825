/**
 * Folders per account, loaded on demand (the folder picker, the move dialog) and kept while the
 * popup is open; reloaded when the relay comes back after a failure or the accounts change.
 */
import type { PopupChannel, PopupStore } from './popup-store.js';
import type { CountChange } from './unread-ledger.js';
import type { PopupTexts } from './popup-texts.js';
import type { MailboxesState } from './popup-view.js';

export interface MailboxesOptions {
  store: PopupStore;
  channel: PopupChannel;
  texts: PopupTexts;
}

/**
 * @example
 * await mailboxes.load('work'); // view.mailboxes.work: { status: 'ready', data: [...] }
 */
export class MailboxesController {
  readonly #o: MailboxesOptions;

  constructor(options: MailboxesOptions) {
    this.#o = options;
  }

  /** Loads one account's folders unless they are loaded or loading. */
  async load(accountId: string): Promise<void> {
    const current = this.#o.store.view.mailboxes[accountId];
    if (current?.status === 'ready' || current?.status === 'loading') return;
    this.#set(accountId, { status: 'loading' });
    const reply = await this.#o.channel.relay('mailboxes.list', { accountId });
    if (reply.ok) this.#set(accountId, { status: 'ready', data: reply.value.mailboxes });
    else this.#set(accountId, { status: 'error', error: this.#o.texts.error(reply.error) });
  }

  /** The relay is back: try again where loading failed. */
  retryFailed(): void {
    for (const [accountId, state] of Object.entries(this.#o.store.view.mailboxes)) {
      if (state.status === 'error') void this.load(accountId);
    }
  }

  /** Folders may have been renamed with an account: forget them all, reload on next use. */
  clear(): void {
    this.#o.store.set({ mailboxes: {} });
  }

  /** Changes the unread counts of loaded folders (an action moved or marked their messages). */
  adjust(changes: readonly CountChange[]): void {
    const { store } = this.#o;
    let mailboxes = store.view.mailboxes;
    for (const c of changes) {
      const state = mailboxes[c.accountId];
      if (state?.status !== 'ready') continue;
      const data = state.data.map((m) =>
        m.path === c.mailbox ? { ...m, unread: Math.max(0, m.unread + c.unread) } : m,
      );
      mailboxes = { ...mailboxes, [c.accountId]: { status: 'ready', data } };
    }
    if (mailboxes !== store.view.mailboxes) store.set({ mailboxes });
  }

  #set(accountId: string, state: MailboxesState): void {
    const { store } = this.#o;
    store.set({ mailboxes: { ...store.view.mailboxes, [accountId]: state } });
  }
}
