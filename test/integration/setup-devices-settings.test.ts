// Issue 4, devices and per-user settings over the real relay process: listing paired browsers,
// revoking another one (its socket closes with 4401 at once) or this one (reply first, then
// 4401), and settings that every socket of the user hears about.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, DEFAULT_USER_SETTINGS, PROTOCOL_VERSION, type UserSettings } from '../../shared/index.js';
import { OTHER_ORIGIN, TestClient, rejection } from '../harness/protocol-client.js';
import { startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken } from '../harness/setup-fixtures.js';

let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelayProcess();
});

afterAll(async () => {
  await relay?.stop();
});

describe('devices', () => {
  it('lists the paired browsers and marks the current one', async () => {
    const tokenA = await pairToken(relay);
    const tokenB = await pairToken(relay, OTHER_ORIGIN);
    const { client: a, hello: helloA } = await TestClient.connect(relay.url, tokenA);
    using _a = a;
    const { client: b, hello: helloB } = await TestClient.connect(relay.url, tokenB, { origin: OTHER_ORIGIN });
    using _b = b;
    const { devices } = await a.request('devices.list', {});
    const mine = devices.find((d) => d.id === helloA.deviceId);
    const theirs = devices.find((d) => d.id === helloB.deviceId);
    expect(mine).toMatchObject({ current: true, label: 'test browser' });
    expect(theirs).toMatchObject({ current: false, origin: OTHER_ORIGIN });
    expect(mine!.createdAt).toBeLessThanOrEqual(Date.now());
    expect(mine!.lastSeenAt).not.toBeNull();
    expect(devices.filter((d) => d.current)).toHaveLength(1);
  });

  it("revoking another device closes that device's socket with 4401 and its token stops working", async () => {
    const tokenA = await pairToken(relay);
    const tokenB = await pairToken(relay, OTHER_ORIGIN);
    const { client: a } = await TestClient.connect(relay.url, tokenA);
    using _a = a;
    const { client: b, hello: helloB } = await TestClient.connect(relay.url, tokenB, { origin: OTHER_ORIGIN });
    using _b = b;
    await a.request('devices.revoke', { id: helloB.deviceId });
    const closed = await b.closed;
    expect(closed.code).toBe(CloseCode.UNAUTHORIZED);
    expect((await a.request('devices.list', {})).devices.some((d) => d.id === helloB.deviceId)).toBe(false);
    // A is unaffected.
    expect((await a.request('settings.get', {})).settings).toBeDefined();
    // B's token is dead.
    const again = await TestClient.open(relay.url, { origin: OTHER_ORIGIN });
    using _again = again;
    const refused = await rejection(
      again.request('hello', { protocol: PROTOCOL_VERSION, token: tokenB, lastSeq: null }),
    );
    expect(refused.error.code).toBe('UNAUTHORIZED');
    // Revoking it twice is NOT_FOUND.
    expect((await rejection(a.request('devices.revoke', { id: helloB.deviceId }))).error.code).toBe('NOT_FOUND');
  });

  it('revoking the current device answers first, then closes this socket with 4401', async () => {
    const token = await pairToken(relay);
    const { client, hello } = await TestClient.connect(relay.url, token);
    using _c = client;
    const result = await client.request('devices.revoke', { id: hello.deviceId });
    expect(result).toEqual({});
    expect((await client.closed).code).toBe(CloseCode.UNAUTHORIZED);
  });
});

describe('settings', () => {
  it('starts at the defaults, saves, and tells every socket of the user', async () => {
    const token = await pairToken(relay);
    const { client: a } = await TestClient.connect(relay.url, token);
    using _a = a;
    const { client: b } = await TestClient.connect(relay.url, token);
    using _b = b;
    expect((await a.request('settings.get', {})).settings).toEqual(DEFAULT_USER_SETTINGS);

    const next: UserSettings = {
      notifications: {
        enabled: true,
        mutedAccounts: ['acct1', 'acct1'],
        quietHours: { enabled: true, start: '22:30', end: '06:45', days: [5, 1, 1], timeZone: 'Europe/Madrid' },
      },
      badge: { countMode: 'new', hideAtZero: false },
      remoteImagesAllowed: ['News@Example.org '],
    };
    const saved = await a.request('settings.set', { settings: next });
    const normalized: UserSettings = {
      notifications: {
        enabled: true,
        mutedAccounts: ['acct1'],
        quietHours: { enabled: true, start: '22:30', end: '06:45', days: [1, 5], timeZone: 'Europe/Madrid' },
      },
      badge: { countMode: 'new', hideAtZero: false },
      remoteImagesAllowed: ['news@example.org'],
    };
    expect(saved.settings).toEqual(normalized);
    await b.waitFor(() => b.events.some((e) => e.event === 'settings.changed'), 5_000, 'settings.changed on B');
    const event = b.events.find((e) => e.event === 'settings.changed');
    expect(event?.payload).toEqual({ settings: normalized });
    expect((await b.request('settings.get', {})).settings).toEqual(normalized);

    // Survives a relay restart (stored, not just cached).
    await relay.restart();
    const { client: c } = await TestClient.connect(relay.url, token);
    using _c = c;
    expect((await c.request('settings.get', {})).settings).toEqual(normalized);
  });

  it('refuses an unknown time zone and keeps the old settings', async () => {
    const token = await pairToken(relay);
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const before = (await client.request('settings.get', {})).settings;
    const bad = structuredClone(before);
    bad.notifications.quietHours.timeZone = 'Mars/Olympus_Mons';
    const err = await rejection(client.request('settings.set', { settings: bad }));
    expect(err.error.code).toBe('BAD_REQUEST');
    expect((await client.request('settings.get', {})).settings).toEqual(before);
  });
});
