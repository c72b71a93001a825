// Network reach policy (issue 12, SECURITY.md "network reach"): what the relay connects to on a
// user's behalf. Link-local and cloud metadata addresses never, as literals, names or address
// literals in an email; loopback and private ranges only as the operator allows (the default
// allows them on a loopback-bound relay, which is how the test Dovecot on 127.0.0.1 is reached);
// connection tests limited per user.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Limits, type Diagnosis } from '../../shared/index.js';
import { startDovecot, type Dovecot } from '../harness/dovecot.js';
import { rejection, TestClient } from '../harness/protocol-client.js';
import { startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken, serverSettings, trustTestCaEnv } from '../harness/setup-fixtures.js';

let dovecot: Dovecot;
let open: RelayProcess;
let closed: RelayProcess;
let autoconfig: Server;
const autoconfigHits: string[] = [];

const clientConfig = `<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="x"><incomingServer type="imap"><hostname>imap.reach.test</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer></emailProvider></clientConfig>`;

beforeAll(async () => {
  autoconfig = createServer((req, res) => {
    autoconfigHits.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(clientConfig);
  });
  await new Promise<void>((r) => autoconfig.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(autoconfig.address() as AddressInfo).port}`;
  // SRV/A lookups go to a closed loopback port: they fail fast instead of asking real DNS.
  const env = { TIDINGS_AUTOCONFIG_BASE_URL: base, TIDINGS_DNS_SERVER: '127.0.0.1:9' };
  dovecot = await startDovecot();
  open = await startRelayProcess({ env: { ...trustTestCaEnv(dovecot), ...env } });
  closed = await startRelayProcess({
    env: { ...trustTestCaEnv(dovecot), ...env },
    args: ['--allow-private-networks', 'no'],
  });
});

afterAll(async () => {
  await Promise.all([open?.[Symbol.asyncDispose](), closed?.[Symbol.asyncDispose](), dovecot?.stop()]);
  await new Promise((r) => autoconfig?.close(r));
});

const tokens = new Map<RelayProcess, string>();
async function connect(relay: RelayProcess): Promise<TestClient> {
  let token = tokens.get(relay);
  if (!token) tokens.set(relay, (token = await pairToken(relay)));
  return (await TestClient.connect(relay.url, token)).client;
}

function refusedAtDns(d: Diagnosis): string {
  const dns = d.steps.find((s) => s.id === 'dns');
  expect(d.ok).toBe(false);
  expect(dns).toMatchObject({ status: 'fail', code: 'BAD_REQUEST' });
  // Nothing was connected to.
  expect(d.steps.find((s) => s.id === 'tcp')?.status).toBe('skipped');
  return dns!.detail;
}

describe('network reach, relay on loopback (private networks allowed by default)', () => {
  it('connects to the test Dovecot on 127.0.0.1', async () => {
    using client = await connect(open);
    const user = await dovecot.addUser();
    const d = await client.request('accounts.diagnose', {
      settings: serverSettings(dovecot, user),
      password: user.password,
    });
    expect(d.ok).toBe(true);
  });

  it('never diagnoses link-local or cloud metadata addresses, however written', async () => {
    using client = await connect(open);
    for (const host of ['169.254.169.254', 'fe80::1', '[fe80::1]', '::ffff:169.254.169.254', '100.100.100.200']) {
      const d = await client.request('accounts.diagnose', {
        settings: { host, port: 80, security: 'tls', username: 'u', pinnedFingerprint: null },
        password: 'p',
      });
      expect(refusedAtDns(d), host).toMatch(/link-local|metadata/);
    }
  });

  it('refuses to save an account on a metadata address', async () => {
    using client = await connect(open);
    const err = await rejection(
      client.request('accounts.add', {
        settings: { host: '169.254.169.254', port: 993, security: 'tls', username: 'u', pinnedFingerprint: null },
        password: 'p',
        name: 'metadata',
        color: null,
        watchedMailboxes: ['INBOX'],
      }),
    );
    expect(err.error.code).toBe('BAD_REQUEST');
    expect((await client.request('accounts.list', {})).accounts.map((a) => a.name)).not.toContain('metadata');
  });

  it('handles IP-literal email domains by the policy, and fetches nothing from them', async () => {
    using client = await connect(open);
    for (const email of ['user@[169.254.169.254]', 'user@169.254.169.254', 'user@[IPv6:fe80::1]']) {
      const err = await rejection(client.request('accounts.discover', { email }));
      expect(err.error.code, email).toBe('BAD_REQUEST');
      expect(err.error.message).toMatch(/link-local/);
    }
    const hitsBefore = autoconfigHits.length;
    const { candidates } = await client.request('accounts.discover', { email: 'user@[10.0.0.5]' });
    expect(candidates).toEqual([
      { host: '10.0.0.5', port: 993, security: 'tls', source: 'guess', username: 'user@[10.0.0.5]' },
    ]);
    expect(autoconfigHits.length).toBe(hitsBefore);
  });

  it('fetches autoconfig from a loopback mirror when private networks are allowed', async () => {
    using client = await connect(open);
    const { candidates } = await client.request('accounts.discover', { email: 'me@reach.test' });
    expect(candidates.map((c) => c.host)).toEqual(['imap.reach.test']);
  });

  it(`limits connection tests per user (at most ${Limits.diagnosesPerMinute} a minute)`, async () => {
    using client = await connect(open);
    const settings = {
      host: '169.254.169.254',
      port: 80,
      security: 'tls' as const,
      username: 'u',
      pinnedFingerprint: null,
    };
    let limited = false;
    for (let i = 0; i < Limits.diagnosesPerMinute + 1 && !limited; i++) {
      try {
        await client.request('accounts.diagnose', { settings, password: 'p' });
      } catch (err) {
        expect(err).toMatchObject({ error: { code: 'RATE_LIMITED' } });
        limited = true;
      }
    }
    expect(limited).toBe(true);
  });
});

describe('network reach, --allow-private-networks no', () => {
  it('refuses loopback servers in a diagnosis before connecting', async () => {
    using client = await connect(closed);
    const user = await dovecot.addUser();
    const d = await client.request('accounts.diagnose', {
      settings: serverSettings(dovecot, user),
      password: user.password,
    });
    expect(refusedAtDns(d)).toMatch(/loopback/);
  });

  it('refuses names that resolve to loopback the same way', async () => {
    using client = await connect(closed);
    const d = await client.request('accounts.diagnose', {
      settings: { host: 'localhost', port: dovecot.imapsPort, security: 'tls', username: 'u', pinnedFingerprint: null },
      password: 'p',
    });
    expect(refusedAtDns(d)).toMatch(/localhost resolves to .*loopback/);
  });

  it('fetches nothing from a loopback autoconfig URL', async () => {
    using client = await connect(closed);
    const hitsBefore = autoconfigHits.length;
    const { candidates } = await client.request('accounts.discover', { email: 'me@reach.test' });
    expect(candidates).toEqual([]);
    expect(autoconfigHits.length).toBe(hitsBefore);
    const err = await rejection(client.request('accounts.discover', { email: 'user@[10.0.0.5]' }));
    expect(err.error.message).toMatch(/private/);
  });
});
