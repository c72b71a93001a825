// Over 400 lines on purpose: the socket's state machine (connect, hello, resume, heartbeat,
// backoff, pending requests) reads as one unit; its transitions are easier to audit in one file.
import {
  backoffDelay,
  CloseCode,
  Limits,
  parseJsonFrame,
  parseResult,
  parseServerFrame,
  PROTOCOL_VERSION,
  TidingsError,
  type AccountSummary,
  type RequestParams,
  type RequestResult,
  type RequestType,
  type ServerEvent,
} from '../../shared/index.js';
import { applyEvent } from './accounts.js';
import type { Logger } from '../core/log.js';
import type { ConnectionState } from '../ui-protocol/snapshot.js';

/** Callbacks a socket factory wires to the real socket; all four are always attached. */
export interface SocketHandlers {
  onOpen(): void;
  /** The frame's data as received (a string for text frames). */
  onMessage(data: unknown): void;
  onClose(code: number, reason: string): void;
  onError(error: unknown): void;
}

/** The part of a WebSocket the client uses. */
export interface WebSocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** Opens a socket to `url` and wires `handlers` to it. May throw (e.g. a malformed URL). */
export type CreateSocket = (url: string, handlers: SocketHandlers) => WebSocketLike;

/** Starts a one-shot timer and returns a function that cancels it. */
import type { SetTimer } from '../core/timer.js';

export interface RelayClientOptions {
  /** The socket URL, `ws(s)://…/v1/ws`. */
  url: string;
  token: string;
  /** Last event seq applied before (from storage), or null on a fresh pairing. */
  lastSeq: number | null;
  /** Last known accounts (from storage); replaced by the `hello` result. */
  accounts: readonly AccountSummary[];
  createSocket: CreateSocket;
  now: () => number;
  setTimer: SetTimer;
  random: () => number;
  /** Every connection state transition. */
  onState: (state: ConnectionState) => void;
  /** The account list or the applied seq changed (hello, event, resync); persist both. */
  onSync: (data: { accounts: AccountSummary[]; lastSeq: number }) => void;
  /** Each event applied, in seq order (for features that react to single events). */
  onEvent?: (event: ServerEvent) => void;
  /**
   * The relay's clock minus ours (ms), from `serverTime` in the hello result and in pongs, so
   * relay times (health `since`, `countsAt`) can be shown in browser time. Older relays send none.
   */
  onClock?: (offsetMs: number) => void;
  /** Whether a popup or options page is open now: caps the backoff at Limits.relayBackoffMaxUiOpenMs. */
  uiOpen?: () => boolean;
  log: Logger;
  /** How long a request may wait for its response. */
  requestTimeoutMs?: number;
}

/** Default for `requestTimeoutMs`: generous, the relay answers from memory. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/**
 * Frames from the relay may be larger than what the relay accepts from us (later: message bodies
 * of up to Limits.bodyPartMaxBytes, JSON-escaped). Anything past this is a broken relay.
 */
const MAX_SERVER_FRAME_BYTES = 4 * Limits.bodyPartMaxBytes;

interface Pending {
  settle(result: unknown): void;
  reject(error: TidingsError): void;
  cancelTimeout(): void;
}

/** Everything that belongs to one socket; dropped as a whole when the socket ends. */
interface Connection {
  socket: WebSocketLike | null;
  pending: Map<string, Pending>;
  cancelKeepalive: (() => void) | null;
  cancelDeadTimer: (() => void) | null;
  helloDone: boolean;
}

/**
 * The extension's connection to the relay: one WebSocket, `hello` first, events applied in seq
 * order, application pings every `Limits.clientKeepaliveMs` (these also keep the MV3 worker
 * alive, Chrome 116+), and a reconnect with jittered backoff after anything but an auth or
 * protocol refusal. All I/O and time are injected, so tests drive it with a fake socket and
 * fake timers.
 *
 * State is one discriminated union (`ConnectionState`); handlers of a socket that is no longer
 * the current one are ignored, so a late `close` of an old socket cannot disturb a new one.
 *
 * @example
 * const client = new RelayClient({ url, token, lastSeq: null, accounts: [], createSocket, ... });
 * client.start();
 * const { accounts } = await client.request('accounts.list', {});
 */
export class RelayClient {
  #state: ConnectionState = { status: 'idle' };
  #conn: Connection | null = null;
  #cancelRetry: (() => void) | null = null;
  /** Consecutive failed attempts since the last successful `hello`. */
  #failures = 0;
  #lastSeq: number | null;
  #accounts: AccountSummary[];
  #nextRequestId = 0;
  #nextPing = 0;
  #resync: 'idle' | 'running' | 'again' = 'idle';
  readonly #o: RelayClientOptions;
  readonly #requestTimeoutMs: number;

