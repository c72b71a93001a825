import type { AccountState, AccountSummary, MailboxCount } from '../../../shared/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import { MailboxWatcher } from '../imap/mailbox-watcher.js';
import type { Logger } from '../log.js';
import type { Account } from '../store/types.js';

export interface AccountRuntimeOptions {
  account: Account;
  secretBox: SecretBox;
  log: Logger;
  /** Called with the account's new summary whenever its counts change. */
  onCounts: (summary: AccountSummary) => void;
  /** Called whenever the account's aggregated state changes. */
  onState: (summary: AccountSummary) => void;
}

/**
 * Everything the relay keeps for one account: one watcher per watched mailbox, their counts and
 * their aggregated state. Per-account state lives here, not in the registry, so accounts can later
 * be sharded across relay instances (ARCHITECTURE.md, "Growing past one machine").
 */
export class AccountRuntime {
  readonly account: Account;
  readonly #watchers: MailboxWatcher[];
  readonly #counts = new Map<string, MailboxCount>();
  #lastState: AccountState = { status: 'stopped' };
  readonly #o: AccountRuntimeOptions;

  constructor(options: AccountRuntimeOptions) {
    this.#o = options;
    this.account = options.account;
    const log = options.log.child({ accountId: options.account.id });
    this.#watchers = options.account.watchedMailboxes.map(
      (mailbox) =>
        new MailboxWatcher({
          settings: options.account,
          password: () => options.secretBox.decrypt(options.account.secretEnc),
          mailbox,
          log: log.child({ mailbox }),
          onCounts: (counts) => this.#onCounts(counts),
          onState: () => this.#onWatcherState(),
        }),
    );
  }

  start(): void {
    for (const w of this.#watchers) w.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.#watchers.map((w) => w.stop()));
  }

  /** Aggregate: any watcher in error → error; else any connecting → connecting; else online. */
  get state(): AccountState {
    const states = this.#watchers.map((w) => w.state);
    const error = states.find((s) => s.status === 'error');
    if (error) return error;
    const connecting = states.find((s) => s.status === 'connecting');
    if (connecting) return connecting;
    const online = states.find((s) => s.status === 'online');
    return online ?? { status: 'stopped' };
  }

  summary(): AccountSummary {
    const mailboxes = this.account.watchedMailboxes.map(
      (path) => this.#counts.get(path) ?? { path, unread: 0, total: 0 },
    );
    return {
      id: this.account.id,
      name: this.account.name,
      username: this.account.username,
      host: this.account.host,
      unread: mailboxes.reduce((sum, m) => sum + m.unread, 0),
      mailboxes,
      state: this.state,
    };
  }

  #onCounts(counts: MailboxCount): void {
    const prev = this.#counts.get(counts.path);
    this.#counts.set(counts.path, counts);
    if (prev && prev.unread === counts.unread && prev.total === counts.total) return;
    this.#o.onCounts(this.summary());
  }

  #onWatcherState(): void {
    const next = this.state;
    if (JSON.stringify(next) === JSON.stringify(this.#lastState)) return;
    this.#lastState = next;
    this.#o.onState(this.summary());
  }
}
