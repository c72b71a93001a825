// Over 500 lines, knowingly: one account's watcher connection as a single state machine (connect
// with deadlines, IDLE and its liveness probe, STATUS polling of the other folders, expunge UIDs
// without QRESYNC, backoff with TCP probes). Its parts share the connection and its in-flight
// state; the next split to make is the folder poller and the expunge tracker into their own files.
import { ImapFlow, type ExpungeEvent, type FlagsEvent, type ImapFlowOptions } from 'imapflow';
import {
  backoffDelay,
  ErrorCode,
  Limits,
  type MailboxCount,
  type MessageId,
  type MessageRow,
} from '../../../shared/index.js';
import type { HealthInput } from '../accounts/account-health.js';
import { imapflowLogger, type Logger } from '../log.js';
import { logoutWithin } from './logout.js';
import { classifyImapError } from './classify-error.js';
import { imapFlowOptions, withReachPolicy, type ServerSettings } from './client-options.js';
import { guardedLookup, type ReachPolicy } from '../net/reach-policy.js';
import type { ImapAuth, ImapCredentials } from './credentials.js';
import type { DeadlineError } from './deadline.js';
import { isDeadlineError, withDeadline } from './deadline.js';
import { fetchRows } from './message-rows.js';
import { syncWindow } from './operations/sync-window.js';
import { hasQuota, readQuota, type Quota } from './quota.js';
import { tcpAccepts } from './tcp-probe.js';
import { DEFAULT_IMAP_TIMINGS, type ImapTimings } from './timings.js';
import { sleep } from '../util/sleep.js';

/**
 * Per-message push (on top of counts): rows of new mail, flag changes and expunges, itemised
 * with message identities, and UIDVALIDITY resets. Optional, so a bare count watcher stays cheap.
 */
export interface WatcherPush {
  accountId: string;
  /** New messages (UID >= the last UIDNEXT seen), newest first, at most Limits.newMessageRowsMax. */
  onNew: (rows: MessageRow[]) => void;
  /** A message's flags now; `modseq` (CONDSTORE) orders the reports of one message. */
  onFlags: (id: MessageId, flags: string[], modseq?: bigint) => void;
  /** UIDs that left the mailbox (QRESYNC VANISHED; servers without QRESYNC give no UIDs). */
  onExpunged: (uidValidity: string, uids: number[]) => void;
  /** The mailbox's UIDVALIDITY changed: everything known about it is stale. */
  onReset: (uidValidity: string) => void;
  /**
   * A polled (non-IDLE) folder's UIDNEXT grew from `fromUid` to `uidNext`: the runtime fetches
   * the new rows on its command connection, so the watcher never leaves the IDLE mailbox.
   */
  onPolledNew?: (mailbox: string, uidValidity: string, fromUid: number, uidNext: number) => void;
  /** A polled folder's UIDVALIDITY changed (seen by STATUS): everything known about it is stale. */
  onPolledReset?: (mailbox: string, uidValidity: string) => void;
}

export interface MailboxWatcherOptions {
  settings: ServerSettings;
  /** Which addresses the watcher may reach (its connections and TCP probes), after DNS resolution. */
  reach: ReachPolicy;
  /** Asked for every connection attempt: the password is decrypted, a token refreshed, only when needed. */
  credentials: ImapCredentials;
  /** The mailbox kept in IDLE (INBOX, or the first watched folder). */
  mailbox: string;
  /**
   * Other watched folders: refreshed with STATUS every `timings.folderPollMs` on this same
   * connection, so an account needs at most two connections however many folders are watched.
   */
  polled?: string[];
  log: Logger;
  onCounts: (counts: MailboxCount) => void;
  /** Every change of what the watcher knows about the account's health. */
  onHealth: (health: HealthInput) => void;
  push?: WatcherPush;
  /**
   * Storage quota (RFC 9208) of the account, read after counts on this connection: at the start
   * of every session, then at most every Limits.quotaRefreshMinMs when the mailbox changes (new
   * mail). Null when the server has no QUOTA.
   */
  onQuota?: (quota: Quota | null) => void;
  /** Whether a browser is listening: then backoff is capped low and reachability is probed. */
  listening?: () => boolean;
  timings?: ImapTimings;
  now?: () => number;
  random?: () => number;
  /** Tests and benchmarks may observe the raw client; defaults to `new ImapFlow(options)`. */
  createClient?: (options: ImapFlowOptions) => ImapFlow;
}

