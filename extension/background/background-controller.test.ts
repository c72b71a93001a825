import { describe, expect, it } from 'vitest';
import { z } from 'zod/mini';
import { CloseCode, Limits, PROTOCOL_VERSION } from '../../shared/index.js';
import { BackgroundController } from './background-controller.js';
import type { Badge } from './badge.js';
import { parseBackgroundMessage, type BackgroundMessage } from '../ui-protocol/messages.js';
import type { FetchLike } from '../core/pairing.js';
import type { PortLike } from '../ui-protocol/port.js';
import { parseStoredState, STORAGE_KEY } from './stored-state.js';
import { account, FakeClock, fakeSocketFactory, recordingLogger, type FakeSocket } from '../testing/fakes.js';
import { testTranslator } from '../testing/translator.js';
import { serveUiPort } from './ui-port-server.js';

const requestFrame = z.object({ id: z.string(), type: z.string(), params: z.record(z.string(), z.unknown()) });

function memoryStore(initial?: unknown) {
  const data = new Map<string, unknown>();
  if (initial !== undefined) data.set(STORAGE_KEY, initial);
  return {
    data,
    get: async (key: string) => data.get(key),
    set: async (key: string, value: unknown) => {
      data.set(key, structuredClone(value));
    },
  };
}

function setup(options: { stored?: unknown; fetch?: FetchLike } = {}) {
  const clock = new FakeClock();
  const sockets = fakeSocketFactory();
  const store = memoryStore(options.stored);
  const badges: Badge[] = [];
  const fetchCalls: { url: string; body: unknown }[] = [];
  const defaultFetch: FetchLike = async (url, init) => {
    fetchCalls.push({ url, body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : null });
    return new Response(JSON.stringify({ token: 'new-token', deviceId: 'dev-9' }), { status: 200 });
  };
  const controller = new BackgroundController({
    store,
    setBadge: async (b) => {
      badges.push(b);
    },
    createSocket: sockets.createSocket,
    fetch: options.fetch ?? defaultFetch,
    now: clock.now,
    setTimer: clock.setTimer,
    random: () => 1,
    deviceLabel: async () => 'Chrome on linux',
    log: recordingLogger(),
    t: testTranslator(),
  });
  const stored = () => parseStoredState(store.data.get(STORAGE_KEY)).state;
  return { controller, clock, sockets, store, badges, fetchCalls, stored, lastBadge: () => badges.at(-1) };
}

const paired = {
  relayUrl: 'ws://127.0.0.1:8787',
  pairing: { token: 'tok-1', deviceId: 'dev-1' },
  revoked: false,
  lastSeq: 7,
  accounts: [account({ id: 'work', name: 'Work', unread: 2 })],
  accountsAt: 5,
};

function helloFrom(socket: FakeSocket) {
  const f = socket
    .frames()
    .map((x) => requestFrame.safeParse(x))
    .find((r) => r.success && r.data.type === 'hello');
  if (!f?.success) throw new Error('no hello sent');
  return f.data;
}

function answerHello(socket: FakeSocket, seq: number, accounts = [account({ id: 'work', name: 'Work', unread: 4 })]) {
  socket.receive({
    id: helloFrom(socket).id,
    result: { protocol: PROTOCOL_VERSION, relayVersion: '0.1.0', deviceId: 'dev-1', seq, resync: false, accounts },
  });
}

