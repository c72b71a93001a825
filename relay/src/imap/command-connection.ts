import { ImapFlow, type FlagsEvent, type ImapFlowOptions, type MailboxObject } from 'imapflow';
import { ErrorCode, Limits, TidingsError } from '../../../shared/index.js';
import { imapflowLogger, type Logger } from '../log.js';
import { logoutWithin } from './logout.js';
import { classifyImapError } from './classify-error.js';
import { imapFlowOptions, withReachPolicy, type ServerSettings } from './client-options.js';
import type { ReachPolicy } from '../net/reach-policy.js';
import type { ImapCredentials } from './credentials.js';
import { DeadlineError, formatLimit, withDeadline } from './deadline.js';
import { RowCache } from './message-rows.js';
import { markIdleFree } from './row-fetch.js';
import { DEFAULT_IMAP_TIMINGS, type ImapTimings } from './timings.js';

export interface CommandConnectionOptions {
  settings: ServerSettings;
  /** Which addresses the connection may reach, checked after DNS resolution at every connect. */
  reach: ReachPolicy;
  /** Asked for every connection attempt: the password is decrypted, a token refreshed, only when needed. */
  credentials: ImapCredentials;
  log: Logger;
  /** Close after this much idle time (default Limits.commandConnectionIdleMs). */
  idleMs?: number;
  /** Tests and benchmarks may observe the raw client; defaults to `new ImapFlow(options)`. */
  createClient?: (options: ImapFlowOptions) => ImapFlow;
  /**
   * For mailboxes an IDLE watcher covers: a version that moves whenever the server pushed a
   * change (null = not covered, or the watcher is offline). A `refresh` skips its NOOP when the
   * version has not moved since this connection last synced the mailbox: push already says
   * nothing changed, and the round trip is saved on every popup list.
   */
  changeVersion?: (mailbox: string) => number | null;
  /** Row cache (default true); false only to benchmark the uncached path (TIDINGS_ROW_CACHE=off). */
  rowCache?: boolean;
  /** Deadlines (issue 8); default from shared/limits.ts. */
  timings?: ImapTimings;
  /** Called when a request's commands missed the deadline and the connection was destroyed. */
  onTimeout?: () => void;
  /**
   * Flag changes this connection hears of, with the mailbox they are in: the answers to its own
   * STOREs (with the new modseq under CONDSTORE) and changes a NOOP reports.
   */
  onFlags?: (change: FlagChange) => void;
  /**
   * For a connection whose requests stream for as long as a browser reads (attachment
   * downloads): no whole-request deadline, only the connect deadline and imapflow's socket
   * timeout, so a large file on a slow link is not cut off.
   */
  streaming?: boolean;
}

/** A message's flags as an IMAP server reported them (an untagged FETCH with FLAGS and a UID). */
export interface FlagChange {
  mailbox: string;
  uidValidity: string;
  uid: number;
  flags: string[];
  /** CONDSTORE's modification sequence of this state; absent without CONDSTORE. */
  modseq?: bigint;
}

/**
 * Where a request is, for the deadline's truthful message: waiting for the connection to open,
 * queued behind another request, or running its own commands on `running`.
 */
interface Phase {
  step: 'connecting' | 'queued' | 'running';
  running: ImapFlow | null;
}

/** The selected mailbox a `withMailbox` callback works in. */
export interface MailboxSession {
  client: ImapFlow;
  mailbox: MailboxObject;
  /** UIDVALIDITY as the wire carries it (imapflow gives a BigInt). */
  uidValidity: string;
  /** Immutable row parts cached for this connection's lifetime. */
  rows: RowCache;
}

export interface RunOptions {
  /** Aborted when the requesting socket closes; checked before waiting and before running. */
  signal?: AbortSignal;
  /**
   * Catch up on EXISTS/EXPUNGE first when the mailbox was already selected (NOOP, RFC 3501
   * §6.1.2). `'push'`: only when the IDLE watcher heard of a change since this connection last
   * synced (lists: as fresh as push, without a round trip per popup open). `'always'`: every
   * time (actions, which must not report success on a message another client just removed).
   */
  refresh?: 'push' | 'always';
  /** Operation name for the debug log (bytes read/written per operation). */
  op?: string;
}

/** Connection state as one discriminated union (CONVENTIONS.md 4), never a set of flags. */
type State =
  | { status: 'closed' }
  | { status: 'connecting'; ready: Promise<ImapFlow> }
  | { status: 'open'; client: ImapFlow }
  | { status: 'stopped' };