/** Failures at the TCP level: nobody accepted the connection, so a TCP probe tells when to retry. */
const TCP_LEVEL_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'CONNECT_TIMEOUT', 'ETIMEDOUT']);

function rawCode(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
}

/**
 * The account's watcher connection: keeps one mailbox selected (read-only, EXAMINE) in IDLE and
 * reports its unread/total counts whenever the server pushes EXISTS, EXPUNGE or a FETCH with
 * flags — whichever client caused them — and refreshes the other watched folders with STATUS at
 * a fixed interval on the same connection.
 *
 * Every command has a deadline (timings.commandTimeoutMs); a server that sent nothing, or was not
 * asked for STATUS, for timings.idleProbeMs is probed with DONE + NOOP, and one that does not
 * answer is declared frozen: the connection is destroyed and replaced (whose session re-reads
 * everything). One that answers gets its watched folders re-checked, as a link that dropped
 * bytes and healed may have lost pushes. Reconnects with jittered backoff (capped low while a
 * browser listens; a TCP probe ends the wait as soon as a server that was down accepts
 * connections); after AUTH_FAILED it waits `Limits.authFailedRetryMs` so a wrong password never
 * storms the server.
 *
 * imapflow instances are single-use: every attempt builds a new one.
 */
export class MailboxWatcher {
  #health: HealthInput = { kind: 'stopped' };
  #abort = new AbortController();
  #client: ImapFlow | null = null;
  #refreshing = false;
  #dirty = false;
  #running: Promise<void> | null = null;
  /** Set while online: probes the server now (e.g. after a command on another connection timed out). */
  #probeNow: (() => void) | null = null;
  /**
   * What the last session knew, kept across reconnects: mail that arrived while disconnected is
   * pushed as message.new, and QRESYNC (RFC 7162 §3.2.5) replays flag changes and expunges since
   * `modseq` on the next SELECT.
   */
  #known: { uidValidity: string; uidNext: number; modseq: bigint | null } | null = null;
  /** UIDVALIDITY and UIDNEXT of each polled folder from its last STATUS. */
  readonly #polledKnown = new Map<string, { uidValidity: string; uidNext: number }>();
  #vanished: { uidValidity: string; uids: number[] } | null = null;
  /**
   * Without QRESYNC an EXPUNGE names only a sequence number. The UIDs of the newest messages
   * (the window the extension caches) are kept here, and after an EXPUNGE the ones gone are found
   * with one UID FETCH over this set, so message.expunged carries UIDs "where possible": for the
   * newest Limits.cacheRowsPerScope messages; older ones change counts only.
   */
  #tail = new Set<number>();
  #tailCheck: Promise<void> | null = null;
  /** When the current session went live (null while not live); see Limits.imapStableSessionMs. */
  #liveAt: number | null = null;
  /** Bumped on every change the server pushes and on every (re)open; see changeVersion. */
  #version = 0;
  /** The session client whose quota was last read, and when; a new session reads it again. */
  #quotaRead: { client: ImapFlow; at: number } | null = null;
  /** When the IDLE mailbox was last re-read with STATUS (its new mail pushed): see #keepWatching. */
  #checkedAt = 0;
  /** When each folder's counts were last read from the server (epoch ms). */
  readonly countsAt = new Map<string, number>();
  readonly #o: MailboxWatcherOptions;
  readonly #t: ImapTimings;
  readonly #now: () => number;

  constructor(options: MailboxWatcherOptions) {
    this.#o = options;
    this.#t = options.timings ?? DEFAULT_IMAP_TIMINGS;
    this.#now = options.now ?? Date.now;
  }

  get health(): HealthInput {
    return this.#health;
  }

  /**
   * A number that changes whenever the server pushed a change to the IDLE mailbox (EXISTS,
   * EXPUNGE, FETCH) or the watcher reconnected; null for other mailboxes and while not live
   * (changes may go unheard). The command connection skips its NOOP when this has not moved.
   */
  changeVersion(mailbox: string): number | null {
    const same = mailbox === this.#o.mailbox || (mailbox.toUpperCase() === 'INBOX' && this.#o.mailbox === 'INBOX');
    return same && this.#health.kind === 'live' ? this.#version : null;
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
    this.#report({ kind: 'stopped' });
  }

