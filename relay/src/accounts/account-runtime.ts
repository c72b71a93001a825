import {
  Limits,
  messageKey,
  type AccountHealth,
  type AccountState,
  type AccountSummary,
  type ActionOutcome,
  type EventPayload,
  type EventType,
  type MailboxCount,
  type MessageId,
  type MessageRow,
} from '../../../shared/index.js';
import { accountSecretContext, type SecretBox } from '../crypto/secret-box.js';
import { CommandConnection } from '../imap/command-connection.js';
import { passwordCredentials, type ImapCredentials } from '../imap/credentials.js';
import { MailboxWatcher, type WatcherPush } from '../imap/mailbox-watcher.js';
import { fetchRows } from '../imap/message-rows.js';
import type { Quota } from '../imap/quota.js';
import { DEFAULT_IMAP_TIMINGS, type ImapTimings } from '../imap/timings.js';
import { ActionJournal } from '../mail/action-journal.js';
import type { Logger } from '../log.js';
import type { ReachPolicy } from '../net/reach-policy.js';
import type { Account } from '../store/types.js';
import { HealthTracker, legacyState, type HealthInput } from './account-health.js';
import { FlagOrder } from './flag-order.js';

export interface AccountRuntimeOptions {
  account: Account;
  secretBox: SecretBox;
  /** Which addresses the account's connections may reach (relay/src/net/reach-policy.ts). */
  reach: ReachPolicy;
  /** How connections sign in; default: the account's password, decrypted per login. */
  credentials?: ImapCredentials;
  log: Logger;
  /** Called with the account's new summary whenever its counts change. */
  onCounts: (summary: AccountSummary) => void;
  /** Called whenever the account's health (and so its legacy state) changes. */
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
  /** Whether a browser of the account's user is listening (recover fast then). */
  listening?: () => boolean;
  /** The action journal (durable in the store); default an in-memory one. */
  actions?: ActionJournal<ActionOutcome[]>;
  timings?: ImapTimings;
}

/**
 * Everything the relay keeps for one account: one watcher connection (IDLE on INBOX, the other
 * watched folders polled with STATUS on it), one lazily opened command connection, their counts
 * and the account's health. At most two IMAP connections per account (plus one while an
 * attachment downloads). Per-account state lives here, not in the registry, so accounts can later
 * be sharded across relay instances (ARCHITECTURE.md, "Growing past one machine").
 */
export class AccountRuntime {
  /** Replaced by updateDetails() for edits that need no reconnect; otherwise fixed. */
  account: Account;
  readonly #watcher: MailboxWatcher;
  readonly #counts = new Map<string, MailboxCount>();
  readonly #health: HealthTracker;
  /** Publishes each message's flag changes in modseq order, whichever connection heard first. */
  readonly #flagOrder = new FlagOrder();
  #quota: Quota | null = null;
  readonly #o: AccountRuntimeOptions;
  /** Requests (list, read, act): one lazily opened connection, apart from the IDLE watcher. */
  readonly commands: CommandConnection;
  /** Attachment downloads stream for as long as the browser reads: their own connection. */
  readonly downloads: CommandConnection;
  /** Recent messages.action ids and outcomes, for idempotent replays. */
  readonly actions: ActionJournal<ActionOutcome[]>;