/**
 * One account's lazily opened IMAP connection for requests (listing, reading, actions), apart
 * from the IDLE watchers so a popup request never interrupts push. It opens on the first request
 * with `disableAutoIdle` (no IDLE between requests), serialises requests with imapflow's mailbox
 * lock (one mailbox selected at a time, commands of one request never interleaved with
 * another's), and logs out after `Limits.commandConnectionIdleMs` without requests.
 * imapflow instances are single-use: after a close the next request builds a new one.
 *
 * Errors leave as TidingsError with a protocol code (classifyImapError); a missing mailbox is
 * NOT_FOUND.
 *
 * @example
 * const rows = await commands.withMailbox('INBOX', ({ client }) => fetchRows(client, '1:*', ...));
 */
export class CommandConnection {
  #state: State = { status: 'closed' };
  #busy = 0;
  #idleTimer: NodeJS.Timeout | null = null;
  /** The selected mailbox and the watcher's change version when it was last synced (SELECT/NOOP). */
  #synced: { path: string; version: number | null } | null = null;
  /** Dropped with the connection: an idle account keeps no rows in memory. */
  #rows: RowCache;
  readonly #o: CommandConnectionOptions;
  readonly #idleMs: number;
  readonly #t: ImapTimings;

  constructor(options: CommandConnectionOptions) {
    this.#o = options;
    this.#idleMs = options.idleMs ?? Limits.commandConnectionIdleMs;
    this.#t = options.timings ?? DEFAULT_IMAP_TIMINGS;
    this.#rows = this.#newRowCache();
  }

  #newRowCache(): RowCache {
    return new RowCache(this.#o.rowCache === false ? 0 : Limits.rowCacheMax);
  }

  /** Whether a connection is open or opening (for tests and diagnostics). */
  get open(): boolean {
    return this.#state.status === 'open' || this.#state.status === 'connecting';
  }

