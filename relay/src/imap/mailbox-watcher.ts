import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { backoffDelay, ErrorCode, Limits, type AccountState, type MailboxCount } from '../../../shared/index.js';
import type { Logger } from '../log.js';
import { classifyImapError, type ClassifiedError } from './classify-error.js';
import { imapFlowOptions, type ServerSettings } from './client-options.js';

export interface MailboxWatcherOptions {
  settings: ServerSettings;
  /** Called for every connection attempt, so the password is decrypted only when needed. */
  password: () => string;
  mailbox: string;
  log: Logger;
  onCounts: (counts: MailboxCount) => void;
  onState: (state: AccountState) => void;
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
  readonly #o: MailboxWatcherOptions;
  readonly #now: () => number;

  constructor(options: MailboxWatcherOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  get state(): AccountState {
    return this.#state;
  }

  start(): void {
    if (this.#running) return;
    this.#running = this.#loop().catch((err: unknown) => {
      // #loop handles its own errors; reaching here is a bug, which must not take the relay down.
      this.#o.log.error('watcher loop crashed', { err });
    });
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    const client = this.#client;
    if (client) {
      client.close();
    }
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
    while (!signal.aborted) {
      this.#setState({ status: 'connecting', attempt: this.#attempt });
      const outcome = await this.#session(signal);
      if (signal.aborted) return;
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

  /** One connection's lifetime. Resolves (never rejects) with why it ended. */
  async #session(signal: AbortSignal): Promise<{ wasOnline: boolean; error: ClassifiedError }> {
    let wasOnline = false;
    let client: ImapFlow;
    try {
      const options = imapFlowOptions(this.#o.settings, this.#o.password(), {
        disableAutoIdle: true,
        maxIdleTime: Limits.idleReissueMs,
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
    const onAbort = () => client.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      if (signal.aborted) return { wasOnline, error: classifyImapError(new Error('stopped')) };
      await client.mailboxOpen(this.#o.mailbox, { readOnly: true });
      const refresh = (kind: string) => () => {
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
      return { wasOnline, error: classifyImapError(err) };
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
        const status = await client.status(this.#o.mailbox, { messages: true, unseen: true });
        if (!status) throw Object.assign(new Error(`STATUS ${this.#o.mailbox} failed`), { code: 'StatusFailed' });
        this.#o.onCounts({ path: this.#o.mailbox, unread: status.unseen ?? 0, total: status.messages ?? 0 });
      } while (this.#dirty && client.usable);
    } finally {
      this.#refreshing = false;
    }
  }
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
