import { ImapFlow, type ExpungeEvent, type FlagsEvent, type ImapFlowOptions } from 'imapflow';
import {
  backoffDelay,
  ErrorCode,
  Limits,
  type AccountState,
  type MailboxCount,
  type MessageId,
  type MessageRow,
} from '../../../shared/index.js';
import { imapflowLogger, type Logger } from '../log.js';
import { logoutWithin } from './logout.js';
import { classifyImapError, type ClassifiedError } from './classify-error.js';
import { imapFlowOptions, type ServerSettings } from './client-options.js';
import type { ImapAuth, ImapCredentials } from './credentials.js';
import { fetchRows } from './message-rows.js';
import { hasQuota, readQuota, type Quota } from './quota.js';

/**
 * Per-message push (on top of counts): rows of new mail, flag changes and expunges, itemised
 * with message identities, and UIDVALIDITY resets. Optional, so a bare count watcher stays cheap.
 */
export interface WatcherPush {
  accountId: string;
  /** New messages (UID >= the last UIDNEXT seen), newest first, at most Limits.newMessageRowsMax. */
  onNew: (rows: MessageRow[]) => void;
  onFlags: (id: MessageId, flags: string[]) => void;
  /** UIDs that left the mailbox (QRESYNC VANISHED; servers without QRESYNC give no UIDs). */
  onExpunged: (uidValidity: string, uids: number[]) => void;
  /** The mailbox's UIDVALIDITY changed: everything known about it is stale. */
  onReset: (uidValidity: string) => void;
}

export interface MailboxWatcherOptions {
  settings: ServerSettings;
  /** Asked for every connection attempt: the password is decrypted, a token refreshed, only when needed. */
  credentials: ImapCredentials;
  mailbox: string;
  log: Logger;
  onCounts: (counts: MailboxCount) => void;
  onState: (state: AccountState) => void;
  push?: WatcherPush;
  /**
   * Storage quota (RFC 9208) of the account, read after counts on this connection: at the start
   * of every session, then at most every Limits.quotaRefreshMinMs when the mailbox changes (new
   * mail). Give it to one watcher per account; null when the server has no QUOTA.
   */
  onQuota?: (quota: Quota | null) => void;
  now?: () => number;
  random?: () => number;
  /** Tests and benchmarks may observe the raw client; defaults to `new ImapFlow(options)`. */
  createClient?: (options: ImapFlowOptions) => ImapFlow;
}

/**
 * One IMAP connection that keeps one mailbox selected (read-only, EXAMINE) in IDLE and reports
 * its unread/total counts whenever the server pushes EXISTS, EXPUNGE or a FETCH with flags —
 * whichever client caused them. Reconnects with jittered backoff; after AUTH_FAILED it waits
 * `Limits.authFailedRetryMs` so a wrong password never storms the server.
 *
 * imapflow instances are single-use: every attempt builds a new one.
 */
export class MailboxWatcher {
  #state: AccountState = { status: 'stopped' };
  #abort = new AbortController();
  #client: ImapFlow | null = null;
  #attempt = 0;
  #refreshing = false;
  #dirty = false;
  #running: Promise<void> | null = null;
  /**
   * What the last session knew, kept across reconnects: mail that arrived while disconnected is
   * pushed as message.new, and QRESYNC (RFC 7162 §3.2.5) replays flag changes and expunges since
   * `modseq` on the next SELECT.
   */
  #known: { uidValidity: string; uidNext: number; modseq: bigint | null } | null = null;
  #vanished: { uidValidity: string; uids: number[] } | null = null;
  /** Bumped on every change the server pushes and on every (re)open; see changeVersion. */
  #version = 0;
  /** The session client whose quota was last read, and when; a new session reads it again. */
  #quotaRead: { client: ImapFlow; at: number } | null = null;
  readonly #o: MailboxWatcherOptions;
  readonly #now: () => number;

