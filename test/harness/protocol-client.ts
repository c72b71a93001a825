import WebSocket from 'ws';
import {
  parseJsonFrame,
  parseResult,
  parseServerFrame,
  PROTOCOL_VERSION,
  RelayPaths,
  type RequestParams,
  type RequestResult,
  type AccountHealth,
  type RequestType,
  type ServerEvent,
  type WireError,
} from '../../shared/index.js';

/** A fake extension Origin for tests (32 chars a–p, like Chrome's ids). */
export const TEST_ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
export const OTHER_ORIGIN = 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba';

/** Pairs like the options page does: POST /v1/pair with the extension's Origin. */
export async function pairDevice(
  httpUrl: string,
  code: string,
  origin = TEST_ORIGIN,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${httpUrl}${RelayPaths.pair}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ code, label: 'test browser' }),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

export class ProtocolError extends Error {
  constructor(readonly error: WireError) {
    super(`${error.code}: ${error.message}`);
  }
}

/** Awaits a request that must fail with a protocol error, and returns that error. */
export async function rejection(promise: Promise<unknown>): Promise<ProtocolError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ProtocolError) return err;
    throw err;
  }
  throw new Error('expected the request to fail');
}

/**
 * A protocol client over real `ws`, speaking exactly what the extension speaks; used by
 * integration tests and benchmarks to observe the relay from the outside.
 */
export class TestClient {
  readonly events: ServerEvent[] = [];
  readonly errors: WireError[] = [];
  /** Pongs the relay sent (answers to `{ping}` frames sent with sendRaw). */
  readonly pongs: { pong: number; serverTime?: number }[] = [];
  readonly #pending = new Map<
    string,
    { type: RequestType; resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  readonly #waiters = new Set<() => void>();
  #next = 1;
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    ws.on('error', () => {});
    ws.on('message', (data) => {
      const json = parseJsonFrame(data.toString(), 64 * 1024 * 1024);
      if (!json.ok) throw new Error(`relay sent invalid JSON: ${json.error.message}`);
      const frame = parseServerFrame(json.value);
      if (!frame.ok)
        throw new Error(`relay sent an invalid frame: ${frame.error.message} ${data.toString().slice(0, 200)}`);
      const f = frame.value;
      if (f.kind === 'event') this.events.push(f.event);
      else if (f.kind === 'ping') ws.send(JSON.stringify({ pong: f.ping }));
      else if (f.kind === 'pong')
        this.pongs.push({ pong: f.pong, ...(f.serverTime !== undefined ? { serverTime: f.serverTime } : {}) });
      else if (f.kind === 'response' || f.kind === 'error') {
        const p = f.id ? this.#pending.get(f.id) : undefined;
        if (f.kind === 'error' && !p) this.errors.push(f.error);
        if (p && f.id) {
          this.#pending.delete(f.id);
          if (f.kind === 'error') p.reject(new ProtocolError(f.error));
          else {
            const r = parseResult(p.type, f.result);
            if (r.ok) p.resolve(r.value);
            else p.reject(new ProtocolError(r.error));
          }
        }
      }
      for (const w of this.#waiters) w();
    });
  }

  static async open(
    wsUrl: string,
    options: { origin?: string; headers?: Record<string, string>; path?: string } = {},
  ): Promise<TestClient> {
    const ws = new WebSocket(`${wsUrl}${options.path ?? RelayPaths.socket}`, {
      headers: { origin: options.origin ?? TEST_ORIGIN, ...options.headers },
      rejectUnauthorized: false,
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`upgrade refused: HTTP ${res.statusCode}`), { status: res.statusCode })),
      );
    });
    return new TestClient(ws);
  }

  /** Opens a socket and says hello; resolves with the client and the hello result. */
  static async connect(
    wsUrl: string,
    token: string,
    options: { origin?: string; lastSeq?: number | null } = {},
  ): Promise<{ client: TestClient; hello: RequestResult<'hello'> }> {
    const client = await TestClient.open(wsUrl, options);
    const hello = await client.request('hello', {
      protocol: PROTOCOL_VERSION,
      token,
      lastSeq: options.lastSeq ?? null,
    });
    return { client, hello };
  }

  request<T extends RequestType>(type: T, params: RequestParams<T>): Promise<RequestResult<T>> {
    const id = String(this.#next++);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, type, params }));
    });
  }

  sendRaw(text: string): void {
    this.ws.send(text);
  }

  /** Waits until `predicate` holds over the frames seen so far, or rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!predicate()) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; events: ${JSON.stringify(this.events.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(check);
    });
  }

  /** The latest unread count the relay reported for an account (from hello or events). */
  latestUnread(accountId: string, initial?: RequestResult<'hello'>): number | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.event === 'counts' && e.payload.accountId === accountId) return e.payload.unread;
      if (e.event === 'accounts.changed') {
        const a = e.payload.accounts.find((x) => x.id === accountId);
        if (a) return a.unread;
      }
    }
    return initial?.accounts.find((a) => a.id === accountId)?.unread;
  }

  /** The latest health (issue 8) an account.state event carried for an account. */
  latestHealth(accountId: string): AccountHealth | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.event === 'account.state' && e.payload.accountId === accountId && e.payload.health) return e.payload.health;
    }
    return undefined;
  }

  latestState(accountId: string): string | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      if (e.event === 'account.state' && e.payload.accountId === accountId)
        return e.payload.state.status === 'error' ? `error:${e.payload.state.code}` : e.payload.state.status;
    }
    return undefined;
  }

  close(): void {
    this.ws.close();
  }

  [Symbol.dispose](): void {
    this.ws.terminate();
  }
}
