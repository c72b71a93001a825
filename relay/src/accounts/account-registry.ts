import { z } from 'zod/mini';
import {
  actionOutcomeSchema,
  ErrorCode,
  TidingsError,
  type AccountState,
  type AccountSummary,
  type ActionOutcome,
} from '../../../shared/index.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { EventHub } from '../events/hub.js';
import type { Logger } from '../log.js';
import type { OAuthTokens } from '../oauth/token-manager.js';
import { DEFAULT_IMAP_TIMINGS, type ImapTimings } from '../imap/timings.js';
import { ActionJournal, storeBacking } from '../mail/action-journal.js';
import { shouldNotify } from '../notify/should-notify.js';
import { loadUserSettings } from '../settings/user-settings.js';
import type { ReachPolicy } from '../net/reach-policy.js';
import type { Account, Store } from '../store/types.js';
import { AccountRuntime } from './account-runtime.js';

/** Stored journal outcomes are parsed like any other stored data (CONVENTIONS.md 9). */
const outcomesSchema = z.array(actionOutcomeSchema);

/** The fields whose change needs a new IMAP connection. */
function connectionKey(a: Account): string {
  return JSON.stringify([
    a.host,
    a.port,
    a.security,
    a.username,
    // An OAuth2 account's refresh token may rotate on every refresh: only a new sign-in reconnects.
    a.auth.kind === 'oauth2' ? `oauth2:${a.auth.provider}:${a.auth.signedInAt}` : a.secretEnc,
    a.watchedMailboxes,
    a.pinnedFingerprint,
    a.caPem,
  ]);
}

/** Fields shown to the user that need no new connection when they change. */
function displayKey(a: Account): string {
  return JSON.stringify([a.name, a.color, a.archiveMailbox]);
}

export interface AccountRegistryOptions {
  store: Store;
  secretBox: SecretBox;
  hub: EventHub;
  log: Logger;
  /**
   * Which addresses account connections may reach (relay/src/net/reach-policy.ts), applied at
   * every connect after DNS resolution: a stored host that now resolves to, or was written as, a
   * forbidden address is refused there, not only when the account was added or updated.
   */
  reach: ReachPolicy;
  /** IMAP deadlines and intervals (tests shorten them); default from shared/limits.ts. */
  timings?: ImapTimings;
  /** Row cache on the command connections (default true; off only to benchmark the uncached path). */
  rowCache?: boolean;
  /** OAuth2 access tokens of oauth2 accounts (refreshed one at a time per account). */
  tokens?: OAuthTokens;
}

/**
 * Keeps one AccountRuntime per stored account, in step with the store: `sync()` starts runtimes
 * for new accounts, restarts those whose connection settings changed and stops removed ones,
 * publishing `accounts.changed` to the affected users. Counts and state changes become
 * `counts` and `account.state` events for the account's user.
 */
export class AccountRegistry {
  readonly #runtimes = new Map<string, { runtime: AccountRuntime; key: string }>();
  readonly #o: AccountRegistryOptions;
  #syncing: Promise<void> = Promise.resolve();

  constructor(options: AccountRegistryOptions) {
    this.#o = options;
  }