describe('BackgroundController start', () => {
  it('starts unpaired with empty storage: ? badge, no socket', async () => {
    const t = setup();
    await t.controller.start();
    expect(t.controller.snapshot()).toEqual({
      relayUrl: 'ws://127.0.0.1:8787',
      pairing: { status: 'unpaired', revoked: false },
      connection: { status: 'idle' },
      accounts: [],
      accountsAt: null,
      clockOffsetMs: 0,
    });
    expect(t.lastBadge()?.text).toBe('?');
    expect(t.sockets.sockets).toHaveLength(0);
  });

  it('restores a pairing: cached counts on the badge, hello with the stored token and lastSeq', async () => {
    const t = setup({ stored: paired });
    await t.controller.start();
    expect(t.lastBadge()?.text).toBe('2');
    const socket = t.sockets.last();
    expect(socket.url).toBe('ws://127.0.0.1:8787/v1/ws');
    socket.open();
    expect(helloFrom(socket).params).toEqual({ protocol: PROTOCOL_VERSION, token: 'tok-1', lastSeq: 7 });
    answerHello(socket, 12);
    expect(t.lastBadge()?.text).toBe('4');
    await t.controller.flush();
    expect(t.stored()).toMatchObject({ lastSeq: 12, accountsAt: t.clock.now() });
    expect(t.stored().accounts[0]?.unread).toBe(4);
  });

  it('keeps the pairing when another stored field is corrupt', async () => {
    const t = setup({ stored: { ...paired, accounts: [{ id: 'x' }], lastSeq: 'seven' } });
    await t.controller.start();
    expect(t.controller.snapshot().pairing).toEqual({ status: 'paired', deviceId: 'dev-1' });
    expect(t.controller.snapshot().accounts).toEqual([]);
    t.sockets.last().open();
    expect(helloFrom(t.sockets.last()).params['lastSeq']).toBeNull();
  });
});

describe('BackgroundController first install', () => {
  it('opens the options page once on a first install while unpaired, and never otherwise', async () => {
    const fresh = setup();
    expect(await fresh.controller.welcomeOnInstall('install')).toBe(true);
    // Only once: Chromium re-installs an extension loaded with --load-extension on every start.
    expect(await fresh.controller.welcomeOnInstall('install')).toBe(false);
    expect(await setup().controller.welcomeOnInstall('update')).toBe(false);
    expect(await setup().controller.welcomeOnInstall('chrome_update')).toBe(false);
    // Storage survived an uninstall-less reinstall (or sync): already paired, nothing to set up.
    expect(await setup({ stored: paired }).controller.welcomeOnInstall('install')).toBe(false);
  });
});

describe('BackgroundController pairing', () => {
  it('pairs, stores the token, connects and shows counts', async () => {
    const t = setup();
    await t.controller.start();
    const reply = await t.controller.handle({
      id: '1',
      type: 'pair',
      relayUrl: 'ws://localhost:8787/',
      code: 'abcd 2345',
    });
    expect(reply).toEqual({ ok: true });
    expect(t.fetchCalls).toEqual([
      { url: 'http://localhost:8787/v1/pair', body: { code: 'ABCD-2345', label: 'Chrome on linux' } },
    ]);
    expect(t.controller.snapshot()).toMatchObject({
      relayUrl: 'ws://localhost:8787',
      pairing: { status: 'paired', deviceId: 'dev-9' },
    });
    const socket = t.sockets.last();
    socket.open();
    expect(helloFrom(socket).params).toMatchObject({ token: 'new-token', lastSeq: null });
    answerHello(socket, 1);
    expect(t.controller.snapshot().connection.status).toBe('open');
    await t.controller.flush();
    expect(t.stored().pairing).toEqual({ token: 'new-token', deviceId: 'dev-9' });
  });

  it('refuses a bad URL or code before any network call', async () => {
    const t = setup();
    expect(
      await t.controller.handle({ id: '1', type: 'pair', relayUrl: 'ws://10.0.0.2:8787', code: 'ABCD-2345' }),
    ).toMatchObject({
      ok: false,
      error: { field: 'relayUrl' },
    });
    expect(
      await t.controller.handle({ id: '2', type: 'pair', relayUrl: 'ws://127.0.0.1:8787', code: 'AB' }),
    ).toMatchObject({
      ok: false,
      error: { field: 'code' },
    });
    expect(t.fetchCalls).toHaveLength(0);
  });

  it('keeps the existing pairing when a new pairing fails', async () => {
    const t = setup({
      stored: paired,
      fetch: async () =>
        new Response(JSON.stringify({ error: { code: 'PAIRING_INVALID', message: 'x' } }), { status: 401 }),
    });
    const reply = await t.controller.handle({
      id: '1',
      type: 'pair',
      relayUrl: 'ws://127.0.0.1:8787',
      code: 'ABCD-2345',
    });
    expect(reply).toMatchObject({ ok: false, error: { field: 'code' } });
    expect(t.controller.snapshot().pairing).toEqual({ status: 'paired', deviceId: 'dev-1' });
  });

  it('forgets the token when the relay closes with 4401, and says it was revoked', async () => {
    const t = setup({ stored: paired });
    await t.controller.start();
    t.sockets.last().open();
    answerHello(t.sockets.last(), 9);
    t.sockets.last().serverClose(CloseCode.UNAUTHORIZED);
    expect(t.controller.snapshot()).toMatchObject({
      pairing: { status: 'unpaired', revoked: true },
      connection: { status: 'idle' },
      accounts: [],
    });
    expect(t.lastBadge()?.title).toMatch(/no longer accepts this browser/);
    await t.controller.flush();
    expect(t.stored().pairing).toBeNull();
    await t.controller.onAlarm();
    expect(t.sockets.sockets).toHaveLength(1);
  });

  it('unpairs: closes the socket and clears the token and accounts, keeps the URL', async () => {
    const t = setup({ stored: { ...paired, relayUrl: 'wss://relay.example.org' } });
    await t.controller.start();
    const socket = t.sockets.last();
    expect(await t.controller.handle({ id: '1', type: 'unpair' })).toEqual({ ok: true });
    expect(socket.closedByClient).not.toBeNull();
    expect(t.controller.snapshot()).toMatchObject({
      relayUrl: 'wss://relay.example.org',
      pairing: { status: 'unpaired', revoked: false },
      accounts: [],
    });
    expect(t.clock.pending).toBe(0);
    await t.controller.flush();
    expect(t.stored().pairing).toBeNull();
  });
});

