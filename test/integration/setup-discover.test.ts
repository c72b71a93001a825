// Issue 4, accounts.discover through the real relay process: presets, Mozilla autoconfig from a
// loopback HTTP server (TIDINGS_AUTOCONFIG_BASE_URL), and RFC 6186 SRV records from a loopback
// DNS server that the relay's real dns.Resolver queries (TIDINGS_DNS_SERVER).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type LoopbackDnsServer } from '../harness/dns-server.js';
import { ProtocolError, TestClient } from '../harness/protocol-client.js';
import { startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken } from '../harness/setup-fixtures.js';

let relay: RelayProcess;
let token: string;
let http: Server;
let dns: LoopbackDnsServer;
const httpHits: string[] = [];

const imapServer = (host: string, port: number, socketType: string, username: string) =>
  `<incomingServer type="imap"><hostname>${host}</hostname><port>${port}</port><socketType>${socketType}</socketType><username>${username}</username><authentication>password-cleartext</authentication></incomingServer>`;
const clientConfig = (servers: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<clientConfig version="1.1"><emailProvider id="x"><displayName>X &amp; Co</displayName>${servers}</emailProvider></clientConfig>`;

/** path (without query) → body; everything else 404. */
const files: Record<string, string> = {
  // First URL: autoconfig.<domain>/mail/config-v1.1.xml
  '/autoconfig.first.test/mail/config-v1.1.xml': clientConfig(
    imapServer('imap.first.test', 993, 'SSL', '%EMAILLOCALPART%') +
      imapServer('imap.first.test', 143, 'STARTTLS', '%EMAILADDRESS%'),
  ),
  // Second URL: <domain>/.well-known/autoconfig/mail/config-v1.1.xml
  '/second.test/.well-known/autoconfig/mail/config-v1.1.xml': clientConfig(
    imapServer('mail.%EMAILDOMAIN%', 993, 'SSL', '%EMAILADDRESS%'),
  ),
  // A hostile file (external entity) must be refused; discovery falls through to SRV.
  '/autoconfig.hostile.test/mail/config-v1.1.xml': `<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]>${clientConfig(
    imapServer('&x;', 993, 'SSL', '%EMAILADDRESS%'),
  )}`,
};

beforeAll(async () => {
  http = createServer((req, res) => {
    httpHits.push(req.url ?? '');
    const body = files[(req.url ?? '').split('?')[0] ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/xml' });
    res.end(body ?? 'not found');
  });
  http.on('error', () => undefined);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  dns = await startDnsServer({
    srv: {
      '_imaps._tcp.srv.test': [
        { priority: 20, weight: 0, port: 993, target: 'backup.srv.test' },
        { priority: 10, weight: 10, port: 993, target: 'light.srv.test' },
        { priority: 10, weight: 60, port: 9993, target: 'heavy.srv.test.' },
      ],
      // RFC 6186 §4: "." = decidedly not available.
      '_imap._tcp.srv.test': [{ priority: 0, weight: 0, port: 0, target: '.' }],
      '_imap._tcp.starttls-only.test': [{ priority: 0, weight: 0, port: 143, target: 'imap.starttls-only.test' }],
      '_imaps._tcp.hostile.test': [{ priority: 0, weight: 0, port: 993, target: 'imap.hostile.test' }],
    },
    a: { 'mail.guess.test': ['192.0.2.10'] },
  });
  relay = await startRelayProcess({
    env: {
      TIDINGS_AUTOCONFIG_BASE_URL: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      TIDINGS_DNS_SERVER: dns.address,
    },
  });
  token = await pairToken(relay);
});

afterAll(async () => {
  await relay?.stop();
  await dns?.close();
  await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
});

describe('accounts.discover', () => {
  it.each([
    ['someone@gmail.com', 'imap.gmail.com'],
    ['someone@outlook.com', 'outlook.office365.com'],
    ['someone@hotmail.com', 'outlook.office365.com'],
    ['someone@fastmail.com', 'imap.fastmail.com'],
    ['someone@icloud.com', 'imap.mail.me.com'],
    ['someone@yahoo.co.uk', 'imap.mail.yahoo.com'],
  ])('knows the preset for %s without asking the network', async (email, host) => {
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const queries = dns.queries.length;
    const hits = httpHits.length;
    const { candidates } = await client.request('accounts.discover', { email });
    expect(candidates).toEqual([{ host, port: 993, security: 'tls', source: 'preset', username: email }]);
    expect(dns.queries.length).toBe(queries);
    expect(httpHits.length).toBe(hits);
  });

  it('reads the autoconfig file at autoconfig.<domain> and passes the address', async () => {
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const { candidates } = await client.request('accounts.discover', { email: 'Ann.Lee@First.test' });
    expect(candidates).toEqual([
      { host: 'imap.first.test', port: 993, security: 'tls', source: 'autoconfig', username: 'Ann.Lee' },
      {
        host: 'imap.first.test',
        port: 143,
        security: 'starttls',
        source: 'autoconfig',
        username: 'Ann.Lee@First.test',
      },
    ]);
    expect(httpHits).toContain('/autoconfig.first.test/mail/config-v1.1.xml?emailaddress=Ann.Lee%40First.test');
  });

  it('falls back to the .well-known URL', async () => {
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const { candidates } = await client.request('accounts.discover', { email: 'bo@second.test' });
    expect(candidates).toEqual([
      { host: 'mail.second.test', port: 993, security: 'tls', source: 'autoconfig', username: 'bo@second.test' },
    ]);
  });

  it('orders SRV records by priority then weight and ignores a "." target', async () => {
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const { candidates } = await client.request('accounts.discover', { email: 'cy@srv.test' });
    expect(candidates.map((c) => `${c.host}:${c.port}:${c.security}:${c.source}`)).toEqual([
      'heavy.srv.test:9993:tls:srv',
      'light.srv.test:993:tls:srv',
      'backup.srv.test:993:tls:srv',
    ]);
    expect(candidates.every((c) => c.username === 'cy@srv.test')).toBe(true);
    expect(dns.queries).toEqual(
      expect.arrayContaining([
        { name: '_imaps._tcp.srv.test', type: 'SRV' },
        { name: '_imap._tcp.srv.test', type: 'SRV' },
      ]),
    );

    const starttls = await client.request('accounts.discover', { email: 'cy@starttls-only.test' });
    expect(starttls.candidates).toEqual([
      {
        host: 'imap.starttls-only.test',
        port: 143,
        security: 'starttls',
        source: 'srv',
        username: 'cy@starttls-only.test',
      },
    ]);
  });

  it('refuses an autoconfig file with a DTD and uses SRV instead', async () => {
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const { candidates } = await client.request('accounts.discover', { email: 'dee@hostile.test' });
    expect(candidates).toEqual([
      { host: 'imap.hostile.test', port: 993, security: 'tls', source: 'srv', username: 'dee@hostile.test' },
    ]);
  });

  it('guesses mail.<domain> only when the name exists, and finds nothing otherwise', async () => {
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    expect((await client.request('accounts.discover', { email: 'eve@guess.test' })).candidates).toEqual([
      { host: 'mail.guess.test', port: 993, security: 'tls', source: 'guess', username: 'eve@guess.test' },
    ]);
    expect((await client.request('accounts.discover', { email: 'eve@nothing.test' })).candidates).toEqual([]);
  });

  it('answers BAD_REQUEST for something that is not an address', async () => {
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    await expect(client.request('accounts.discover', { email: 'not an address' })).rejects.toSatisfy(
      (e) => e instanceof ProtocolError && e.error.code === 'BAD_REQUEST',
    );
  });
});
