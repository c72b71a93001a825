// Over 400 lines on purpose: one suite for the socket state machine (handshake, events, backoff, keepalive, clock, requests) and its shared helpers.
import { describe, expect, it } from 'vitest';
import { z } from 'zod/mini';
import { CloseCode, Limits, PROTOCOL_VERSION, TidingsError, type AccountSummary } from '../../shared/index.js';
import { RelayClient, type RelayClientOptions } from './relay-client.js';
import type { ConnectionState } from '../ui-protocol/snapshot.js';
import { account, FakeClock, fakeSocketFactory, recordingLogger, type FakeSocket } from '../testing/fakes.js';

const requestFrame = z.object({ id: z.string(), type: z.string(), params: z.record(z.string(), z.unknown()) });

function setup(overrides: Partial<RelayClientOptions> = {}) {
  const clock = new FakeClock();
  const factory = fakeSocketFactory();
  const log = recordingLogger();
  const states: ConnectionState[] = [];
  const syncs: { accounts: AccountSummary[]; lastSeq: number }[] = [];
  const events: number[] = [];
  const client = new RelayClient({
    url: 'ws://127.0.0.1:8787/v1/ws',
    token: 'tok-123',
    lastSeq: 41,
    accounts: [],
    createSocket: factory.createSocket,
    now: clock.now,
    setTimer: clock.setTimer,
    // Deterministic backoff: always the ceiling of the jitter window.
    random: () => 1,
    onState: (s) => states.push(s),
    onSync: (d) => syncs.push(d),
    onEvent: (e) => events.push(e.seq),
    log,
    ...overrides,
  });
  return { client, clock, factory, log, states, syncs, events };
}

/** The n-th request the client sent on `socket`. */
function sentRequest(socket: FakeSocket, type: string, nth = 0) {
  const found = socket.frames().flatMap((f) => {
    const r = requestFrame.safeParse(f);
    return r.success && r.data.type === type ? [r.data] : [];
  });
  const req = found[nth];
  if (!req) throw new Error(`no ${type} request #${nth} in ${JSON.stringify(socket.sent)}`);
  return req;
}

function answerHello(socket: FakeSocket, result: { seq: number; accounts?: AccountSummary[]; resync?: boolean }) {
  const hello = sentRequest(socket, 'hello');
  socket.receive({
    id: hello.id,
    result: {
      protocol: PROTOCOL_VERSION,
      relayVersion: '0.1.0',
      deviceId: 'dev-1',
      seq: result.seq,
      resync: result.resync ?? false,
      accounts: result.accounts ?? [],
    },
  });
}

/** A client that has completed hello with two accounts at seq 50. */
function openClient(overrides: Partial<RelayClientOptions> = {}) {
  const t = setup(overrides);
  t.client.start();
  const socket = t.factory.last();
  socket.open();
  answerHello(socket, { seq: 50, accounts: [account({ id: 'work', unread: 3 }), account({ id: 'home', unread: 1 })] });
  return { ...t, socket };
}

function countsEvent(seq: number, accountId: string, unread: number) {
  return { event: 'counts', seq, payload: { accountId, unread, mailboxes: [{ path: 'INBOX', unread, total: 20 }] } };
}

function unreadOf(accounts: readonly AccountSummary[]) {
  return Object.fromEntries(accounts.map((a) => [a.id, a.unread]));
}

