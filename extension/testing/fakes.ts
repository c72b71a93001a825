/**
 * In-memory stand-ins for the clock and the WebSocket, shared by the background unit tests.
 * Not shipped: nothing under entrypoints/ imports this folder.
 */
import type { AccountSummary } from '../../shared/index.js';
import type { CreateSocket, SocketHandlers, WebSocketLike } from '../background/relay-client.js';
import type { SetTimer } from '../core/timer.js';
import type { Logger } from '../core/log.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';

/** A manual clock: timers fire only when a test calls `advance`. */
export class FakeClock {
  #now = 1_000_000;
  #nextId = 0;
  #timers = new Map<number, { at: number; fn: () => void }>();

  now = (): number => this.#now;

  setTimer: SetTimer = (fn, ms) => {
    const id = ++this.#nextId;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return () => {
      this.#timers.delete(id);
    };
  };

  /** Number of timers that have not fired or been cancelled. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Delays (from now) of the pending timers, sorted. */
  pendingDelays(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  /** Moves time forward, firing due timers in order (including ones they schedule). */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      }
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = Math.max(this.#now, next[1].at);
      next[1].fn();
    }
    this.#now = end;
  }
}

/** One fake socket: records what the client sends and lets the test play the relay. */
export class FakeSocket implements WebSocketLike {
  readonly sent: string[] = [];
  closedByClient: { code?: number; reason?: string } | null = null;
  throwOnSend = false;

  constructor(
    readonly url: string,
    readonly handlers: SocketHandlers,
  ) {}

  send(data: string): void {
    if (this.throwOnSend) throw new Error('InvalidStateError: still in CONNECTING state');
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closedByClient ??= { code, reason };
  }

  /** Sent frames, JSON-parsed (test-only: the client never parses its own output). */
  frames(): unknown[] {
    return this.sent.map((s): unknown => JSON.parse(s));
  }

  open(): void {
    this.handlers.onOpen();
  }

  /** Delivers a frame from the "relay"; objects are JSON-encoded, strings are sent raw. */
  receive(frame: unknown): void {
    this.handlers.onMessage(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  serverClose(code: number, reason = ''): void {
    this.handlers.onClose(code, reason);
  }
}

/** A socket factory that remembers every socket it made. */
export function fakeSocketFactory(): { createSocket: CreateSocket; sockets: FakeSocket[]; last(): FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    createSocket: (url, handlers) => {
      const socket = new FakeSocket(url, handlers);
      sockets.push(socket);
      return socket;
    },
    last() {
      const s = sockets.at(-1);
      if (!s) throw new Error('no socket was created');
      return s;
    },
  };
}

/** A logger that keeps what it was told, for assertions. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (level: string) => (message: string) => {
    lines.push(`${level}: ${message}`);
  };
  return { lines, debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}

/** An account as the relay would report it. */
export function account(overrides: Partial<AccountSummary> & { id: string }): AccountSummary {
  return {
    name: overrides.id,
    username: `${overrides.id}@example.org`,
    host: 'imap.example.org',
    color: null,
    quota: null,
    oauthProvider: null,
    unread: 0,
    mailboxes: [{ path: 'INBOX', unread: overrides.unread ?? 0, total: 10 }],
    state: { status: 'online', since: 1 },
    ...overrides,
  };
}

/** The background's snapshot of a paired extension with an open relay connection and no accounts. */
export function pairedSnapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    relayUrl: 'ws://127.0.0.1:8787',
    pairing: { status: 'paired', deviceId: 'd' },
    connection: { status: 'open', since: 1 },
    accounts: [],
    accountsAt: null,
    ...overrides,
  };
}