  /** Forces a reconnect now (e.g. after the password was changed). */
  kick(): void {
    this.#client?.close();
  }

  /** Checks now that the server still answers (a command elsewhere just timed out). */
  probe(): void {
    this.#probeNow?.();
  }

  #report(health: HealthInput): void {
    this.#health = health;
    this.#o.onHealth(health);
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    let retriedAuth = false;
    let failures = 0;
    /** Sessions in a row that dropped soon after going live. */
    let flaps = 0;
    this.#report({ kind: 'catching_up', attempts: 0 });
    while (!signal.aborted) {
      this.#liveAt = null;
      const outcome = await this.#session(signal);
      if (signal.aborted) return;
      const liveMs = this.#liveAt === null ? 0 : this.#now() - this.#liveAt;
      if (outcome.wasOnline) retriedAuth = false;
      const classified = classifyImapError(outcome.error);
      if (classified.code === ErrorCode.AUTH_FAILED && outcome.auth && !retriedAuth) {
        // An OAuth2 token the server refused (expired early, revoked): refresh once and retry
        // now, instead of waiting out the AUTH_FAILED delay. A refused refresh ends up below.
        retriedAuth = true;
        const retry = await this.#o.credentials.refused(outcome.auth).catch((err: unknown) => {
          outcome.error = err;
          return false;
        });
        if (retry) {
          this.#o.log.info('sign-in refused; retrying with fresh credentials', { mailbox: this.#o.mailbox });
          continue;
        }
      }
      const error = classifyImapError(outcome.error);
      if (error.code === ErrorCode.REAUTH_REQUIRED) {
        // Retrying cannot help until the user signs in again, which replaces this watcher.
        this.#o.log.warn('sign-in needs the user again', { mailbox: this.#o.mailbox, message: error.message });
        this.#report({
          kind: 'failed',
          code: error.code,
          detail: error.message,
          frozenLimitMs: null,
          retryAt: null,
          attempts: failures + 1,
        });
        await abortion(signal);
        return;
      }
      const code = rawCode(outcome.error);
      const listening = this.#o.listening?.() ?? false;
      let delay: number;
      if (outcome.wasOnline && error.code !== ErrorCode.AUTH_FAILED) {
        // A connection that worked and dropped (server restart, network blip, frozen IDLE): retry
        // soon and show "catching up" rather than flashing an error for a transient loss.
        failures = 0;
        // One early drop retries as soon as ever (a restart); from the second in a row the delay grows.
        flaps = liveMs >= Limits.imapStableSessionMs ? 0 : flaps + 1;
        delay = backoffDelay({
          attempt: Math.max(0, flaps - 1),
          baseMs: Limits.imapBackoffBaseMs,
          maxMs: listening ? Limits.imapBackoffMaxWatchedMs : Limits.imapBackoffMaxMs,
          random: this.#o.random,
        });
        this.#o.log.info('connection lost; reconnecting', { code: error.code, message: error.message, delay });
        if (isDeadlineError(outcome.error)) this.#reportFailure(outcome.error, 1, delay);
        else this.#report({ kind: 'catching_up', attempts: 1 });
      } else {
        delay =
          error.code === ErrorCode.AUTH_FAILED
            ? Limits.authFailedRetryMs
            : backoffDelay({
                attempt: failures,
                baseMs: Limits.imapBackoffBaseMs,
                maxMs: listening ? Limits.imapBackoffMaxWatchedMs : Limits.imapBackoffMaxMs,
                random: this.#o.random,
              });
        failures += 1;
        this.#o.log.warn('connection failed', { code: error.code, message: error.message, delay });
        // imapflow's CONNECT_TIMEOUT covers TCP and TLS: a server whose port accepts but never
        // completes the handshake is frozen (e.g. stopped processes), not unreachable.
        const frozen =
          (code === 'CONNECT_TIMEOUT' || code === 'ETIMEDOUT') &&
          (await tcpAccepts({ ...this.#target(), timeoutMs: Math.min(2_000, this.#t.connectTimeoutMs) }));
        if (signal.aborted) return;
        this.#reportFailure(outcome.error, failures, delay, frozen ? this.#t.connectTimeoutMs : null);
      }
      await this.#wait(delay, TCP_LEVEL_CODES.has(code) && error.code !== ErrorCode.AUTH_FAILED, signal);
    }
  }

  #target(): { host: string; port: number; lookup: ReturnType<typeof guardedLookup> } {
    return { host: this.#o.settings.host, port: this.#o.settings.port, lookup: guardedLookup(this.#o.reach) };
  }

  #reportFailure(err: unknown, attempts: number, delay: number, frozenMs: number | null = null): void {
    const error = classifyImapError(err);
    const code = rawCode(err);
    const frozenLimitMs = isDeadlineError(err)
      ? err.limitMs
      : code === 'GREETING_TIMEOUT' || code === 'UPGRADE_TIMEOUT'
        ? this.#t.connectTimeoutMs
        : frozenMs;
    this.#report({
      kind: 'failed',
      code: error.code,
      detail: error.message,
      frozenLimitMs,
      retryAt: this.#now() + delay,
      attempts,
    });
  }

  /**
   * Sleeps `delay`; after a TCP-level failure, while a browser listens, a TCP connect every
   * timings.reachabilityProbeMs ends the wait as soon as the server accepts connections again.
   */
  async #wait(delay: number, probe: boolean, signal: AbortSignal): Promise<void> {
    const until = this.#now() + delay;
    const interval = this.#t.reachabilityProbeMs;
    if (!probe || delay <= interval) return sleep(delay, signal);
    while (!signal.aborted && this.#now() < until) {
      await sleep(Math.min(interval, until - this.#now()), signal);
      if (signal.aborted || this.#now() >= until || !(this.#o.listening?.() ?? false)) continue;
      if (await tcpAccepts({ ...this.#target(), timeoutMs: interval })) {
        this.#o.log.info('the server accepts connections again; reconnecting now');
        return;
      }
    }
  }

  /** One connection's lifetime. Resolves (never rejects) with why it ended and what it signed in with. */
  async #session(signal: AbortSignal): Promise<{ wasOnline: boolean; error: unknown; auth?: ImapAuth | undefined }> {
    let wasOnline = false;
    let client: ImapFlow;
    let auth: ImapAuth;
    const t = this.#t;
    try {
      auth = await this.#o.credentials.get();
      const base = imapFlowOptions(this.#o.settings, auth, {
        disableAutoIdle: true,
        maxIdleTime: Limits.idleReissueMs,
        connectionTimeout: t.connectTimeoutMs,
        greetingTimeout: t.connectTimeoutMs,
        // EXPUNGE then arrives as VANISHED with UIDs (RFC 7162 §3.2.10), so message.expunged can
        // name the messages without a sequence-to-UID map of the whole mailbox.
        qresync: true,
        logger: imapflowLogger(this.#o.log),
      });
      const options = withReachPolicy(base, this.#o.reach);
      client = this.#o.createClient ? this.#o.createClient(options) : new ImapFlow(options);
    } catch (err) {
      return { wasOnline, error: err };
    }
    this.#client = client;
    let lastError: unknown = null;
    // Every emitter gets an error listener (an unhandled 'error' event would kill the process).
    client.on('error', (err: unknown) => {
      lastError ??= err;
    });
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    const onAbort = () => void logoutWithin(client, Limits.imapLogoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    /** Runs one command under the deadline; a missed deadline destroys this connection. */
    const bounded = <T>(work: Promise<T>, what: string, ms = t.commandTimeoutMs): Promise<T> =>
      withDeadline(work, {
        ms,
        what,
        onExpire: (err: DeadlineError) => {
          lastError = err;
          this.#o.log.warn('the server missed a deadline; closing the connection', { what, ms });
          client.close();
        },
      });
    const timers: NodeJS.Timeout[] = [];
    try {
      await bounded(client.connect(), 'the connection and sign-in', t.connectTimeoutMs + t.commandTimeoutMs);
      if (signal.aborted) return { wasOnline, error: new Error('stopped') };
      // Before SELECT: with QRESYNC the SELECT itself reports what changed while disconnected.
      this.#listenForMessages(client, bounded);
      const known = this.#known;
      const resync =
        known && known.modseq !== null && client.enabled.has('QRESYNC')
          ? { uidValidity: known.uidValidity, changedSince: known.modseq }
          : {};
      const opened = await bounded(client.mailboxOpen(this.#o.mailbox, { readOnly: true, ...resync }), 'SELECT');
      const resumed = known?.uidValidity === String(opened.uidValidity);
      this.#onOpened(opened.uidValidity, opened.uidNext, opened.highestModseq ?? null);
      // Without QRESYNC the SELECT replays nothing: ask what changed while disconnected (flags
      // since the known modseq, expunges of the last session's newest UIDs) before they are re-read.
      if (resumed && !client.enabled.has('QRESYNC')) await this.#recheckMessages(client, bounded);
      await this.#readTail(client, bounded, opened.exists);
      this.#version += 1;
      const refresh = (kind: string) => () => {
        this.#version += 1;
        // `at` is epoch ms with sub-ms precision: the push benchmark measures from here to the badge.
        this.#o.log.debug('mailbox changed', { kind, at: performance.timeOrigin + performance.now() });
        this.#scheduleRefresh(client, bounded);
      };
      client.on('exists', refresh('exists'));
      client.on('expunge', refresh('expunge'));
      client.on('flags', refresh('flags'));
      await this.#refresh(client, bounded);
      await this.#pollFolders(client, bounded);
      wasOnline = true;
      this.#liveAt = this.#now();
      this.#report({ kind: 'live' });
      void this.#idleLoop(client);
      timers.push(...this.#keepWatching(client, bounded));
      await closed;
      return {
        wasOnline,
        error: lastError ?? Object.assign(new Error('connection closed by the server'), { code: 'NoConnection' }),
      };
    } catch (err) {
      return { wasOnline, error: isDeadlineError(lastError) ? lastError : err, auth };
    } finally {
      for (const timer of timers) clearInterval(timer);
      this.#probeNow = null;
      signal.removeEventListener('abort', onAbort);
      client.close();
      if (this.#client === client) this.#client = null;
    }
  }

  /**
   * While live: probe the server (DONE + NOOP, then a re-check of the watched folders) after
   * timings.idleProbeMs without a byte from it or without a STATUS of the IDLE mailbox, and
   * refresh the polled folders every timings.folderPollMs.
   */
  #keepWatching(client: ImapFlow, bounded: Bounded): NodeJS.Timeout[] {
    const t = this.#t;
    let heard = client.stats().received;
    let heardAt = this.#now();
    let probing = false;
    const probe = () => {
      if (probing || !client.usable) return;
      probing = true;
      this.#o.log.debug('probing the server (DONE + NOOP)');
      // Breaking IDLE for NOOP: the idle loop re-enters IDLE once it is answered.
      bounded(client.noop(), 'the liveness probe (DONE + NOOP)', t.idleProbeTimeoutMs)
        .then(
          () =>
            this.#recheck(client, bounded).catch((err: unknown) =>
              this.#o.log.debug('re-check after the probe failed', { err }),
            ),
          (err: unknown) => this.#o.log.debug('liveness probe failed', { err }),
        )
        .finally(() => (probing = false));
    };
    this.#probeNow = probe;
    const check = setInterval(
      () => {
        const now = this.#now();
        const received = client.stats().received;
        if (received !== heard) {
          heard = received;
          heardAt = now;
        }
        // Silence: the server may be gone. Unchecked: bytes heard (a keepalive such as Dovecot's
        // "* OK Still here") prove that the link carries bytes now, not that it lost none while
        // it dropped them; the probe's re-check finds out.
        const silent = now - heardAt >= t.idleProbeMs;
        const unchecked = now - this.#checkedAt >= t.idleProbeMs && !this.#refreshing;
        if (silent || unchecked) {
          heardAt = now;
          this.#checkedAt = now;
          probe();
        }
      },
      Math.max(50, Math.floor(t.idleProbeMs / 4)),
    );
    const timers = [check];
    if (this.#o.polled?.length) {
      timers.push(
        setInterval(() => {
          this.#pollFolders(client, bounded).catch((err: unknown) =>
            this.#o.log.debug('polling folders failed', { err }),
          );
        }, t.folderPollMs),
      );
    }
    for (const timer of timers) timer.unref();
    return timers;
  }

  /**
   * After a probe the server answered. A link that dropped bytes while both TCP sessions stayed
   * up (a middlebox losing state, a blackholed route that healed) lost whatever the server pushed
   * meanwhile, and nothing else would tell until the next change: re-read every watched folder
   * against what was last reported. Flag changes and expunges since the known modseq (CONDSTORE;
   * VANISHED with QRESYNC) or of the newest UIDs (without QRESYNC) first, as the STATUS refresh
   * advances that modseq; then counts and new mail through the same refresh an EXISTS runs
   * (serialised, from the known UIDNEXT), so mail IDLE also reports is pushed once; then the
   * polled folders. On a quiet account that is a few commands per timings.idleProbeMs.
   */
  async #recheck(client: ImapFlow, bounded: Bounded): Promise<void> {
    await this.#recheckMessages(client, bounded);
    // The command connection may not skip its NOOP: changes may have gone unheard.
    this.#version += 1;
    this.#scheduleRefresh(client, bounded);
    await this.#pollFolders(client, bounded);
  }

  /**
   * Flag changes and expunges since the known modseq (CONDSTORE; expunges arrive as VANISHED
   * (EARLIER) with QRESYNC, through the expunge listener), and without QRESYNC the expunges among
   * the newest UIDs. A flag change IDLE reported too is re-sent with the same flags: harmless.
   * A failure leaves counts and new mail to the STATUS refresh (rejects only if the connection died).
   */
  async #recheckMessages(client: ImapFlow, bounded: Bounded): Promise<void> {
    const push = this.#o.push;
    const known = this.#known;
    if (!push || !known || !client.usable) return;
    try {
      await this.#changesSinceKnown(client, bounded, push, known);
    } catch (err) {
      if (!client.usable) throw err;
      this.#o.log.debug('re-reading flags and expunges failed; counts and new mail only', { err });
    }
  }

  async #changesSinceKnown(
    client: ImapFlow,
    bounded: Bounded,
    push: WatcherPush,
    known: { uidValidity: string; uidNext: number; modseq: bigint | null },
  ): Promise<void> {
    if (client.enabled.has('CONDSTORE') && known.modseq !== null) {
      const changed = await bounded(
        client.fetchAll('1:*', { uid: true, flags: true }, { uid: true, changedSince: known.modseq }),
        'UID FETCH of changes since the known modseq',
      );
      const { accountId } = push;
      for (const message of changed) {
        // Newer UIDs are new mail: the refresh after this pushes them as such, once.
        if (message.uid >= known.uidNext || !message.flags) continue;
        const id: MessageId = { accountId, mailbox: this.#o.mailbox, uidValidity: known.uidValidity, uid: message.uid };
        push.onFlags(id, [...message.flags], message.modseq);
      }
    }
    if (!client.enabled.has('QRESYNC')) await this.#checkTail(client, bounded);
  }

  /** STATUS of every polled folder; new mail in one (UIDNEXT grew) goes to push.onPolledNew. */
  async #pollFolders(client: ImapFlow, bounded: Bounded): Promise<void> {
    for (const path of this.#o.polled ?? []) {
      if (!client.usable) return;
      let status;
      try {
        status = await bounded(
          client.status(path, { messages: true, unseen: true, uidNext: true, uidValidity: true }),
          `STATUS ${path.slice(0, 100)}`,
        );
      } catch (err) {
        if (!client.usable) throw err;
        // A watched folder that was deleted must not take the account down: its count stays.
        this.#o.log.warn('STATUS of a watched folder failed', { mailbox: path, err });
        continue;
      }
      if (!status) continue;
      this.countsAt.set(path, this.#now());
      this.#o.onCounts({ path, unread: status.unseen ?? 0, total: status.messages ?? 0 });
      const uidValidity = status.uidValidity !== undefined ? String(status.uidValidity) : null;
      const uidNext = status.uidNext;
      if (uidValidity === null || uidNext === undefined) continue;
      const prev = this.#polledKnown.get(path);
      // Two polls may overlap (the interval and a re-check): UIDNEXT only moves forward, so each
      // range of new mail is announced once.
      if (prev && prev.uidValidity === uidValidity && uidNext <= prev.uidNext) continue;
      this.#polledKnown.set(path, { uidValidity, uidNext });
      if (!prev) continue;
      if (prev.uidValidity !== uidValidity) {
        this.#o.log.info('polled folder was reset', { mailbox: path });
        this.#o.push?.onPolledReset?.(path, uidValidity);
      } else if (uidNext > prev.uidNext) this.#o.push?.onPolledNew?.(path, uidValidity, prev.uidNext, uidNext);
    }
  }

  /**
   * Keeps the connection in IDLE. imapflow's idle() returns whenever IDLE is broken — to run a
   * STATUS, or after maxIdleTime (re-issued at most every Limits.idleReissueMs) — so loop.
   */
  async #idleLoop(client: ImapFlow): Promise<void> {
    while (client.usable && !this.#abort.signal.aborted) {
      const started = this.#now();
      const ok = await client.idle().catch(() => false);
      if (ok === false && client.usable) {
        // IDLE failed but the connection lives (server refused IDLE): avoid a hot loop.
        await sleep(1_000, this.#abort.signal);
      } else if (this.#now() - started < 50) {
        // idle() returns at once while another command (a probe's DONE + NOOP, a STATUS) waits
        // for the server: re-entering it in a microtask loop would starve every timer of the
        // process, the probe's deadline included. Yield to the event loop and let that command end.
        await sleep(100, this.#abort.signal);
      }
    }
  }

  /** Coalesces bursts: at most one STATUS in flight, and one more if something changed meanwhile. */
  #scheduleRefresh(client: ImapFlow, bounded: Bounded): void {
    if (this.#refreshing) {
      this.#dirty = true;
      return;
    }
    this.#refresh(client, bounded).catch((err: unknown) => this.#o.log.warn('count refresh failed', { err }));
  }

  async #refresh(client: ImapFlow, bounded: Bounded): Promise<void> {
    this.#refreshing = true;
    try {
      do {
        this.#dirty = false;
        const status = await bounded(
          client.status(this.#o.mailbox, {
            messages: true,
            unseen: true,
            uidNext: this.#o.push !== undefined,
            highestModseq: this.#o.push !== undefined && client.enabled.has('CONDSTORE'),
          }),
          'STATUS',
        );
        if (!status) throw Object.assign(new Error(`STATUS ${this.#o.mailbox} failed`), { code: 'StatusFailed' });
        this.countsAt.set(this.#o.mailbox, this.#now());
        this.#checkedAt = this.#now();
        this.#o.onCounts({ path: this.#o.mailbox, unread: status.unseen ?? 0, total: status.messages ?? 0 });
        await this.#pushNew(client, bounded, status.uidNext, status.highestModseq);
      } while (this.#dirty && client.usable);
      await this.#refreshQuota(client, bounded);
    } finally {
      this.#refreshing = false;
    }
  }

  /** Reads the quota once per session and then at most every Limits.quotaRefreshMinMs. */
  async #refreshQuota(client: ImapFlow, bounded: Bounded): Promise<void> {
    const onQuota = this.#o.onQuota;
    if (!onQuota) return;
    const last = this.#quotaRead;
    const now = this.#now();
    if (last && last.client === client && now - last.at < Limits.quotaRefreshMinMs) return;
    this.#quotaRead = { client, at: now };
    if (!hasQuota(client)) return onQuota(null);
    try {
      onQuota(await bounded(readQuota(client), 'GETQUOTAROOT'));
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

  #listenForMessages(client: ImapFlow, bounded: Bounded): void {
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
      push.onFlags(id, [...data.flags], data.modseq);
    });
    client.on('expunge', (data: ExpungeEvent) => {
      const known = this.#known;
      if (!known) return;
      if (data.uid === undefined) {
        // No QRESYNC: find which of the newest messages went (once per burst of EXPUNGEs).
        if (this.#tailCheck) return;
        this.#tailCheck = new Promise<void>((resolve) => setImmediate(resolve))
          .then(() => this.#checkTail(client, bounded))
          .catch((err: unknown) => this.#o.log.debug('expunge UID check failed; counts only', { err }))
          .finally(() => (this.#tailCheck = null));
        return;
      }
      this.#tail.delete(data.uid);
      this.#queueExpunged(known.uidValidity, [data.uid]);
    });
  }

  /** VANISHED names ranges; imapflow emits one event per UID: batch them into one event. */
  #queueExpunged(uidValidity: string, uids: number[]): void {
    const push = this.#o.push;
    if (!push || uids.length === 0) return;
    if (!this.#vanished) {
      this.#vanished = { uidValidity, uids: [] };
      setImmediate(() => {
        const batch = this.#vanished;
        this.#vanished = null;
        if (batch?.uids.length) push.onExpunged(batch.uidValidity, batch.uids);
      });
    }
    this.#vanished.uids.push(...uids);
  }

  /** Without QRESYNC: the UIDs of the newest messages, by sequence number, at session start. */
  async #readTail(client: ImapFlow, bounded: Bounded, exists: number): Promise<void> {
    this.#tail = new Set();
    if (!this.#o.push || client.enabled.has('QRESYNC') || exists === 0) return;
    const from = Math.max(1, exists - Limits.cacheRowsPerScope + 1);
    const rows = await bounded(client.fetchAll(`${from}:*`, { uid: true }), 'FETCH of the newest UIDs');
    for (const row of rows) this.#tail.add(row.uid);
  }

  /** After an EXPUNGE without UID: which tail UIDs are gone (one UID FETCH over the tail). */
  async #checkTail(client: ImapFlow, bounded: Bounded): Promise<void> {
    const known = this.#known;
    if (!known || this.#tail.size === 0 || !client.usable) return;
    const uids = [...this.#tail];
    const { vanished } = await bounded(syncWindow(client, uids), 'UID FETCH of the newest UIDs');
    // Two checks may overlap (an EXPUNGE and a re-check): a UID leaves the tail, and is reported, once.
    this.#queueExpunged(
      known.uidValidity,
      vanished.filter((uid) => this.#tail.delete(uid)),
    );
  }

  /**
   * After STATUS: rows of messages with UID >= the last UIDNEXT, fetched on this connection
   * (O(new), only the newest Limits.newMessageRowsMax UIDs), then the known UIDNEXT/modseq advance.
   */
  async #pushNew(
    client: ImapFlow,
    bounded: Bounded,
    uidNext: number | undefined,
    modseq: bigint | undefined,
  ): Promise<void> {
    const push = this.#o.push;
    const known = this.#known;
    if (!push || !known || uidNext === undefined) return;
    if (uidNext > known.uidNext) {
      const from = Math.max(known.uidNext, uidNext - Limits.newMessageRowsMax);
      // Advanced first: a message that breaks the fetch must not be retried on every reconnect.
      known.uidNext = uidNext;
      try {
        const fetched = await bounded(
          fetchRows(
            client,
            `${from}:${uidNext - 1}`,
            { uid: true },
            { accountId: push.accountId, mailbox: this.#o.mailbox, uidValidity: known.uidValidity },
          ),
          'FETCH of new messages',
        );
        const rows = fetched.map((f) => f.row).filter((r) => r.id.uid >= from);
        if (!client.enabled.has('QRESYNC')) {
          this.#trackTail(rows.map((r) => r.id.uid));
          // A UID below UIDNEXT that is already gone was expunged before this FETCH — possibly
          // while its EXPUNGE was checked against a tail that did not hold it yet (seen under
          // load): report it, so a client that listed it meanwhile drops it.
          const got = new Set(rows.map((r) => r.id.uid));
          const gone: number[] = [];
          for (let uid = from; uid < uidNext; uid++) if (!got.has(uid)) gone.push(uid);
          this.#queueExpunged(known.uidValidity, gone);
        }
        if (rows.length) push.onNew(rows);
      } catch (err) {
        if (!client.usable) throw err;
        this.#o.log.warn('fetching new message rows failed; counts only', { err, from, uidNext });
      }
    }
    if (modseq !== undefined) known.modseq = modseq;
  }

  /** New mail joins the tail; the oldest fall out past Limits.cacheRowsPerScope. */
  #trackTail(uids: number[]): void {
    for (const uid of uids) this.#tail.add(uid);
    if (this.#tail.size <= Limits.cacheRowsPerScope) return;
    const sorted = [...this.#tail].sort((a, b) => a - b);
    this.#tail = new Set(sorted.slice(sorted.length - Limits.cacheRowsPerScope));
  }
}

function abortion(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

type Bounded = <T>(work: Promise<T>, what: string, ms?: number) => Promise<T>;