  /** Serialised so two overlapping syncs never start the same account twice. */
  sync(): Promise<void> {
    this.#syncing = this.#syncing
      .then(() => this.#sync())
      .catch((err: unknown) => this.#o.log.error('account sync failed', { err }));
    return this.#syncing;
  }

  async #sync(): Promise<void> {
    const { store, hub, log } = this.#o;
    const accounts = store.listAccounts();
    const seen = new Set<string>();
    const changedUsers = new Set<string>();
    for (const account of accounts) {
      seen.add(account.id);
      const key = connectionKey(account);
      const existing = this.#runtimes.get(account.id);
      if (existing && existing.key === key) {
        // Display-only edits (name, colour, archive folder) must not reconnect: the watchers keep
        // their IDLE sessions and only the summary changes.
        if (displayKey(existing.runtime.account) !== displayKey(account)) {
          existing.runtime.updateDetails(account);
          changedUsers.add(account.userId);
        }
        continue;
      }
      await this.#replace(account, key);
      changedUsers.add(account.userId);
    }
    for (const [id, { runtime }] of this.#runtimes) {
      if (seen.has(id)) continue;
      this.#runtimes.delete(id);
      await runtime.stop();
      changedUsers.add(runtime.account.userId);
      log.info('account removed', { accountId: id });
    }
    for (const userId of changedUsers) hub.publish(userId, 'accounts.changed', { accounts: this.summaries(userId) });
  }

  async #replace(account: Account, key: string): Promise<void> {
    const old = this.#runtimes.get(account.id);
    if (old) await old.runtime.stop();
    const { hub, secretBox, log, store, tokens } = this.#o;
    const runtime = new AccountRuntime({
      account,
      secretBox,
      reach: this.#o.reach,
      ...(account.auth.kind === 'oauth2' && tokens ? { credentials: tokens.credentials(account.id) } : {}),
      log,
      ...(this.#o.rowCache === false ? { rowCache: false } : {}),
      onCounts: (s) =>
        hub.publish(account.userId, 'counts', { accountId: s.id, unread: s.unread, mailboxes: s.mailboxes }),
      onState: (s) =>
        hub.publish(account.userId, 'account.state', {
          accountId: s.id,
          state: s.state,
          ...(s.health ? { health: s.health } : {}),
        }),
      listening: () => hub.hasListeners(account.userId),
      actions: new ActionJournal<ActionOutcome[]>({
        backing: storeBacking(store, account.id),
        parse: (value) => {
          const parsed = outcomesSchema.safeParse(value);
          return parsed.success ? parsed.data : null;
        },
      }),
      timings: this.#o.timings ?? DEFAULT_IMAP_TIMINGS,
      publish: (event, payload) => hub.publish(account.userId, event, payload),
      // The user's current settings (muted accounts, quiet hours) decide message.new's `notify`,
      // read per event so a settings.set applies to the very next message.
      shouldNotify: (row, current) =>
        shouldNotify({
          settings: loadUserSettings(store, current.userId, log),
          accountId: current.id,
          row,
          now: Date.now(),
        }),
      onQuota: () => hub.publish(account.userId, 'accounts.changed', { accounts: this.summaries(account.userId) }),
    });
    this.#runtimes.set(account.id, { runtime, key });
    runtime.start();
    log.info(old ? 'account restarted' : 'account started', { accountId: account.id, host: account.host });
  }

  /**
   * The runtime of one of the user's accounts. Another user's account id is NOT_FOUND, exactly
   * like an id that does not exist: authorisation on every request, and no existence oracle.
   */
  runtime(userId: string, accountId: string): AccountRuntime {
    const entry = this.#runtimes.get(accountId);
    if (!entry || entry.runtime.account.userId !== userId)
      throw new TidingsError(ErrorCode.NOT_FOUND, 'no such account');
    return entry.runtime;
  }

  /** All runtimes of one user (the unified inbox), ordered by account name. */
  runtimesOf(userId: string): AccountRuntime[] {
    return [...this.#runtimes.values()]
      .map((e) => e.runtime)
      .filter((r) => r.account.userId === userId)
      .sort((a, b) => a.account.name.localeCompare(b.account.name) || a.account.id.localeCompare(b.account.id));
  }

  /** Summaries of one user's accounts only: users never see each other's accounts. */
  summaries(userId: string): AccountSummary[] {
    const out: AccountSummary[] = [];
    for (const { runtime } of this.#runtimes.values())
      if (runtime.account.userId === userId) out.push(runtime.summary());
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every account's current state, for GET /health's counts. */
  states(): AccountState[] {
    return [...this.#runtimes.values()].map(({ runtime }) => runtime.state);
  }

  async stopAll(): Promise<void> {
    await this.#syncing;
    const all = [...this.#runtimes.values()];
    this.#runtimes.clear();
    await Promise.all(all.map(({ runtime }) => runtime.stop()));
  }
}