  constructor(options: MailboxWatcherOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get state(): AccountState {
    return this.#state;
  }

  /**
   * A number that changes whenever the server pushed a change to the mailbox (EXISTS, EXPUNGE,
   * FETCH) or the watcher reconnected; null while not online (changes may go unheard). The command
   * connection skips its NOOP when this has not moved since its own last sync.
   */
  get changeVersion(): number | null {
    return this.#state.status === 'online' ? this.#version : null;
  }

  start(): void {
    if (this.#running) return;
    this.#running = this.#loop().catch((err: unknown) => {
      // #loop handles its own errors; reaching here is a bug, which must not take the relay down.
      this.#o.log.error('watcher loop crashed', { err });
    });
  }

  async stop(): Promise<void> {
    // The session's abort listener logs its connection out (bounded by Limits.imapLogoutMs).
    this.#abort.abort();
    await this.#running;
    this.#setState({ status: 'stopped' });
  }

  /** Forces a reconnect now (e.g. after the password was changed). */
  kick(): void {
    this.#client?.close();
  }

  #setState(state: AccountState): void {
    this.#state = state;
    this.#o.onState(state);
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    let retriedAuth = false;
    while (!signal.aborted) {
      this.#setState({ status: 'connecting', attempt: this.#attempt });
      const outcome = await this.#session(signal);
      if (signal.aborted) return;
      if (outcome.wasOnline) retriedAuth = false;
      if (outcome.error.code === ErrorCode.AUTH_FAILED && outcome.auth && !retriedAuth) {
        // An OAuth2 token the server refused (expired early, revoked): refresh once and retry
        // now, instead of waiting out the AUTH_FAILED delay. A refused refresh ends up below.
        retriedAuth = true;
        const retry = await this.#o.credentials.refused(outcome.auth).catch((err: unknown) => {
          outcome.error = classifyImapError(err);
          return false;
        });
        if (retry) {
          this.#o.log.info('sign-in refused; retrying with fresh credentials', { mailbox: this.#o.mailbox });
          continue;
        }
      }
      if (outcome.error.code === ErrorCode.REAUTH_REQUIRED) {
        // Retrying cannot help until the user signs in again, which replaces this watcher.
        this.#o.log.warn('sign-in needs the user again', { mailbox: this.#o.mailbox, message: outcome.error.message });
        this.#setState({ status: 'error', code: outcome.error.code, message: outcome.error.message, retryAt: null });
        await abortion(signal);
        return;
      }
      let delay: number;
      if (outcome.wasOnline && outcome.error.code !== ErrorCode.AUTH_FAILED) {
        // A connection that worked and dropped (server restart, network blip): retry soon and
        // stay "connecting" rather than flashing an error for a transient loss.
        this.#attempt = 1;
        delay = backoffDelay({
          attempt: 0,
          baseMs: Limits.imapBackoffBaseMs,
          maxMs: Limits.imapBackoffMaxMs,
          random: this.#o.random,
        });
        this.#o.log.info('connection lost; reconnecting', {
          mailbox: this.#o.mailbox,
          code: outcome.error.code,
          delay,
        });
        this.#setState({ status: 'connecting', attempt: this.#attempt });
      } else {
        delay =
          outcome.error.code === ErrorCode.AUTH_FAILED
            ? Limits.authFailedRetryMs
            : backoffDelay({
                attempt: this.#attempt,
                baseMs: Limits.imapBackoffBaseMs,
                maxMs: Limits.imapBackoffMaxMs,
                random: this.#o.random,
              });
        this.#attempt += 1;
        this.#o.log.warn('connection failed', {
          mailbox: this.#o.mailbox,
          code: outcome.error.code,
          message: outcome.error.message,
          delay,
        });
        this.#setState({
          status: 'error',
          code: outcome.error.code,
          message: outcome.error.message,
          retryAt: this.#now() + delay,
        });
      }
      await sleep(delay, signal);
    }
  }

  /** One connection's lifetime. Resolves (never rejects) with why it ended and what it signed in with. */
  async #session(
    signal: AbortSignal,
  ): Promise<{ wasOnline: boolean; error: ClassifiedError; auth?: ImapAuth | undefined }> {
    let wasOnline = false;
    let client: ImapFlow;
    let auth: ImapAuth;
    try {
      auth = await this.#o.credentials.get();
      const options = imapFlowOptions(this.#o.settings, auth, {
        disableAutoIdle: true,
        maxIdleTime: Limits.idleReissueMs,
        // EXPUNGE then arrives as VANISHED with UIDs (RFC 7162 §3.2.10), so message.expunged can
        // name the messages without a sequence-to-UID map of the whole mailbox.
        qresync: true,
        logger: imapflowLogger(this.#o.log),
      });
      client = this.#o.createClient ? this.#o.createClient(options) : new ImapFlow(options);
    } catch (err) {
      return { wasOnline, error: classifyImapError(err) };
    }
    this.#client = client;
    let lastError: unknown = null;
    // Every emitter gets an error listener (an unhandled 'error' event would kill the process).
    client.on('error', (err: unknown) => {
      lastError = err;
    });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const onAbort = () => void logoutWithin(client, Limits.imapLogoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      if (signal.aborted) return { wasOnline, error: classifyImapError(new Error('stopped')) };
      // Before SELECT: with QRESYNC the SELECT itself reports what changed while disconnected.
      this.#listenForMessages(client);
      const known = this.#known;
      const resync =
        known && known.modseq !== null && client.enabled.has('QRESYNC')
          ? { uidValidity: known.uidValidity, changedSince: known.modseq }
          : {};
      const opened = await client.mailboxOpen(this.#o.mailbox, { readOnly: true, ...resync });
      this.#onOpened(opened.uidValidity, opened.uidNext, opened.highestModseq ?? null);
      this.#version += 1;
      const refresh = (kind: string) => () => {
        this.#version += 1;
        // `at` is epoch ms with sub-ms precision: the push benchmark measures from here to the badge.
        this.#o.log.debug('mailbox changed', { kind, at: performance.timeOrigin + performance.now() });
        this.#scheduleRefresh(client);
      };
      client.on('exists', refresh('exists'));
      client.on('expunge', refresh('expunge'));
      client.on('flags', refresh('flags'));
      await this.#refresh(client);
      wasOnline = true;
      this.#attempt = 0;
      this.#setState({ status: 'online', since: this.#now() });
      void this.#idleLoop(client);
      await closed;
      return {
        wasOnline,
        error: classifyImapError(
          lastError ?? Object.assign(new Error('connection closed by the server'), { code: 'NoConnection' }),
        ),
      };
    } catch (err) {
      return { wasOnline, error: classifyImapError(err), auth };
    } finally {
      signal.removeEventListener('abort', onAbort);
      client.close();
      if (this.#client === client) this.#client = null;
    }
  }

  /**
   * Keeps the connection in IDLE. imapflow's idle() returns whenever IDLE is broken — to run a
   * STATUS, or after maxIdleTime (re-issued at most every Limits.idleReissueMs) — so loop.
   */
  async #idleLoop(client: ImapFlow): Promise<void> {
    while (client.usable && !this.#abort.signal.aborted) {
      const ok = await client.idle().catch(() => false);
      if (ok === false && client.usable) {
        // IDLE failed but the connection lives (server refused IDLE): avoid a hot loop.
        await sleep(1_000, this.#abort.signal);
      }
    }
  }

  /** Coalesces bursts: at most one STATUS in flight, and one more if something changed meanwhile. */
  #scheduleRefresh(client: ImapFlow): void {
    if (this.#refreshing) {
      this.#dirty = true;
      return;
    }
    this.#refresh(client).catch((err: unknown) => this.#o.log.warn('count refresh failed', { err }));
  }

  async #refresh(client: ImapFlow): Promise<void> {
    this.#refreshing = true;
    try {
      do {
        this.#dirty = false;
        const status = await client.status(this.#o.mailbox, {
          messages: true,
          unseen: true,
          uidNext: this.#o.push !== undefined,
          highestModseq: this.#o.push !== undefined && client.enabled.has('CONDSTORE'),
        });
        if (!status) throw Object.assign(new Error(`STATUS ${this.#o.mailbox} failed`), { code: 'StatusFailed' });
        this.#o.onCounts({ path: this.#o.mailbox, unread: status.unseen ?? 0, total: status.messages ?? 0 });
        await this.#pushNew(client, status.uidNext, status.highestModseq);
      } while (this.#dirty && client.usable);
      await this.#refreshQuota(client);
    } finally {
      this.#refreshing = false;
    }
  }

  /** Reads the quota once per session and then at most every Limits.quotaRefreshMinMs. */
  async #refreshQuota(client: ImapFlow): Promise<void> {
    const onQuota = this.#o.onQuota;
    if (!onQuota) return;
    const last = this.#quotaRead;
    const now = this.#now();
    if (last && last.client === client && now - last.at < Limits.quotaRefreshMinMs) return;
    this.#quotaRead = { client, at: now };
    if (!hasQuota(client)) return onQuota(null);
    try {
      onQuota(await readQuota(client));
    } catch (err) {
      // Quota is nice to have: a failing GETQUOTAROOT must not take the watcher down.
      if (!client.usable) throw err;
      this.#o.log.debug('quota read failed', { err });
    }
  }

  /** Records the opened mailbox; a UIDVALIDITY other than the known one is a reset (full resync). */
  #onOpened(uidValidity: bigint, uidNext: number, modseq: bigint | null): void {
    const uv = String(uidValidity);
    const known = this.#known;
    if (known && known.uidValidity === uv) return;
    if (known) {
      this.#o.log.warn('UIDVALIDITY changed; clients must reload the mailbox', { from: known.uidValidity, to: uv });
      this.#o.push?.onReset(uv);
    }
    this.#known = { uidValidity: uv, uidNext, modseq };
  }

  #listenForMessages(client: ImapFlow): void {
    const push = this.#o.push;
    if (!push) return;
    client.on('flags', (data: FlagsEvent) => {
      const known = this.#known;
      // With QRESYNC/CONDSTORE enabled the server includes UID in unsolicited FETCH (RFC 7162 §3.2.4).
      if (!known || data.uid === undefined) {
        this.#o.log.debug('flags change without UID; counts only', { seq: data.seq });
        return;
      }
      const id: MessageId = {
        accountId: push.accountId,
        mailbox: this.#o.mailbox,
        uidValidity: known.uidValidity,
        uid: data.uid,
      };
      push.onFlags(id, [...data.flags]);
    });
    client.on('expunge', (data: ExpungeEvent) => {
      const known = this.#known;
      if (!known || data.uid === undefined) {
        this.#o.log.debug('expunge without UID (no QRESYNC); counts only', { seq: data.seq });
        return;
      }
      // VANISHED names ranges; imapflow emits one event per UID: batch them into one event.
      if (!this.#vanished) {
        this.#vanished = { uidValidity: known.uidValidity, uids: [] };
        setImmediate(() => {
          const batch = this.#vanished;
          this.#vanished = null;
          if (batch?.uids.length) push.onExpunged(batch.uidValidity, batch.uids);
        });
      }
      this.#vanished.uids.push(data.uid);
    });
  }

  /**
   * After STATUS: rows of messages with UID >= the last UIDNEXT, fetched on this connection
   * (O(new), only the newest Limits.newMessageRowsMax UIDs), then the known UIDNEXT/modseq advance.
   */
  async #pushNew(client: ImapFlow, uidNext: number | undefined, modseq: bigint | undefined): Promise<void> {
    const push = this.#o.push;
    const known = this.#known;
    if (!push || !known || uidNext === undefined) return;
    if (uidNext > known.uidNext) {
      const from = Math.max(known.uidNext, uidNext - Limits.newMessageRowsMax);
      // Advanced first: a message that breaks the fetch must not be retried on every reconnect.
      known.uidNext = uidNext;
      try {
        const fetched = await fetchRows(
          client,
          `${from}:${uidNext - 1}`,
          { uid: true },
          { accountId: push.accountId, mailbox: this.#o.mailbox, uidValidity: known.uidValidity },
        );
        const rows = fetched.map((f) => f.row).filter((r) => r.id.uid >= from);
        if (rows.length) push.onNew(rows);
      } catch (err) {
        if (!client.usable) throw err;
        this.#o.log.warn('fetching new message rows failed; counts only', { err, from, uidNext });
      }
    }
    if (modseq !== undefined) known.modseq = modseq;
  }
}

function abortion(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