  constructor(options: AccountRuntimeOptions) {
    this.#o = options;
    this.account = options.account;
    this.actions = options.actions ?? new ActionJournal<ActionOutcome[]>();
    this.#health = new HealthTracker({ host: options.account.host });
    const timings = options.timings ?? DEFAULT_IMAP_TIMINGS;
    const log = options.log.child({ accountId: options.account.id });
    // Bound to the row's user, id, host and username: a row repointed in the file fails here, closed.
    const credentials =
      options.credentials ??
      passwordCredentials(() =>
        options.secretBox.decrypt(options.account.secretEnc, accountSecretContext(options.account)),
      );
    this.commands = new CommandConnection({
      settings: options.account,
      reach: options.reach,
      credentials,
      log: log.child({ conn: 'commands' }),
      changeVersion: (mailbox) => this.#watcher.changeVersion(mailbox),
      timings,
      // A request that timed out may mean the server froze: check the watcher's link at once.
      onTimeout: () => this.#watcher.probe(),
      // The answer to the relay's own STORE: every browser hears of it now, not when IDLE does.
      onFlags: (change) =>
        this.#publishFlags(
          { accountId: options.account.id, mailbox: change.mailbox, uidValidity: change.uidValidity, uid: change.uid },
          change.flags,
          change.modseq,
        ),
      ...(options.rowCache === false ? { rowCache: false } : {}),
    });
    this.downloads = new CommandConnection({
      settings: options.account,
      reach: options.reach,
      credentials,
      log: log.child({ conn: 'downloads' }),
      timings,
      streaming: true,
    });
    const watched = options.account.watchedMailboxes;
    // IDLE on INBOX (else the first watched folder); the others are polled on the same connection.
    const idled = watched.find((m) => m.toUpperCase() === 'INBOX') ?? watched[0] ?? 'INBOX';
    const push = this.#push(options, idled);
    this.#watcher = new MailboxWatcher({
      settings: options.account,
      reach: options.reach,
      credentials,
      mailbox: idled,
      polled: watched.filter((m) => m !== idled),
      log: log.child({ conn: 'watcher', mailbox: idled }),
      onCounts: (counts) => this.#onCounts(counts),
      onHealth: (health) => this.#onHealth(health),
      onQuota: (q: Quota | null) => this.#onQuota(q),
      timings,
      ...(options.listening ? { listening: options.listening } : {}),
      ...(push ? { push } : {}),
    });
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
    this.#watcher.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.#watcher.stop(), this.commands.stop(), this.downloads.stop()]);
  }

  /** Push hooks that turn watcher news into the user's events. */
  #push(options: AccountRuntimeOptions, idled: string): WatcherPush | null {
    const publish = options.publish;
    if (!publish) return null;
    const accountId = options.account.id;
    const onNew = (mailbox: string, rows: MessageRow[]) => {
      const rule = this.#o.shouldNotify ?? ((row: MessageRow) => !row.seen);
      const notify = rows.some((row) => rule(row, this.account));
      publish('message.new', { accountId, mailbox, rows, notify });
    };
    return {
      accountId,
      onNew: (rows) => onNew(idled, rows),
      onFlags: (id, flags, modseq) => this.#publishFlags(id, flags, modseq),
      onExpunged: (uidValidity, uids) => publish('message.expunged', { accountId, mailbox: idled, uidValidity, uids }),
      onReset: (uidValidity) => publish('mailbox.reset', { accountId, mailbox: idled, uidValidity }),
      onPolledReset: (mailbox, uidValidity) => publish('mailbox.reset', { accountId, mailbox, uidValidity }),
      // New mail in a polled folder: its rows come over the command connection (the watcher stays
      // in IDLE on INBOX); O(new), at most Limits.newMessageRowsMax.
      onPolledNew: (mailbox, uidValidity, fromUid, uidNext) => {
        const from = Math.max(fromUid, uidNext - Limits.newMessageRowsMax);
        this.commands
          .withMailbox(
            mailbox,
            async ({ client, uidValidity: current }) => {
              if (current !== uidValidity) return [];
              const fetched = await fetchRows(
                client,
                `${from}:${uidNext - 1}`,
                { uid: true },
                { accountId, mailbox, uidValidity },
              );
              return fetched.map((f) => f.row).filter((r) => r.id.uid >= from);
            },
            { op: 'polled folder new rows' },
          )
          .then((rows) => {
            if (rows.length) onNew(mailbox, rows);
          })
          .catch((err: unknown) => options.log.debug('fetching new rows of a polled folder failed', { err }));
      },
    };
  }

  /**
   * Publishes a message's flags unless a newer state of it was published already (FlagOrder),
   * whichever connection reported them. Without \Recent: it is per IMAP session (RFC 3501
   * §2.3.2) and says nothing about the message.
   */
  #publishFlags(id: MessageId, flags: string[], modseq: bigint | undefined): void {
    const publish = this.#o.publish;
    if (!publish || !this.#flagOrder.admit(messageKey(id), modseq)) return;
    publish('message.flags', { id, flags: flags.filter((f) => f !== '\\Recent') });
  }

  get health(): AccountHealth {
    return this.#health.health;
  }

  /** The pre-issue-8 state, derived from the health. */
  get state(): AccountState {
    return legacyState(this.#health.health);
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
      health: this.health,
      countsAt: Object.fromEntries(this.#watcher.countsAt),
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

  #onHealth(input: HealthInput): void {
    if (this.#health.update(input)) this.#o.onState(this.summary());
  }
}
