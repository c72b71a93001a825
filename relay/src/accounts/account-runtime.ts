import type {
  AccountState,
  AccountSummary,
  ActionOutcome,
  EventPayload,
  EventType,
  MailboxCount,
  MessageRow,
} from '../../../shared/index.js';
import { accountSecretContext, type SecretBox } from '../crypto/secret-box.js';
import { CommandConnection } from '../imap/command-connection.js';
import { passwordCredentials, type ImapCredentials } from '../imap/credentials.js';
import { MailboxWatcher, type WatcherPush } from '../imap/mailbox-watcher.js';
import type { Quota } from '../imap/quota.js';
import { ActionJournal } from '../mail/action-journal.js';
import type { Logger } from '../log.js';
import type { Account } from '../store/types.js';

export interface AccountRuntimeOptions {
  account: Account;
  secretBox: SecretBox;
  /** How connections sign in; default: the account's password, decrypted per login. */
  credentials?: ImapCredentials;
  log: Logger;
  /** Called with the account's new summary whenever its counts change. */
  onCounts: (summary: AccountSummary) => void;
  /** Called whenever the account's aggregated state changes. */
  onState: (summary: AccountSummary) => void;
  /** Publishes a per-message event (message.new/flags/expunged, mailbox.reset) to the account's user. */
  publish?: <T extends EventType>(event: T, payload: EventPayload<T>) => void;
  /**
   * Whether a new row deserves a notification (hook for per-account switches and quiet hours);
   * default: it is unread. A `message.new` event notifies when any of its rows does.
   */
  shouldNotify?: (row: MessageRow, account: Account) => boolean;
  /** Called with the new summary when the account's storage quota (RFC 9208) changed. */
  onQuota?: (summary: AccountSummary) => void;
  /** Row cache on the command connection (default true; off only to benchmark the uncached path). */
  rowCache?: boolean;
}

/**
 * Everything the relay keeps for one account: one watcher per watched mailbox, their counts and
 * their aggregated state. Per-account state lives here, not in the registry, so accounts can later
 * be sharded across relay instances (ARCHITECTURE.md, "Growing past one machine").
 */
export class AccountRuntime {
  /** Replaced by updateDetails() for edits that need no reconnect; otherwise fixed. */
  account: Account;
  readonly #watchers: MailboxWatcher[];
  readonly #counts = new Map<string, MailboxCount>();
  #lastState: AccountState = { status: 'stopped' };
  #quota: Quota | null = null;
  readonly #o: AccountRuntimeOptions;
  /** Requests (list, read, act): one lazily opened connection, apart from the IDLE watchers. */
  readonly commands: CommandConnection;
  /** Attachment downloads stream for as long as the browser reads: their own connection. */
  readonly downloads: CommandConnection;
  /** Recent messages.action ids and outcomes, for idempotent replays. */
  readonly actions = new ActionJournal<ActionOutcome[]>();

  constructor(options: AccountRuntimeOptions) {
    this.#o = options;
    this.account = options.account;
    const log = options.log.child({ accountId: options.account.id });
    // Bound to the row's user, id, host and username: a row repointed in the file fails here, closed.
    const credentials =
      options.credentials ??
      passwordCredentials(() =>
        options.secretBox.decrypt(options.account.secretEnc, accountSecretContext(options.account)),
      );
    this.commands = new CommandConnection({
      settings: options.account,
      credentials,
      log: log.child({ conn: 'commands' }),
      changeVersion: (mailbox) => this.#changeVersion(mailbox),
      ...(options.rowCache === false ? { rowCache: false } : {}),
    });
    this.downloads = new CommandConnection({
      settings: options.account,
      credentials,
      log: log.child({ conn: 'downloads' }),
    });
    const push = this.#push(options);
    // Quota is per account, not per folder: one watcher (INBOX's, else the first) reads it.
    const watched = options.account.watchedMailboxes;
    const quotaMailbox = watched.find((m) => m.toUpperCase() === 'INBOX') ?? watched[0];
    this.#watchers = watched.map(
      (mailbox) =>
        new MailboxWatcher({
          settings: options.account,
          credentials,
          mailbox,
          log: log.child({ mailbox }),
          onCounts: (counts) => this.#onCounts(counts),
          onState: () => this.#onWatcherState(),
          ...(push ? { push: push(mailbox) } : {}),
          ...(mailbox === quotaMailbox ? { onQuota: (q: Quota | null) => this.#onQuota(q) } : {}),
        }),
    );
  }

  #onQuota(quota: Quota | null): void {
    if (JSON.stringify(quota) === JSON.stringify(this.#quota)) return;
    this.#quota = quota;
    this.#o.onQuota?.(this.summary());
  }

  /**
   * Takes a new name, colour or archive folder without reconnecting. The registry calls this only
   * when the connection settings (its connectionKey) are unchanged.
   */
  updateDetails(account: Account): void {
    this.account = account;
  }

  start(): void {
    for (const w of this.#watchers) w.start();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#watchers.map((w) => w.stop()), this.commands.stop(), this.downloads.stop()]);
  }

  /** The watcher's change version for a watched mailbox (INBOX matched case-insensitively), else null. */
  #changeVersion(mailbox: string): number | null {
    const same = (a: string) => a === mailbox || (a.toUpperCase() === 'INBOX' && mailbox.toUpperCase() === 'INBOX');
    const index = this.account.watchedMailboxes.findIndex(same);
    return index === -1 ? null : (this.#watchers[index]?.changeVersion ?? null);
  }

  /** Per-mailbox push hooks that turn watcher news into the user's events. */
  #push(options: AccountRuntimeOptions): ((mailbox: string) => WatcherPush) | null {
    const publish = options.publish;
    if (!publish) return null;
    const accountId = options.account.id;
    return (mailbox) => ({
      accountId,
      onNew: (rows) => {
        const rule = this.#o.shouldNotify ?? ((row: MessageRow) => !row.seen);
        const notify = rows.some((row) => rule(row, this.account));
        publish('message.new', { accountId, mailbox, rows, notify });
      },
      onFlags: (id, flags) => publish('message.flags', { id, flags }),
      onExpunged: (uidValidity, uids) => publish('message.expunged', { accountId, mailbox, uidValidity, uids }),
      onReset: (uidValidity) => publish('mailbox.reset', { accountId, mailbox, uidValidity }),
    });
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
      color: this.account.color,
      quota: this.#quota,
      oauthProvider: this.account.auth.kind === 'oauth2' ? this.account.auth.provider : null,
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