describe('BackgroundController unpairing (issue 8)', () => {
  it('revokes this device on the relay before forgetting the token', async () => {
    const t = setup({ stored: paired });
    await t.controller.start();
    const socket = t.sockets.last();
    socket.open();
    answerHello(socket, 8);
    const reply = t.controller.handle({ id: '1', type: 'unpair' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const revoke = socket
      .frames()
      .map((x) => requestFrame.safeParse(x))
      .find((r) => r.success && r.data.type === 'devices.revokeSelf');
    if (!revoke?.success) throw new Error('no devices.revokeSelf sent');
    // Not forgotten until the relay answered.
    expect(t.controller.snapshot().pairing.status).toBe('paired');
    socket.receive({ id: revoke.data.id, result: { deviceId: 'dev-1' } });
    socket.serverClose(CloseCode.UNAUTHORIZED);
    expect(await reply).toEqual({ ok: true });
    // The user unpaired: not shown as "revoked by the relay".
    expect(t.controller.snapshot().pairing).toEqual({ status: 'unpaired', revoked: false });
    await t.controller.flush();
    expect(t.stored().pairing).toBeNull();
  });

  it('forgets the token even when the relay refuses the revocation', async () => {
    const t = setup({ stored: paired });
    await t.controller.start();
    const socket = t.sockets.last();
    socket.open();
    answerHello(socket, 8);
    const reply = t.controller.handle({ id: '1', type: 'unpair' });
    await new Promise((resolve) => setTimeout(resolve, 0));
    const revoke = socket
      .frames()
      .map((x) => requestFrame.safeParse(x))
      .find((r) => r.success && r.data.type === 'devices.revokeSelf');
    if (!revoke?.success) throw new Error('no devices.revokeSelf sent');
    socket.receive({ id: revoke.data.id, error: { code: 'INTERNAL', message: 'store failed' } });
    expect(await reply).toEqual({ ok: true });
    expect(t.controller.snapshot().pairing.status).toBe('unpaired');
  });
});

describe('BackgroundController reconnecting', () => {
  it('the alarm reconnects a client waiting in backoff, and does nothing while open', async () => {
    const t = setup({ stored: paired });
    await t.controller.start();
    t.sockets.last().serverClose(1006);
    expect(t.controller.snapshot().connection.status).toBe('backoff');
    expect(t.lastBadge()?.text).toBe('off');
    await t.controller.onAlarm();
    expect(t.sockets.sockets).toHaveLength(2);
    t.sockets.last().open();
    answerHello(t.sockets.last(), 8);
    await t.controller.onAlarm();
    expect(t.sockets.sockets).toHaveLength(2);
  });

  /** Drops the connection `times` times in a row and returns each backoff delay. */
  function backoffDelays(t: ReturnType<typeof setup>, times: number): number[] {
    const delays: number[] = [];
    for (let i = 0; i < times; i++) {
      t.sockets.last().serverClose(1006);
      const c = t.controller.snapshot().connection;
      if (c.status !== 'backoff') throw new Error(`expected backoff, got ${c.status}`);
      delays.push(c.retryAt - t.clock.now());
      t.clock.advance(c.retryAt - t.clock.now());
    }
    return delays;
  }

  it('uses the short "popup open" backoff only while a UI port is open, not for its own subscribers', async () => {
    // Regression: `uiOpen` counted every snapshot subscriber, and the worker's mail service and
    // health notifier always subscribe, so the short backoff was in force with no page open.
    const t = setup({ stored: paired });
    t.controller.subscribe(() => undefined);
    t.controller.subscribe(() => undefined);
    await t.controller.start();
    expect(backoffDelays(t, 7).at(-1)).toBe(32_000);

    const { ui, bg } = portPair();
    serveUiPort(bg, t.controller, recordingLogger());
    await tick();
    expect(backoffDelays(t, 1)).toEqual([Limits.relayBackoffMaxUiOpenMs]);
    ui.disconnect();
    expect(backoffDelays(t, 1)).toEqual([Limits.relayBackoffMaxMs]);
  });

  it('reconnect from the UI connects now', async () => {
    const t = setup({ stored: paired });
    await t.controller.start();
    t.sockets.last().serverClose(1006);
    await t.controller.handle({ id: 'r', type: 'reconnect' });
    expect(t.sockets.sockets).toHaveLength(2);
  });
});

/** Two in-memory ports wired to each other, like runtime.connect gives. */
function portPair(): { ui: PortLike; bg: PortLike; uiReceived: BackgroundMessage[] } {
  type L = (m: unknown) => void;
  const make = () => ({ msg: [] as L[], disc: [] as (() => void)[] });
  const a = make();
  const b = make();
  const port = (self: typeof a, other: typeof a): PortLike => ({
    name: 'ui',
    postMessage: (m) => other.msg.forEach((l) => l(structuredClone(m))),
    disconnect: () => other.disc.forEach((l) => l()),
    onMessage: { addListener: (l) => self.msg.push(l) },
    onDisconnect: { addListener: (l) => self.disc.push(l) },
  });
  const ui = port(a, b);
  const bg = port(b, a);
  const uiReceived: BackgroundMessage[] = [];
  ui.onMessage.addListener((m) => {
    const parsed = parseBackgroundMessage(m);
    if (!parsed) throw new Error(`invalid message from background: ${JSON.stringify(m)}`);
    uiReceived.push(parsed);
  });
  return { ui, bg, uiReceived };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('serveUiPort', () => {
  it('pushes the state on connect and after changes, and answers requests by id', async () => {
    const t = setup({ stored: paired });
    const { ui, bg, uiReceived } = portPair();
    serveUiPort(bg, t.controller, recordingLogger());
    await tick();
    expect(uiReceived[0]).toMatchObject({ type: 'state', snapshot: { pairing: { status: 'paired' } } });
    ui.postMessage({ id: 'q1', type: 'getState' });
    ui.postMessage({ id: 'q2', type: 'pair', relayUrl: 'ws://8.8.8.8', code: 'ABCD-2345' });
    ui.postMessage({ type: 'getState' }); // no id: dropped
    ui.postMessage('garbage');
    await tick();
    const replies = uiReceived.filter((m) => m.type === 'reply');
    expect(replies).toHaveLength(2);
    expect(replies[0]).toMatchObject({ id: 'q1', ok: true });
    expect(replies[1]).toMatchObject({ id: 'q2', ok: false, error: { field: 'relayUrl' } });
    const before = uiReceived.length;
    t.sockets.last().open();
    answerHello(t.sockets.last(), 20);
    expect(uiReceived.length).toBeGreaterThan(before);
    expect(uiReceived.at(-1)).toMatchObject({ type: 'state', snapshot: { connection: { status: 'open' } } });
  });

  it('stops pushing after the UI disconnects', async () => {
    const t = setup({ stored: paired });
    const { ui, bg, uiReceived } = portPair();
    serveUiPort(bg, t.controller, recordingLogger());
    await tick();
    ui.disconnect();
    const before = uiReceived.length;
    t.sockets.last().serverClose(1006);
    expect(uiReceived.length).toBe(before);
  });
});
