import type { WebSocket } from 'ws';
import {
  CloseCode,
  Limits,
  parseClientFrame,
  parseJsonFrame,
  TidingsError,
  type ClientRequest,
  type ErrorCode,
  type RequestType,
  type ServerEvent,
  type WireError,
} from '../../../shared/index.js';
import { TokenBucket } from '../util/token-bucket.js';
import type { AuthedContext, AuthenticatedDevice, HandlerContext, RelayServices, SessionHandle } from './context.js';
import { handlers, publicHandlers } from './handlers/index.js';

/**
 * One browser profile's socket: hello deadline, frame parsing, per-socket rate limit, dispatch
 * to the typed handler registry, event delivery (with replay after `hello`), heartbeat, and
 * backpressure. All cleanup hangs off one AbortController.
 */
export class Session implements SessionHandle {
  readonly origin: string;
  #auth: AuthenticatedDevice | null = null;
  readonly #ws: WebSocket;
  readonly #services: RelayServices;
  readonly #abort = new AbortController();
  readonly #bucket: TokenBucket;
  /** Frames refused by #bucket; when this runs dry the peer is flooding and is closed. */
  readonly #refused: TokenBucket;
  /** Events held back until the hello response is on the wire, so replay follows it in order. */
  #held: ServerEvent[] | null = null;
  #alive = true;
  /** Set while reading is paused because too much is unsent; checks the drain and the deadline. */
  #drainTimer: ReturnType<typeof setInterval> | null = null;