describe('RelayClient handshake', () => {
  it('sends hello first, with the protocol version, the token and lastSeq', () => {
    const { client, factory, states } = setup();
    client.start();
    expect(states).toEqual([{ status: 'connecting', attempt: 0 }]);
    const socket = factory.last();
    expect(socket.url).toBe('ws://127.0.0.1:8787/v1/ws');
    expect(socket.sent).toEqual([]);
    socket.open();
    expect(socket.sent).toHaveLength(1);
    const hello = sentRequest(socket, 'hello');
    expect(hello.params).toEqual({ protocol: PROTOCOL_VERSION, token: 'tok-123', lastSeq: 41 });
  });

  it('sends lastSeq null on a fresh pairing', () => {
    const { client, factory } = setup({ lastSeq: null });
    client.start();
    factory.last().open();
    expect(sentRequest(factory.last(), 'hello').params['lastSeq']).toBeNull();
  });

  it('goes open on the hello result and takes its accounts and seq as authoritative', () => {
    const { client, states, syncs, clock } = openClient({ accounts: [account({ id: 'gone', unread: 9 })] });
    expect(states.at(-1)).toEqual({ status: 'open', since: clock.now() });
    expect(client.lastSeq).toBe(50);
    expect(syncs).toHaveLength(1);
    expect(unreadOf(syncs[0]!.accounts)).toEqual({ work: 3, home: 1 });
    expect(syncs[0]!.lastSeq).toBe(50);
  });

  it('retries with backoff when hello gets a retryable error', () => {
    const { client, factory, states } = setup();
    client.start();
    const socket = factory.last();
    socket.open();
    socket.receive({ id: sentRequest(socket, 'hello').id, error: { code: 'INTERNAL', message: 'boom' } });
    expect(states.at(-1)).toMatchObject({ status: 'backoff', attempt: 1 });
    expect(socket.closedByClient).not.toBeNull();
  });
});