  constructor(options: RelayClientOptions) {
    this.#o = options;
    this.#lastSeq = options.lastSeq;
    this.#accounts = [...options.accounts];
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get lastSeq(): number | null {
    return this.#lastSeq;
  }

  get accounts(): readonly AccountSummary[] {
    return this.#accounts;
  }

  /** Connects if idle. */
  start(): void {
    if (this.#state.status === 'idle') this.#connect();
  }

  /**
   * Connects now unless a socket is already open or opening: skips a pending backoff delay, and
   * retries after `incompatible` (the relay may have been updated). The 1-minute alarm calls this.
   * After `unauthorized` the token is useless; the owner replaces the client instead.
   */
  reconnect(): void {
    const { status } = this.#state;
    if (status === 'open' || status === 'connecting' || status === 'unauthorized') return;
    this.#connect();
  }

  /** Closes the socket, cancels every timer and pending request, and goes idle. */
  stop(): void {
    this.#cancelRetry?.();
    this.#cancelRetry = null;
    if (this.#conn) this.#teardown(this.#conn, 'the client was stopped');
    this.#failures = 0;
    this.#setState({ status: 'idle' });
  }

  /**
   * Sends a request on the open socket and resolves with its checked result. Rejects with a
   * `TidingsError`: the relay's error code, `TIMEOUT` after `requestTimeoutMs`, `UNREACHABLE`
   * when not connected or when the socket closes first, `BAD_REQUEST` for a malformed result.
   */
  request<T extends RequestType>(type: T, params: RequestParams<T>): Promise<RequestResult<T>> {
    const conn = this.#conn;
    if (!conn || this.#state.status !== 'open') {
      return Promise.reject(new TidingsError('UNREACHABLE', 'not connected to the relay'));
    }
    return this.#send(conn, type, params);
  }

  // ------------------------------------------------------------ connection lifecycle

  #connect(): void {
    this.#cancelRetry?.();
    this.#cancelRetry = null;
    if (this.#conn) this.#teardown(this.#conn, 'replaced by a new connection');
    const conn: Connection = {
      socket: null,
      pending: new Map(),
      cancelKeepalive: null,
      cancelDeadTimer: null,
      helloDone: false,
    };
    this.#conn = conn;
    this.#setState({ status: 'connecting', attempt: this.#failures });
    // Covers a connect that hangs as well as a silent open socket.
    this.#armDeadTimer(conn);
    const current = (): boolean => this.#conn === conn;
    try {
      conn.socket = this.#o.createSocket(this.#o.url, {
        onOpen: () => {
          if (current()) this.#onOpen(conn);
        },
        onMessage: (data) => {
          if (current()) this.#onMessage(conn, data);
        },
        onClose: (code, reason) => {
          if (current()) this.#onClose(conn, code, reason);
        },
        onError: (error) => {
          // Browsers follow `error` with `close`; the dead timer covers a socket that does not.
          if (current()) this.#o.log.debug('relay socket error (the close that follows is handled)', error);
        },
      });
    } catch (error) {
      this.#fail(conn, `cannot open a socket to ${this.#o.url}: ${describe(error)}`);
    }
  }

  #onOpen(conn: Connection): void {
    this.#armDeadTimer(conn);
    this.#scheduleKeepalive(conn);
    this.#call(
      conn,
      'hello',
      { protocol: PROTOCOL_VERSION, token: this.#o.token, lastSeq: this.#lastSeq },
      (result) => this.#onHello(conn, result),
      (error) => this.#onHelloError(conn, error),
    );
  }

  #onHello(conn: Connection, result: RequestResult<'hello'>): void {
    if (this.#conn !== conn) return;
    conn.helloDone = true;
    this.#failures = 0;
    // The hello result is the relay's current state, whether or not it also replays events
    // after our lastSeq: take it as authoritative and continue from its seq (replayed events
    // then carry seq <= result.seq and are skipped as duplicates).
    this.#accounts = [...result.accounts];
    this.#lastSeq = result.seq;
    if (result.serverTime !== undefined) this.#o.onClock?.(result.serverTime - this.#o.now());
    this.#setState({ status: 'open', since: this.#o.now() });
    this.#emitSync();
  }

  #onHelloError(conn: Connection, error: TidingsError): void {
    if (this.#conn !== conn) return;
    if (error.code === 'UNAUTHORIZED') return this.#stopFor(conn, { status: 'unauthorized' });
    if (error.code === 'UNSUPPORTED_PROTOCOL') {
      return this.#stopFor(conn, { status: 'incompatible', message: error.message });
    }
    this.#fail(conn, `the relay refused the handshake: ${error.code} ${error.message}`);
  }