  /**
   * Runs `fn` with the client without selecting a mailbox (LIST, STATUS). Such commands may run
   * between two commands of a lock holder, which is harmless for them.
   */
  async withClient<T>(fn: (client: ImapFlow) => Promise<T>, options: RunOptions = {}): Promise<T> {
    return this.#run(options, async (client, _signal, phase) => {
      phase.step = 'running';
      phase.running = client;
      return fn(client);
    });
  }

  /**
   * Runs `fn` holding the lock on `mailbox` (selected read-write). Nothing else runs on this
   * connection until `fn` settles, so sequence numbers it reads stay valid for its commands.
   */
  async withMailbox<T>(
    mailbox: string,
    fn: (session: MailboxSession) => Promise<T>,
    options: RunOptions = {},
  ): Promise<T> {
    return this.#run(options, async (client, signal, phase) => {
      const before = client.mailbox;
      // Read before SELECT/NOOP: a change pushed meanwhile moves the version and forces the next sync.
      const version = this.#o.changeVersion?.(mailbox) ?? null;
      const lock = await client
        .getMailboxLock(mailbox, { acquireTimeout: this.#t.commandTimeoutMs, description: options.op })
        .catch((err: unknown) => {
          if (isMailboxMissing(err))
            throw new TidingsError(ErrorCode.NOT_FOUND, `mailbox "${mailbox.slice(0, 200)}" does not exist`);
          throw err;
        });
      try {
        throwIfAborted(signal);
        phase.step = 'running';
        phase.running = client;
        const current = client.mailbox;
        if (!current) throw Object.assign(new Error('mailbox closed while locked'), { code: 'NoConnection' });
        // The fast path (already selected) skips SELECT, so EXISTS/EXPUNGE since the last command
        // have not been read yet: a NOOP collects them (RFC 3501 §6.1.2) — unless the watcher's
        // push says nothing happened since this connection last synced the mailbox.
        const fastPath = before !== false && before === current;
        const synced = this.#synced;
        const quiet = version !== null && synced !== null && synced.path === current.path && synced.version === version;
        if (fastPath && (options.refresh === 'always' || (options.refresh === 'push' && !quiet))) await client.noop();
        if (!fastPath || options.refresh) this.#synced = { path: current.path, version };
        const selected = client.mailbox;
        if (!selected) throw Object.assign(new Error('mailbox closed while locked'), { code: 'NoConnection' });
        // A mailbox reset (UIDVALIDITY changed): its old rows are dropped, never served again.
        this.#rows.retain(mailbox, String(selected.uidValidity));
        return await fn({ client, mailbox: selected, uidValidity: String(selected.uidValidity), rows: this.#rows });
      } finally {
        lock.release();
      }
    });
  }

  /** Logs out (or closes) and stays closed: later requests fail with UNREACHABLE. */
  async stop(): Promise<void> {
    const state = this.#state;
    this.#state = { status: 'stopped' };
    this.#clearIdleTimer();
    const client =
      state.status === 'open'
        ? state.client
        : state.status === 'connecting'
          ? await state.ready.catch(() => null)
          : null;
    if (client) await logoutWithin(client, Limits.imapLogoutMs);
  }

  /**
   * Runs a request under one deadline (timings.commandTimeoutMs) that covers its time in the
   * queue, the connect and its commands, so no request waits longer whatever is in flight. When
   * its own commands miss the deadline the connection is destroyed (a frozen server) and the next
   * request opens a new one; when it was only queued behind another, it fails alone.
   */
  async #run<T>(
    options: RunOptions,
    fn: (client: ImapFlow, signal: AbortSignal, phase: Phase) => Promise<T>,
  ): Promise<T> {
    throwIfAborted(options.signal);
    if (this.#o.streaming) {
      const streamPhase: Phase = { step: 'connecting', running: null };
      const streamSignal = options.signal ?? new AbortController().signal;
      return this.#attempts(options, streamSignal, streamPhase, fn).catch((err: unknown) => {
        throw toTidingsError(err);
      });
    }
    const expired = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, expired.signal]) : expired.signal;
    const phase: Phase = { step: 'connecting', running: null };
    const ms = this.#t.commandTimeoutMs;
    const what = options.op ?? 'the request';
    try {
      return await withDeadline(this.#attempts(options, signal, phase, fn), {
        ms,
        what,
        onExpire: () => {
          expired.abort();
          const client = phase.running;
          if (!client) return;
          this.#o.log.warn('the server missed the command deadline; replacing the connection', { op: options.op, ms });
          this.#forget(client);
          this.#o.onTimeout?.();
        },
      });
    } catch (err) {
      const limit = formatLimit(ms);
      if (err instanceof DeadlineError && phase.step === 'connecting')
        throw new TidingsError(
          ErrorCode.TIMEOUT,
          `The mail server did not complete the connection and sign-in within ${limit}; try again.`,
          { cause: err },
        );
      if (err instanceof DeadlineError && phase.step === 'queued')
        throw new TidingsError(
          ErrorCode.TIMEOUT,
          `${what} waited ${limit} behind an earlier request the mail server has not answered; try again.`,
          { cause: err },
        );
      throw toTidingsError(err);
    }
  }

  async #attempts<T>(
    options: RunOptions,
    signal: AbortSignal,
    phase: Phase,
    fn: (client: ImapFlow, signal: AbortSignal, phase: Phase) => Promise<T>,
  ): Promise<T> {
    this.#busy += 1;
    this.#clearIdleTimer();
    const started = performance.now();
    let client: ImapFlow | null = null;
    let statsBefore: { sent: number; received: number } | null = null;
    try {
      for (let attempt = 0; ; attempt++) {
        const reused = this.#state.status === 'open';
        phase.step = 'connecting';
        client = await this.#client();
        throwIfAborted(signal);
        phase.step = 'queued';
        statsBefore = { ...client.stats() };
        try {
          return await fn(client, signal, phase);
        } catch (err) {
          // A connection the server dropped while we were idle shows up on its first use. Retry
          // once on a fresh connection, but only when nothing can have been applied: the failure
          // is a dead connection and the client was not freshly opened for this request.
          if (attempt === 0 && reused && !client.usable && isConnectionError(err) && !signal.aborted) {
            this.#o.log.debug('command connection was dead; reconnecting', { op: options.op });
            this.#forget(client);
            phase.running = null;
            continue;
          }
          throw err;
        }
      }
    } finally {
      this.#busy -= 1;
      if (client && statsBefore && client.usable) {
        const stats = client.stats();
        this.#o.log.debug('imap operation', {
          op: options.op,
          ms: Math.round((performance.now() - started) * 100) / 100,
          bytesIn: stats.received - statsBefore.received,
          bytesOut: stats.sent - statsBefore.sent,
        });
      }
      this.#armIdleTimer();
    }
  }

  async #client(): Promise<ImapFlow> {
    const state = this.#state;
    switch (state.status) {
      case 'stopped':
        throw new TidingsError(ErrorCode.UNREACHABLE, 'the account is restarting; try again');
      case 'open':
        if (state.client.usable) return state.client;
        this.#forget(state.client);
        return this.#client();
      case 'connecting':
        return state.ready;
      case 'closed': {
        const ready = this.#connect();
        this.#state = { status: 'connecting', ready };
        try {
          const client = await ready;
          // Re-read: stop() may have run while connecting (TS narrowed #state before the await).
          const now = this.#current();
          if (now.status === 'connecting' && now.ready === ready) this.#state = { status: 'open', client };
          else if (now.status === 'stopped') {
            await logoutWithin(client, Limits.imapLogoutMs);
            throw new TidingsError(ErrorCode.UNREACHABLE, 'the account is restarting; try again');
          }
          return client;
        } catch (err) {
          const now = this.#current();
          if (now.status === 'connecting' && now.ready === ready) this.#state = { status: 'closed' };
          throw err;
        }
      }
    }
  }

  #current(): State {
    return this.#state;
  }

  async #connect(): Promise<ImapFlow> {
    for (let attempt = 0; ; attempt++) {
      const auth = await this.#o.credentials.get();
      try {
        return await this.#open(
          withReachPolicy(
            imapFlowOptions(this.#o.settings, auth, {
              disableAutoIdle: true,
              logger: imapflowLogger(this.#o.log),
              connectionTimeout: this.#t.connectTimeoutMs,
              greetingTimeout: this.#t.connectTimeoutMs,
            }),
            this.#o.reach,
          ),
        );
      } catch (err) {
        // An OAuth2 token the server refused: refresh once and retry (ImapCredentials.refused).
        if (attempt === 0 && isAuthFailure(err) && (await this.#o.credentials.refused(auth))) continue;
        throw err;
      }
    }
  }

  async #open(options: ImapFlowOptions): Promise<ImapFlow> {
    const client = this.#o.createClient ? this.#o.createClient(options) : new ImapFlow(options);
    // Opened with disableAutoIdle and never told to idle: list rows may skip imapflow's fetch().
    markIdleFree(client);
    // Every emitter gets an error listener (an unhandled 'error' event would kill the process).
    client.on('error', (err: unknown) => this.#o.log.debug('command connection error', { err }));
    client.once('close', () => this.#forget(client));
    const onFlags = this.#o.onFlags;
    if (onFlags) {
      client.on('flags', (data: FlagsEvent) => {
        const mailbox = client.mailbox;
        // Without a UID (or once another mailbox is selected) the message is not known for
        // sure: left to the watcher.
        if (data.uid === undefined || !mailbox || mailbox.path !== data.path) return;
        onFlags({
          mailbox: data.path,
          uidValidity: String(mailbox.uidValidity),
          uid: data.uid,
          flags: [...data.flags],
          ...(data.modseq !== undefined ? { modseq: data.modseq } : {}),
        });
      });
    }
    this.#synced = null;
    this.#rows = this.#newRowCache();
    // Shared by every request waiting for it, so bounded on its own (each request also has its deadline).
    await withDeadline(client.connect(), {
      ms: this.#t.connectTimeoutMs + this.#t.commandTimeoutMs,
      what: 'the connection and sign-in',
      onExpire: () => client.close(),
    });
    this.#o.log.debug('command connection open');
    return client;
  }

  #forget(client: ImapFlow): void {
    if (this.#state.status === 'open' && this.#state.client === client) this.#state = { status: 'closed' };
    client.close();
  }

  #clearIdleTimer(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  #armIdleTimer(): void {
    this.#clearIdleTimer();
    if (this.#busy > 0 || this.#state.status !== 'open') return;
    const client = this.#state.client;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#busy > 0 || this.#state.status !== 'open' || this.#state.client !== client) return;
      this.#state = { status: 'closed' };
      this.#o.log.debug('command connection idle; logging out');
      void logoutWithin(client, Limits.imapLogoutMs);
    }, this.#idleMs);
    // An idle command connection must not keep the process alive.
    this.#idleTimer.unref();
  }
}

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null && name in err ? (err as Record<string, unknown>)[name] : undefined;
}

function isAuthFailure(err: unknown): boolean {
  return field(err, 'authenticationFailed') === true;
}

function isMailboxMissing(err: unknown): boolean {
  return field(err, 'mailboxMissing') === true;
}

function isConnectionError(err: unknown): boolean {
  const code = String(field(err, 'code') ?? '');
  return code === 'NoConnection' || code === 'EPIPE' || code === 'ECONNRESET' || code === 'ClosedAfterConnectTLS';
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TidingsError(ErrorCode.TIMEOUT, 'the request was cancelled or timed out');
}

/** Any failure → TidingsError with a protocol code; TidingsErrors pass through. */
export function toTidingsError(err: unknown): TidingsError {
  if (err instanceof TidingsError) return err;
  if (field(err, 'code') === 'LockTimeout')
    return new TidingsError(ErrorCode.TIMEOUT, 'the IMAP server is busy with earlier requests; try again', {
      cause: err,
    });
  const classified = classifyImapError(err);
  const responseText = field(err, 'responseText');
  const message =
    classified.code === ErrorCode.IMAP_ERROR && typeof responseText === 'string' && responseText
      ? `The IMAP server refused: ${responseText.slice(0, 300)}`
      : classified.message;
  return new TidingsError(classified.code, message, { cause: err });
}