describe('RelayClient events', () => {
  it('applies events in seq order and ignores duplicates and replays', () => {
    const { client, socket, syncs, events } = openClient();
    socket.receive(countsEvent(51, 'work', 4));
    socket.receive(countsEvent(51, 'work', 99)); // duplicate
    socket.receive(countsEvent(48, 'home', 99)); // replay from before hello's seq
    socket.receive(countsEvent(52, 'home', 2));
    expect(events).toEqual([51, 52]);
    expect(unreadOf(client.accounts)).toEqual({ work: 4, home: 2 });
    expect(syncs.at(-1)?.lastSeq).toBe(52);
  });

  it('applies account.state and accounts.changed', () => {
    const { client, socket } = openClient();
    socket.receive({
      event: 'account.state',
      seq: 51,
      payload: { accountId: 'home', state: { status: 'error', code: 'AUTH_FAILED', message: 'no', retryAt: null } },
    });
    expect(client.accounts.find((a) => a.id === 'home')?.state.status).toBe('error');
    socket.receive({ event: 'accounts.changed', seq: 52, payload: { accounts: [account({ id: 'new', unread: 7 })] } });
    expect(unreadOf(client.accounts)).toEqual({ new: 7 });
  });

  it('takes the health from account.state and drops it when an older relay sends none (issue 8)', () => {
    const { client, socket } = openClient();
    const health = {
      state: 'unreachable',
      since: 5,
      host: 'imap.example.org',
      code: 'UNREACHABLE',
      detail: 'ECONNREFUSED',
      retryAt: 9,
      attempts: 2,
    };
    const error = { status: 'error', code: 'UNREACHABLE', message: 'x', retryAt: 9 };
    socket.receive({ event: 'account.state', seq: 51, payload: { accountId: 'home', state: error, health } });
    expect(client.accounts.find((a) => a.id === 'home')?.health).toEqual(health);
    socket.receive({
      event: 'account.state',
      seq: 52,
      payload: { accountId: 'home', state: { status: 'online', since: 7 } },
    });
    expect(client.accounts.find((a) => a.id === 'home')?.health).toBeUndefined();
  });

  it('reports the relay clock offset from the hello result and from pongs', () => {
    const offsets: number[] = [];
    const t = setup({ onClock: (ms) => offsets.push(ms) });
    t.client.start();
    const socket = t.factory.last();
    socket.open();
    const hello = sentRequest(socket, 'hello');
    socket.receive({
      id: hello.id,
      result: {
        protocol: PROTOCOL_VERSION,
        relayVersion: '0.1.0',
        deviceId: 'dev-1',
        seq: 1,
        resync: false,
        accounts: [],
        serverTime: t.clock.now() + 90_000,
      },
    });
    socket.receive({ pong: 1, serverTime: t.clock.now() - 2_000 });
    socket.receive({ pong: 2 });
    expect(offsets).toEqual([90_000, -2_000]);
  });

  it('reloads the account list with accounts.list after a gap in seq', async () => {
    const { client, socket } = openClient();
    socket.receive(countsEvent(55, 'work', 5)); // 51..54 missed
    expect(client.lastSeq).toBe(55);
    const list = sentRequest(socket, 'accounts.list');
    socket.receive({
      id: list.id,
      result: { accounts: [account({ id: 'work', unread: 5 }), account({ id: 'other', unread: 2 })] },
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(unreadOf(client.accounts)).toEqual({ work: 5, other: 2 });
  });

  it('treats device.revoked as unauthorized and stops retrying', () => {
    const { client, socket, clock, factory } = openClient();
    socket.receive({ event: 'device.revoked', seq: 51, payload: {} });
    expect(client.state).toEqual({ status: 'unauthorized' });
    expect(socket.closedByClient).not.toBeNull();
    clock.advance(10 * 60_000);
    client.reconnect();
    expect(factory.sockets).toHaveLength(1);
  });
});

describe('RelayClient closes and backoff', () => {
  it('stops for good on 4401 and forgets nothing it should not retry', () => {
    const { client, socket, clock, factory } = openClient();
    socket.serverClose(CloseCode.UNAUTHORIZED, 'token revoked');
    expect(client.state).toEqual({ status: 'unauthorized' });
    expect(clock.pending).toBe(0);
    clock.advance(24 * 3_600_000);
    expect(factory.sockets).toHaveLength(1);
  });

  it('reports incompatible on 4400 and does not retry by itself', () => {
    const { client, socket, clock, factory } = openClient();
    socket.serverClose(CloseCode.UNSUPPORTED_PROTOCOL, 'protocol 1 not supported; relay speaks 2');
    expect(client.state).toEqual({ status: 'incompatible', message: 'protocol 1 not supported; relay speaks 2' });
    clock.advance(24 * 3_600_000);
    expect(factory.sockets).toHaveLength(1);
    client.reconnect(); // the user updated the relay and pressed Reconnect
    expect(factory.sockets).toHaveLength(2);
  });

  it('backs off with growing delays, capped, and resets after a successful hello', () => {
    const { client, clock, factory, states } = setup();
    client.start();
    const delays: number[] = [];
    for (let i = 0; i < 10; i++) {
      factory.last().serverClose(1006);
      const s = client.state;
      if (s.status !== 'backoff') throw new Error(`expected backoff, got ${s.status}`);
      expect(s.attempt).toBe(i + 1);
      expect(s.error).toMatch(/cannot connect to the relay at ws:\/\/127\.0\.0\.1:8787\/v1\/ws \(close code 1006\)/);
      delays.push(s.retryAt - clock.now());
      clock.advance(s.retryAt - clock.now());
      expect(client.state).toEqual({ status: 'connecting', attempt: i + 1 });
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(factory.sockets).toHaveLength(11);
    // A successful hello resets the attempt counter.
    factory.last().open();
    answerHello(factory.last(), { seq: 1 });
    factory.last().serverClose(1001, 'relay restarting');
    expect(client.state).toMatchObject({
      status: 'backoff',
      attempt: 1,
      error: expect.stringMatching(/connection to the relay was lost/),
    });
    expect(states.filter((s) => s.status === 'open')).toHaveLength(1);
  });

  it('retries at once when a connection that had been open a while drops, then backs off (issue 8)', () => {
    const { client, clock, factory } = openClient();
    clock.advance(Limits.relayStableOpenMs);
    factory.last().serverClose(1012, 'relay restarting');
    expect(client.state).toMatchObject({ status: 'backoff', attempt: 1, retryAt: clock.now() });
    clock.advance(0);
    expect(factory.sockets).toHaveLength(2);
    factory.last().serverClose(1006);
    const s = client.state;
    expect(s.status === 'backoff' && s.retryAt - clock.now()).toBe(2 * Limits.relayBackoffBaseMs);
  });

  it('backs off from the start when a connection drops soon after opening (no hot loop)', () => {
    const { client, clock, factory } = openClient();
    clock.advance(Limits.relayStableOpenMs - 1);
    factory.last().serverClose(1006);
    const s = client.state;
    expect(s.status === 'backoff' && s.retryAt - clock.now()).toBe(Limits.relayBackoffBaseMs);
  });

  it('caps the backoff low while a popup or options page is open', () => {
    let uiOpen = true;
    const { client, clock, factory } = setup({ uiOpen: () => uiOpen });
    client.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      factory.last().serverClose(1006);
      const s = client.state;
      if (s.status !== 'backoff') throw new Error(`expected backoff, got ${s.status}`);
      delays.push(s.retryAt - clock.now());
      clock.advance(s.retryAt - clock.now());
    }
    expect(delays).toEqual([500, 1000, 1500, 1500, 1500, 1500]);
    uiOpen = false;
    factory.last().serverClose(1006);
    const s = client.state;
    expect(s.status === 'backoff' && s.retryAt - clock.now()).toBe(32_000);
  });

  it('keeps the jitter window between half the base and the ceiling', () => {
    const { client, clock, factory } = setup({ random: () => 0 });
    client.start();
    factory.last().serverClose(1006);
    const s = client.state;
    expect(s.status === 'backoff' && s.retryAt - clock.now()).toBe(Limits.relayBackoffBaseMs / 2);
  });

  it('reconnects immediately on reconnect() during backoff, and ignores it while open', () => {
    const { client, factory } = setup();
    client.start();
    factory.last().serverClose(1006);
    expect(client.state.status).toBe('backoff');
    client.reconnect();
    expect(factory.sockets).toHaveLength(2);
    expect(client.state).toEqual({ status: 'connecting', attempt: 1 });
    factory.last().open();
    answerHello(factory.last(), { seq: 1 });
    client.reconnect();
    expect(factory.sockets).toHaveLength(2);
  });

  it('ignores a late close from a socket it already replaced', () => {
    const { client, factory } = setup();
    client.start();
    const first = factory.last();
    first.serverClose(1006);
    client.reconnect();
    first.serverClose(1006); // stale
    expect(client.state).toEqual({ status: 'connecting', attempt: 1 });
  });

  it('backs off when the socket cannot even be created', () => {
    const { client } = setup({
      createSocket: () => {
        throw new SyntaxError('bad url');
      },
    });
    client.start();
    expect(client.state).toMatchObject({ status: 'backoff', attempt: 1, error: expect.stringMatching(/bad url/) });
  });

  it('stop() closes the socket, cancels timers and goes idle', () => {
    const { client, socket, clock } = openClient();
    client.stop();
    expect(client.state).toEqual({ status: 'idle' });
    expect(socket.closedByClient).toEqual({ code: 1000, reason: 'client closing' });
    expect(clock.pending).toBe(0);
  });
});

describe('RelayClient liveness', () => {
  it('sends {ping} every clientKeepaliveMs and answers the relay ping with pong', () => {
    const { socket, clock } = openClient();
    const before = socket.sent.length;
    clock.advance(Limits.clientKeepaliveMs - 1);
    expect(socket.sent).toHaveLength(before);
    clock.advance(1);
    expect(socket.frames().at(-1)).toEqual({ ping: 1 });
    socket.receive({ pong: 1 });
    clock.advance(Limits.clientKeepaliveMs);
    expect(socket.frames().at(-1)).toEqual({ ping: 2 });
    socket.receive({ ping: 77 });
    expect(socket.frames().at(-1)).toEqual({ pong: 77 });
  });

  it('declares the socket dead after clientDeadAfterMs without any frame, then reconnects at once', () => {
    const { client, socket, clock, factory, states } = openClient();
    clock.advance(Limits.clientDeadAfterMs - 1);
    socket.receive({ pong: 1 }); // a frame re-arms the timer
    clock.advance(Limits.clientDeadAfterMs - 1);
    expect(client.state.status).toBe('open');
    clock.advance(1);
    expect(states.at(-2)).toMatchObject({
      status: 'backoff',
      attempt: 1,
      retryAt: clock.now(),
      error: expect.stringMatching(/no answer from the relay/),
    });
    // The connection had been open for long: the first retry is immediate (issue 8).
    expect(factory.sockets).toHaveLength(2);
    expect(client.state).toEqual({ status: 'connecting', attempt: 1 });
    expect(socket.closedByClient).not.toBeNull();
  });

  it('declares a connect that never opens dead too', () => {
    const { client, clock } = setup();
    client.start();
    clock.advance(Limits.clientDeadAfterMs);
    expect(client.state.status).toBe('backoff');
  });
});

describe('RelayClient robustness', () => {
  it('logs and ignores malformed frames without changing state', () => {
    const { client, socket, log } = openClient();
    const before = client.accounts;
    socket.receive('{not json');
    socket.receive({ hello: 'world' });
    socket.receive({ event: 'no.such.event', seq: 51, payload: {} });
    socket.receive({ event: 'counts', seq: 51, payload: { accountId: 'work', unread: -1 } });
    socket.handlers.onMessage(new ArrayBuffer(4));
    expect(client.state.status).toBe('open');
    expect(client.accounts).toBe(before);
    expect(client.lastSeq).toBe(50);
    expect(log.lines.filter((l) => l.startsWith('warn:'))).toHaveLength(5);
  });

  it('backs off when send throws', () => {
    const { client, factory } = setup();
    client.start();
    factory.last().throwOnSend = true;
    factory.last().open();
    expect(client.state).toMatchObject({ status: 'backoff', error: expect.stringMatching(/cannot send/) });
  });

  it('survives an owner callback that throws', () => {
    const { client, factory, log } = setup({
      onState: () => {
        throw new Error('owner bug');
      },
    });
    client.start();
    factory.last().open();
    answerHello(factory.last(), { seq: 1 });
    expect(client.state.status).toBe('open');
    expect(log.lines.some((l) => l.includes('onState callback threw'))).toBe(true);
  });
});

describe('RelayClient requests', () => {
  it('matches responses to requests by id, out of order', async () => {
    const { client, socket } = openClient();
    const a = client.request('accounts.list', {});
    const b = client.request('accounts.list', {});
    const reqA = sentRequest(socket, 'accounts.list', 0);
    const reqB = sentRequest(socket, 'accounts.list', 1);
    expect(reqA.id).not.toBe(reqB.id);
    socket.receive({ id: reqB.id, result: { accounts: [account({ id: 'b' })] } });
    socket.receive({ id: reqA.id, result: { accounts: [account({ id: 'a' })] } });
    expect((await a).accounts.map((x) => x.id)).toEqual(['a']);
    expect((await b).accounts.map((x) => x.id)).toEqual(['b']);
  });

  it('rejects with the relay error code', async () => {
    const { client, socket } = openClient();
    const p = client.request('accounts.list', {});
    socket.receive({
      id: sentRequest(socket, 'accounts.list').id,
      error: { code: 'RATE_LIMITED', message: 'slow down' },
    });
    await expect(p).rejects.toMatchObject({ code: 'RATE_LIMITED', message: 'slow down' });
  });

  it('rejects a malformed result instead of resolving it', async () => {
    const { client, socket } = openClient();
    const p = client.request('accounts.list', {});
    socket.receive({ id: sentRequest(socket, 'accounts.list').id, result: { accounts: 'nope' } });
    await expect(p).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('times out a request that gets no answer, and ignores the late answer', async () => {
    const { client, socket, clock, log } = openClient({ requestTimeoutMs: 5_000 });
    const p = client.request('accounts.list', {});
    clock.advance(5_000);
    await expect(p).rejects.toMatchObject({ code: 'TIMEOUT' });
    socket.receive({ id: sentRequest(socket, 'accounts.list').id, result: { accounts: [] } });
    expect(log.lines.some((l) => l.includes('unknown request'))).toBe(true);
    expect(client.state.status).toBe('open');
  });

  it('rejects pending requests when the socket closes, and refuses requests when not open', async () => {
    const { client, socket } = openClient();
    const p = client.request('accounts.list', {});
    socket.serverClose(1006);
    await expect(p).rejects.toBeInstanceOf(TidingsError);
    await expect(p).rejects.toMatchObject({ code: 'UNREACHABLE' });
    await expect(client.request('accounts.list', {})).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });
});
