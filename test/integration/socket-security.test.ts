// Who may talk to the relay: pairing codes work once and only from an extension Origin; sockets
// are refused before the upgrade for unknown Origins; hello needs a valid, unrevoked token from
// the Origin it was paired from; malformed frames get error replies, never a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, Limits, PROTOCOL_VERSION } from '../../shared/index.js';
import { OTHER_ORIGIN, ProtocolError, TEST_ORIGIN, TestClient, pairDevice } from '../harness/protocol-client.js';
import { pairingCodeFrom, runRelayCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';

let relay: RelayProcess;

async function newCode(): Promise<string> {
  const out = await runRelayCli(['pair'], { dataDir: relay.dataDir });
  const code = pairingCodeFrom(out.stdout);
  if (!code) throw new Error(`no pairing code in: ${out.stdout}`);
  return code;
}

async function pairedToken(origin = TEST_ORIGIN): Promise<{ token: string; deviceId: string }> {
  const res = await pairDevice(relay.httpUrl, await newCode(), origin);
  expect(res.status).toBe(200);
  return res.body as { token: string; deviceId: string };
}

async function expectRefusedUpgrade(promise: Promise<unknown>, status: number) {
  await expect(promise).rejects.toMatchObject({ status });
}

beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay?.stop();
});

describe('pairing', () => {
  it('exchanges a code for a token exactly once', async () => {
    const code = await newCode();
    const first = await pairDevice(relay.httpUrl, code);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      deviceId: expect.any(String),
    });
    const again = await pairDevice(relay.httpUrl, code);
    expect(again).toMatchObject({ status: 401, body: { error: { code: 'PAIRING_INVALID' } } });
  });

  it('accepts the code as typed by a person (lower case, no dash)', async () => {
    const code = await newCode();
    const res = await pairDevice(relay.httpUrl, code.toLowerCase().replace('-', ' '));
    expect(res.status).toBe(200);
  });

  it('refuses web pages and wrong codes', async () => {
    const code = await newCode();
    expect(await pairDevice(relay.httpUrl, code, 'https://evil.example')).toMatchObject({
      status: 403,
      body: { error: { code: 'ORIGIN_MISMATCH' } },
    });
    expect(await pairDevice(relay.httpUrl, 'AAAA-AAAA')).toMatchObject({
      status: 401,
      body: { error: { code: 'PAIRING_INVALID' } },
    });
  });

  it('answers CORS preflight for extension origins only', async () => {
    const ok = await fetch(`${relay.httpUrl}/v1/pair`, {
      method: 'OPTIONS',
      headers: { origin: TEST_ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    const web = await fetch(`${relay.httpUrl}/v1/pair`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example' },
    });
    expect(web.status).toBe(403);
    expect(web.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('socket authentication', () => {
  it('refuses the upgrade for a missing or unknown Origin, and tokens in the URL', async () => {
    await pairedToken();
    await expectRefusedUpgrade(TestClient.open(relay.url, { origin: 'https://evil.example' }), 403);
    await expectRefusedUpgrade(
      TestClient.open(relay.url, { origin: 'chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }),
      403,
    );
    await expectRefusedUpgrade(TestClient.open(relay.url, { path: '/v1/ws?token=abc' }), 400);
  });

  it('accepts a valid token and refuses a wrong one with UNAUTHORIZED and close 4401', async () => {
    const { token } = await pairedToken();
    const ok = await TestClient.connect(relay.url, token);
    expect(ok.hello.protocol).toBe(PROTOCOL_VERSION);
    ok.client.close();

    const bad = await TestClient.open(relay.url);
    await expect(
      bad.request('hello', { protocol: PROTOCOL_VERSION, token: 'x'.repeat(43), lastSeq: null }),
    ).rejects.toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((await bad.closed).code).toBe(CloseCode.UNAUTHORIZED);
  });

  it('refuses a token used from another Origin than the one it paired from', async () => {
    const { token } = await pairedToken(TEST_ORIGIN);
    await pairedToken(OTHER_ORIGIN); // so OTHER_ORIGIN passes the pre-upgrade check
    const c = await TestClient.open(relay.url, { origin: OTHER_ORIGIN });
    await expect(c.request('hello', { protocol: PROTOCOL_VERSION, token, lastSeq: null })).rejects.toBeInstanceOf(
      ProtocolError,
    );
    expect((await c.closed).code).toBe(CloseCode.UNAUTHORIZED);
  });

  it('requires hello first, and closes a socket that never says it', async () => {
    await pairedToken();
    const c = await TestClient.open(relay.url);
    await expect(c.request('accounts.list', {})).rejects.toMatchObject({ error: { code: 'HELLO_REQUIRED' } });
    const started = Date.now();
    const closed = await c.closed;
    expect(closed.code).toBe(CloseCode.HELLO_TIMEOUT);
    expect(Date.now() - started).toBeLessThan(Limits.helloTimeoutMs + 2_000);
  });

  it('refuses an unsupported protocol version with close 4400', async () => {
    const { token } = await pairedToken();
    const c = await TestClient.open(relay.url);
    await expect(c.request('hello', { protocol: 99, token, lastSeq: null })).rejects.toMatchObject({
      error: { code: 'UNSUPPORTED_PROTOCOL' },
    });
    expect((await c.closed).code).toBe(CloseCode.UNSUPPORTED_PROTOCOL);
  });

  it('refuses a revoked token, and closes the sockets of a device revoked while connected', async () => {
    const { token, deviceId } = await pairedToken();
    const { client } = await TestClient.connect(relay.url, token);
    const revoke = await runRelayCli(['devices', 'revoke', deviceId], { dataDir: relay.dataDir });
    expect(revoke.code).toBe(0);
    expect((await client.closed).code).toBe(CloseCode.UNAUTHORIZED);
    const again = await TestClient.open(relay.url).catch((e: unknown) => e);
    if (again instanceof TestClient) {
      // Other devices from this Origin keep the upgrade open; hello must still refuse the token.
      await expect(again.request('hello', { protocol: PROTOCOL_VERSION, token, lastSeq: null })).rejects.toMatchObject({
        error: { code: 'UNAUTHORIZED' },
      });
    } else {
      expect(again).toMatchObject({ status: 403 });
    }
  });
});

describe('malformed frames', () => {
  it('answers invalid JSON, unknown types and bad params with error codes and keeps the socket', async () => {
    const { token } = await pairedToken();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    client.sendRaw('{not json');
    client.sendRaw(JSON.stringify({ id: 'u1', type: 'no.such.thing', params: {} }));
    client.sendRaw(JSON.stringify({ id: 'u2', type: 'hello', params: { protocol: 'one' } }));
    client.sendRaw(JSON.stringify([1, 2, 3]));
    await client.waitFor(() => client.errors.length >= 4, 3_000, 'four error replies');
    expect(client.errors.map((e) => e.code)).toEqual(['INVALID_JSON', 'UNKNOWN_TYPE', 'BAD_REQUEST', 'BAD_REQUEST']);
    // Still usable afterwards.
    expect((await client.request('accounts.list', {})).accounts).toBeInstanceOf(Array);
  });

  it('closes with 1009 on a frame over maxPayload', async () => {
    const { token } = await pairedToken();
    const { client } = await TestClient.connect(relay.url, token);
    client.sendRaw('x'.repeat(Limits.maxClientFrameBytes + 1));
    expect((await client.closed).code).toBe(CloseCode.TOO_BIG);
  });

  it('rate-limits a flood of requests with RATE_LIMITED and serves other clients meanwhile', async () => {
    const { token } = await pairedToken();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => client.request('accounts.list', {})));
    const limited = results.filter(
      (r) => r.status === 'rejected' && r.reason instanceof ProtocolError && r.reason.error.code === 'RATE_LIMITED',
    );
    expect(limited.length).toBeGreaterThan(100);
    const other = await TestClient.connect(relay.url, token);
    expect((await other.client.request('accounts.list', {})).accounts).toBeInstanceOf(Array);
    other.client.close();
  });
});

describe('pairing brute force', () => {
  // Last in the file: it uses up this address's pairing budget for a minute.
  it('answers 429 after too many failed attempts from one address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < Limits.pairAttemptsPerMinute + 2; i++)
      statuses.push((await pairDevice(relay.httpUrl, 'ZZZZ-ZZZZ')).status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(Limits.pairAttemptsPerMinute);
    expect(statuses.at(-1)).toBe(429);
  });
});
