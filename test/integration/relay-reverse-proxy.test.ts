// Issue 11 "Behind a reverse proxy, for real": the relay on loopback behind Caddy and behind nginx,
// each running the configuration docs/deploy.md shows (docs/deploy/Caddyfile, nginx.conf) (TLS on the proxy with a test certificate,
// WebSocket upgrade, X-Forwarded-For). Through each: pairing, a push event, an attachment
// download, and the pairing lockout keyed on the real client (--trust-proxy), not on the proxy.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Limits, RelayPaths } from '../../shared/index.js';
import { testCertificates, type TestCertificates } from '../harness/certs.js';
import { startDovecot, type Dovecot } from '../harness/dovecot.js';
import { httpsRequest } from '../harness/https.js';
import { appendMessage } from '../harness/mail.js';
import { TEST_ORIGIN, TestClient } from '../harness/protocol-client.js';
import {
  addAccountViaCli,
  pairingCodeFrom,
  runRelayCli,
  startRelayProcess,
  type RelayProcess,
} from '../harness/relay.js';
import { startReverseProxy, type ProxyKind } from '../harness/reverse-proxy.js';
import { trustTestCaEnv } from '../harness/setup-fixtures.js';

/** Several relay and CLI processes per test: generous on a loaded machine (each takes seconds alone). */
const SLOW_TEST_MS = 120_000;

let dovecot: Dovecot;
let certs: TestCertificates;

beforeAll(async () => {
  dovecot = await startDovecot();
  certs = await testCertificates();
});

afterAll(async () => {
  await dovecot?.stop();
});

async function pairThrough(proxyUrl: string, relay: RelayProcess): Promise<string> {
  const pair = await runRelayCli(['pair'], { dataDir: relay.dataDir });
  const res = await httpsRequest(`${proxyUrl}${RelayPaths.pair}`, {
    ca: certs.ca.certPem,
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: TEST_ORIGIN },
    body: JSON.stringify({ code: pairingCodeFrom(pair.stdout), label: 'behind a proxy' }),
  });
  expect(res.status).toBe(200);
  return (res.json() as { token: string }).token;
}

/** A wrong pairing code from `localAddress` (a loopback address standing for one client). */
async function wrongCode(proxyUrl: string, localAddress: string): Promise<number> {
  const res = await httpsRequest(`${proxyUrl}${RelayPaths.pair}`, {
    ca: certs.ca.certPem,
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: TEST_ORIGIN },
    body: JSON.stringify({ code: '0000-0000', label: 'guess' }),
    localAddress,
  });
  return res.status;
}

describe.each<ProxyKind>(['caddy', 'nginx'])('behind %s', (kind) => {
  it(
    'pairs, pushes, downloads an attachment and limits pairing per real client',
    { timeout: SLOW_TEST_MS },
    async () => {
      await using relay = await startRelayProcess({
        args: ['--trust-proxy', '127.0.0.1'],
        env: trustTestCaEnv(dovecot),
      });
      await using proxy = await startReverseProxy({ kind, relayPort: relay.port, cert: certs.server });
      const user = await dovecot.addUser();
      const accountId = await addAccountViaCli(relay.dataDir, dovecot, user);

      // Health and pairing over the proxy's TLS (verified against the test CA).
      const health = await httpsRequest(`${proxy.httpsUrl}/health`, { ca: certs.ca.certPem });
      expect(health.status).toBe(200);
      const token = await pairThrough(proxy.httpsUrl, relay);

      // The WebSocket upgrade through the proxy, and a push event from IMAP.
      const { client, hello } = await TestClient.connect(proxy.wssUrl, token);
      using _c = client;
      expect(hello.accounts.map((a) => a.id)).toContain(accountId);
      const attachment = randomBytes(300 * 1024);
      await appendMessage(dovecot, user, {
        raw: [
          'From: a@example.test',
          'Subject: through the proxy',
          'MIME-Version: 1.0',
          'Content-Type: multipart/mixed; boundary="b"',
          '',
          '--b',
          'Content-Type: text/plain',
          '',
          'see attached',
          '--b',
          'Content-Type: application/octet-stream',
          'Content-Disposition: attachment; filename="data.bin"',
          'Content-Transfer-Encoding: base64',
          '',
          attachment.toString('base64').replace(/.{76}/g, '$&\r\n'),
          '--b--',
          '',
        ].join('\r\n'),
      });
      await client.waitFor(
        () => client.events.some((e) => e.event === 'message.new' && e.payload.accountId === accountId),
        15_000,
        'message.new through the proxy',
      );
      const pushed = client.events.find((e) => e.event === 'message.new');
      if (pushed?.event !== 'message.new') throw new Error('no message.new');
      const id = pushed.payload.rows[0]?.id;
      if (!id) throw new Error('message.new without rows');

      // The attachment streams through the proxy byte for byte.
      const query = new URLSearchParams(
        Object.entries({ ...id, partId: '2' }).map(([k, v]) => [k, String(v)] as [string, string]),
      );
      const download = await httpsRequest(`${proxy.httpsUrl}${RelayPaths.attachment}?${query}`, {
        ca: certs.ca.certPem,
        headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN },
      });
      expect(download.status).toBe(200);
      expect(download.body.equals(attachment)).toBe(true);

      // Pairing lockout per real client: one client (127.0.0.5) exhausts its budget; another
      // (127.0.0.6) behind the same proxy is not locked out. Without --trust-proxy both would be
      // the proxy's 127.0.0.1 and share one budget.
      for (let i = 0; i < Limits.pairAttemptsPerMinute; i++)
        expect(await wrongCode(proxy.httpsUrl, '127.0.0.5')).toBe(401);
      expect(await wrongCode(proxy.httpsUrl, '127.0.0.5')).toBe(429);
      expect(await wrongCode(proxy.httpsUrl, '127.0.0.6')).toBe(401);
      expect(relay.output()).toContain('"address":"127.0.0.5"');

      // The socket opened before all this still works.
      expect((await client.request('accounts.list', {})).accounts).toHaveLength(1);
    },
  );
});

describe('without --trust-proxy', () => {
  it('ignores X-Forwarded-For, so a client cannot pick its own rate-limit key', async () => {
    await using relay = await startRelayProcess();
    const attempt = (forwardedFor: string) =>
      fetch(`${relay.httpUrl}${RelayPaths.pair}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: TEST_ORIGIN, 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ code: '0000-0000', label: 'guess' }),
      }).then((r) => r.status);
    for (let i = 0; i < Limits.pairAttemptsPerMinute; i++) expect(await attempt(`198.51.100.${i + 1}`)).toBe(401);
    expect(await attempt('198.51.100.99')).toBe(429);
  });
});