  #onClose(conn: Connection, code: number, reason: string): void {
    if (code === CloseCode.UNAUTHORIZED) return this.#stopFor(conn, { status: 'unauthorized' });
    if (code === CloseCode.UNSUPPORTED_PROTOCOL) {
      return this.#stopFor(conn, {
        status: 'incompatible',
        message: reason || `the relay does not speak protocol version ${PROTOCOL_VERSION}`,
      });
    }
    const what = conn.helloDone
      ? 'the connection to the relay was lost'
      : `cannot connect to the relay at ${this.#o.url}`;
    this.#fail(conn, `${what} (close code ${code}${reason ? `: ${reason}` : ''})`);
  }

  /**
   * Ends `conn` and schedules the next attempt: at once when a connection that had been open for
   * a while dropped (a relay restart: the first retry is immediate), else with jittered backoff,
   * capped low while a popup or options page is open.
   */
  #fail(conn: Connection, error: string): void {
    if (this.#conn !== conn) return;
    const openedAt = this.#state.status === 'open' ? this.#state.since : null;
    this.#teardown(conn, error);
    this.#failures += 1;
    const stableDrop =
      this.#failures === 1 && openedAt !== null && this.#o.now() - openedAt >= Limits.relayStableOpenMs;
    const delay = stableDrop
      ? 0
      : backoffDelay({
          attempt: this.#failures - 1,
          baseMs: Limits.relayBackoffBaseMs,
          maxMs: this.#o.uiOpen?.() ? Limits.relayBackoffMaxUiOpenMs : Limits.relayBackoffMaxMs,
          random: this.#o.random,
        });
    this.#o.log.info(`relay: ${error}; retrying in ${delay} ms`);
    this.#setState({ status: 'backoff', attempt: this.#failures, retryAt: this.#o.now() + delay, error });
    this.#cancelRetry = this.#o.setTimer(() => {
      this.#cancelRetry = null;
      this.#connect();
    }, delay);
  }

  /** Ends `conn` for good: retrying cannot help (auth or protocol refusal). */
  #stopFor(conn: Connection, state: ConnectionState & { status: 'unauthorized' | 'incompatible' }): void {
    if (this.#conn !== conn) return;
    this.#teardown(conn, state.status === 'unauthorized' ? 'the relay refused the token' : 'incompatible relay');
    this.#setState(state);
  }

  /** Releases everything `conn` holds. Safe to call more than once. */
  #teardown(conn: Connection, reason: string): void {
    if (this.#conn === conn) this.#conn = null;
    conn.cancelKeepalive?.();
    conn.cancelKeepalive = null;
    conn.cancelDeadTimer?.();
    conn.cancelDeadTimer = null;
    const pending = [...conn.pending.values()];
    conn.pending.clear();
    for (const p of pending) {
      p.cancelTimeout();
      p.reject(new TidingsError('UNREACHABLE', `request abandoned: ${reason}`));
    }
    try {
      conn.socket?.close(1000, 'client closing');
    } catch (error) {
      this.#o.log.debug('closing the relay socket threw', error);
    }
  }

  // ------------------------------------------------------------ liveness

  #armDeadTimer(conn: Connection): void {
    conn.cancelDeadTimer?.();
    conn.cancelDeadTimer = this.#o.setTimer(() => {
      conn.cancelDeadTimer = null;
      this.#fail(conn, `no answer from the relay for ${Limits.clientDeadAfterMs / 1000} s`);
    }, Limits.clientDeadAfterMs);
  }

  #scheduleKeepalive(conn: Connection): void {
    conn.cancelKeepalive = this.#o.setTimer(() => {
      conn.cancelKeepalive = null;
      if (this.#conn !== conn) return;
      this.#write(conn, { ping: ++this.#nextPing });
      if (this.#conn === conn) this.#scheduleKeepalive(conn);
    }, Limits.clientKeepaliveMs);
  }

  // ------------------------------------------------------------ frames

  #onMessage(conn: Connection, data: unknown): void {
    // Any frame, even one we cannot use, shows the relay is alive.
    this.#armDeadTimer(conn);
    if (typeof data !== 'string') {
      this.#o.log.warn('relay sent a non-text frame; ignored');
      return;
    }
    const json = parseJsonFrame(data, MAX_SERVER_FRAME_BYTES);
    if (!json.ok) {
      this.#o.log.warn(`relay sent a malformed frame; ignored: ${json.error.message}`);
      return;
    }
    const parsed = parseServerFrame(json.value);
    if (!parsed.ok) {
      this.#o.log.warn(`relay sent an unexpected frame; ignored: ${parsed.error.message}`);
      return;
    }
    const frame = parsed.value;
    switch (frame.kind) {
      case 'ping':
        this.#write(conn, { pong: frame.ping });
        return;
      case 'pong':
        if (frame.serverTime !== undefined) this.#o.onClock?.(frame.serverTime - this.#o.now());
        return;
      case 'response': {
        const pending = conn.pending.get(frame.id);
        if (!pending) return this.#o.log.warn(`relay answered unknown request ${frame.id}; ignored`);
        conn.pending.delete(frame.id);
        pending.cancelTimeout();
        pending.settle(frame.result);
        return;
      }
      case 'error': {
        const pending = frame.id === null ? undefined : conn.pending.get(frame.id);
        if (!pending || frame.id === null) {
          return this.#o.log.warn(`relay reported ${frame.error.code}: ${frame.error.message}`);
        }
        conn.pending.delete(frame.id);
        pending.cancelTimeout();
        pending.reject(new TidingsError(frame.error.code, frame.error.message));
        return;
      }
      case 'event':
        return this.#onEvent(conn, frame.event);
    }
  }

  #onEvent(conn: Connection, event: ServerEvent): void {
    if (event.event === 'device.revoked') return this.#stopFor(conn, { status: 'unauthorized' });
    // Before `hello` succeeds the account list is stale and its result will replace it anyway.
    if (!conn.helloDone) return this.#o.log.debug(`event ${event.event} #${event.seq} before hello; skipped`);
    const last = this.#lastSeq;
    if (last !== null && event.seq <= last) {
      return this.#o.log.debug(`duplicate event #${event.seq} (applied up to #${last}); skipped`);
    }
    const gap = last !== null && event.seq > last + 1;
    this.#accounts = applyEvent(this.#accounts, event);
    this.#lastSeq = event.seq;
    this.#o.onEvent?.(event);
    this.#emitSync();
    if (gap) {
      this.#o.log.info(`events #${(last ?? 0) + 1}..#${event.seq - 1} were missed; reloading accounts`);
      this.#resyncAccounts(conn);
    }
  }

  /** Re-reads the full account list after a gap in the event stream; coalesces overlapping gaps. */
  #resyncAccounts(conn: Connection): void {
    if (this.#resync !== 'idle') {
      this.#resync = 'again';
      return;
    }
    this.#resync = 'running';
    const done = (): void => {
      const again = this.#resync === 'again';
      this.#resync = 'idle';
      if (again && this.#conn === conn) this.#resyncAccounts(conn);
    };
    this.#call(
      conn,
      'accounts.list',
      {},
      (result) => {
        if (this.#conn === conn) {
          this.#accounts = [...result.accounts];
          this.#emitSync();
        }
        done();
      },
      (error) => {
        this.#o.log.warn(`reloading accounts failed: ${error.code} ${error.message}`);
        done();
      },
    );
  }

  /** Promise form of `#call`, for callers outside the client. */
  #send<T extends RequestType>(conn: Connection, type: T, params: RequestParams<T>): Promise<RequestResult<T>> {
    return new Promise<RequestResult<T>>((resolve, reject) => this.#call(conn, type, params, resolve, reject));
  }

  /**
   * Sends a request and settles it synchronously when its response frame arrives (no microtask
   * in between), so the client's own transitions — `hello` → open, resync — happen in frame order.
   */
  #call<T extends RequestType>(
    conn: Connection,
    type: T,
    params: RequestParams<T>,
    onResult: (result: RequestResult<T>) => void,
    onError: (error: TidingsError) => void,
  ): void {
    const id = `r${++this.#nextRequestId}`;
    const timeoutMs = this.#requestTimeoutMs;
    const cancelTimeout = this.#o.setTimer(() => {
      if (conn.pending.delete(id))
        onError(new TidingsError('TIMEOUT', `the relay did not answer ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    conn.pending.set(id, {
      settle: (result) => {
        const checked = parseResult(type, result);
        if (checked.ok) onResult(checked.value);
        else onError(new TidingsError('BAD_REQUEST', checked.error.message));
      },
      reject: onError,
      cancelTimeout,
    });
    this.#write(conn, { id, type, params });
  }

  #write(conn: Connection, frame: object): void {
    try {
      if (!conn.socket) throw new Error('socket not created');
      conn.socket.send(JSON.stringify(frame));
    } catch (error) {
      this.#fail(conn, `cannot send to the relay: ${describe(error)}`);
    }
  }

  // ------------------------------------------------------------ outputs

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#safely('onState', () => this.#o.onState(state));
  }

  #emitSync(): void {
    const lastSeq = this.#lastSeq;
    if (lastSeq === null) return;
    const accounts = [...this.#accounts];
    this.#safely('onSync', () => this.#o.onSync({ accounts, lastSeq }));
  }

  /** An owner callback that throws must not leave the client half-way through a transition. */
  #safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#o.log.error(`${what} callback threw`, error);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