  constructor(options: { ws: WebSocket; origin: string; services: RelayServices; onClose?: (s: Session) => void }) {
    this.#ws = options.ws;
    this.origin = options.origin;
    this.#services = options.services;
    this.#bucket = new TokenBucket({
      capacity: Limits.requestBurst,
      ratePerSecond: Limits.requestsPerSecond,
      now: options.services.now,
    });
    this.#refused = new TokenBucket({
      capacity: Limits.socketRefusedFramesMax,
      ratePerSecond: Limits.socketRefusedFramesMax / 10,
      now: options.services.now,
    });
    const signal = this.#abort.signal;
    const log = this.#services.log;

    const helloTimer = setTimeout(() => {
      if (!this.#auth)
        this.#fail(null, 'HELLO_TIMEOUT', `no hello within ${Limits.helloTimeoutMs} ms`, CloseCode.HELLO_TIMEOUT);
    }, Limits.helloTimeoutMs);
    const pingTimer = setInterval(() => {
      if (!this.#alive) {
        log.info('socket missed a pong; terminating', { deviceId: this.#auth?.deviceId });
        this.#ws.terminate();
        return;
      }
      this.#alive = false;
      this.#ws.ping();
    }, Limits.relayPingIntervalMs);
    signal.addEventListener('abort', () => {
      clearTimeout(helloTimer);
      clearInterval(pingTimer);
      if (this.#drainTimer) clearInterval(this.#drainTimer);
    });

    this.#ws.on('pong', () => (this.#alive = true));
    this.#ws.on('error', (err) => log.warn('socket error', { err, deviceId: this.#auth?.deviceId }));
    this.#ws.on('close', () => {
      this.#abort.abort();
      options.onClose?.(this);
    });
  }

  /** Called for every frame (hono's adapter also delivers frames that arrived before open). */
  receive(data: string | ArrayBuffer | Blob): void {
    this.#alive = true;
    // Every frame costs a token (pings and malformed frames too: each is a parse and a reply).
    // Over the rate, frames are refused; a peer that keeps it up is closed.
    const allowed = this.#bucket.take();
    if (!allowed && !this.#refused.take()) return this.#closeFlooding();
    if (typeof data !== 'string') {
      if (allowed) this.#sendError(null, 'BAD_REQUEST', 'binary frames are not part of the protocol');
      return;
    }
    this.#onText(data, allowed);
  }

  get auth(): AuthenticatedDevice | null {
    return this.#auth;
  }

  get deviceId(): string | null {
    return this.#auth?.deviceId ?? null;
  }

  signIn(device: { id: string; userId: string }, lastSeq: number | null): { seq: number; resync: boolean } {
    this.#auth = { userId: device.userId, deviceId: device.id };
    this.#held = [];
    const sub = this.#services.hub.subscribe(device.userId, lastSeq, (event) => this.#deliver(event));
    this.#abort.signal.addEventListener('abort', sub.unsubscribe);
    this.#held.unshift(...sub.replay);
    return { seq: sub.seq, resync: sub.resync };
  }

  /** Closes the socket with an application close code (e.g. after the device was revoked). */
  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  #deliver(event: ServerEvent): void {
    if (this.#held) this.#held.push(event);
    else this.#send(event);
  }

  #send(frame: unknown): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    if (this.#ws.bufferedAmount > Limits.maxSocketBufferedBytes) {
      // A client that never reads would make us buffer without bound.
      this.#services.log.warn('socket not reading; terminating', {
        deviceId: this.#auth?.deviceId,
        buffered: this.#ws.bufferedAmount,
      });
      this.#ws.terminate();
      return;
    }
    this.#ws.send(JSON.stringify(frame));
    if (this.#ws.bufferedAmount > Limits.socketPauseBufferedBytes) this.#pauseReading();
  }

  /**
   * Stops reading the client's frames until what we sent drains: a client that floods without
   * reading gets TCP backpressure instead of an ever-growing queue of replies in the relay.
   * Still over the mark after Limits.slowSocketTimeoutMs, the socket is cut off.
   */
  #pauseReading(): void {
    if (this.#drainTimer) return;
    const since = this.#services.now();
    this.#ws.pause();
    this.#drainTimer = setInterval(() => {
      if (this.#ws.bufferedAmount <= Limits.socketPauseBufferedBytes / 2) {
        if (this.#drainTimer) clearInterval(this.#drainTimer);
        this.#drainTimer = null;
        this.#ws.resume();
      } else if (this.#services.now() - since > Limits.slowSocketTimeoutMs) {
        this.#services.log.warn('socket not reading; terminating', {
          deviceId: this.#auth?.deviceId,
          buffered: this.#ws.bufferedAmount,
        });
        this.#ws.terminate();
      }
    }, 100);
  }

  #sendError(id: string | null, code: ErrorCode, message: string): void {
    const error: WireError = { code, message };
    this.#send({ id, error });
  }

  #fail(id: string | null, code: ErrorCode, message: string, closeCode: number): void {
    this.#sendError(id, code, message);
    this.#ws.close(closeCode, code);
  }

  #closeFlooding(): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#services.log.warn('socket keeps flooding over the rate limit; closing', { deviceId: this.#auth?.deviceId });
    // A flooder rarely answers the close handshake (ws would wait 30 s): cut it off soon after.
    const cut = setTimeout(() => this.#ws.terminate(), 1_000);
    this.#abort.signal.addEventListener('abort', () => clearTimeout(cut));
    this.#fail(
      null,
      'RATE_LIMITED',
      `kept sending over ${Limits.requestsPerSecond} frames per second`,
      CloseCode.POLICY,
    );
  }

  /** `allowed`: within the rate; otherwise only a request hears RATE_LIMITED, the rest is dropped. */
  #onText(text: string, allowed: boolean): void {
    const json = parseJsonFrame(text, Limits.maxClientFrameBytes);
    if (!json.ok) {
      if (allowed) this.#sendError(null, json.error.code, json.error.message);
      return;
    }
    const frame = parseClientFrame(json.value);
    if (!frame.ok) {
      if (allowed) this.#sendError(frame.id, frame.error.code, frame.error.message);
      return;
    }
    const f = frame.value;
    if (!allowed) {
      if (f.kind !== 'request') return;
      return this.#sendError(f.request.id, 'RATE_LIMITED', `more than ${Limits.requestsPerSecond} frames per second`);
    }
    // The relay's clock rides on every pong, so the extension can keep its offset current (issue 8).
    if (f.kind === 'ping') return this.#send({ pong: f.ping, serverTime: this.#services.now() });
    if (f.kind === 'pong') return;
    void this.#dispatch(f.request);
  }

  async #dispatch(request: ClientRequest): Promise<void> {
    const ctx: HandlerContext = { services: this.#services, session: this, signal: this.#abort.signal };
    try {
      let result: unknown;
      if (request.type === 'hello') {
        try {
          result = await publicHandlers.hello(ctx, request.params);
        } catch (err) {
          const code = err instanceof TidingsError ? err.code : 'INTERNAL';
          const closeCode =
            code === 'UNSUPPORTED_PROTOCOL'
              ? CloseCode.UNSUPPORTED_PROTOCOL
              : code === 'BAD_REQUEST'
                ? null
                : code === 'RATE_LIMITED'
                  ? CloseCode.POLICY
                  : CloseCode.UNAUTHORIZED;
          if (closeCode === null) throw err;
          this.#services.log.info('hello refused', { code, origin: this.origin });
          return this.#fail(request.id, code, err instanceof Error ? err.message : 'hello failed', closeCode);
        }
        this.#send({ id: request.id, result });
        const held = this.#held ?? [];
        this.#held = null;
        for (const event of held) this.#send(event);
        return;
      }
      const auth = this.#auth;
      if (!auth) return this.#sendError(request.id, 'HELLO_REQUIRED', 'send hello first');
      const authed: AuthedContext = { ...ctx, auth };
      result = await runHandler(authed, request);
      this.#send({ id: request.id, result });
    } catch (err) {
      if (err instanceof TidingsError) return this.#sendError(request.id, err.code, err.message);
      this.#services.log.error('handler failed', { type: request.type, err });
      this.#sendError(request.id, 'INTERNAL', 'the relay failed to handle this request; its log has details');
    }
  }
}

/** Looks up the handler for the request's type; the registry's mapped type guarantees one exists. */
function runHandler(ctx: AuthedContext, request: Exclude<ClientRequest, { type: 'hello' }>): Promise<unknown> {
  const handler = handlers[request.type as Exclude<RequestType, 'hello'>] as (
    ctx: AuthedContext,
    params: unknown,
  ) => Promise<unknown>;
  return handler(ctx, request.params);
}
