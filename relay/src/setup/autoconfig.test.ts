import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoconfigUrls, fetchAutoconfig, parseAutoconfig } from './autoconfig.js';
import { parseEmail } from './email-address.js';

const email = parseEmail('Jane.Doe@Example.ORG');

const config = (servers: string) => `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    ${servers}
    <outgoingServer type="smtp"><hostname>smtp.example.org</hostname><port>465</port><socketType>SSL</socketType></outgoingServer>
  </emailProvider>
</clientConfig>`;

describe('parseAutoconfig', () => {
  it('reads IMAP servers with placeholders, in file order, plaintext last', () => {
    const xml = config(`
      <incomingServer type="imap"><hostname>plain.%EMAILDOMAIN%</hostname><port>143</port><socketType>plain</socketType><username>%EMAILADDRESS%</username></incomingServer>
      <incomingServer type="pop3"><hostname>pop.example.org</hostname><port>995</port><socketType>SSL</socketType></incomingServer>
      <incomingServer type="imap"><hostname>IMAP.example.org</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILLOCALPART%</username></incomingServer>
      <incomingServer type="imap"><hostname>imap.example.org</hostname><port>143</port><socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username></incomingServer>`);
    expect(parseAutoconfig(xml, email)).toEqual([
      { host: 'imap.example.org', port: 993, security: 'tls', source: 'autoconfig', username: 'Jane.Doe' },
      {
        host: 'imap.example.org',
        port: 143,
        security: 'starttls',
        source: 'autoconfig',
        username: 'Jane.Doe@Example.ORG',
      },
      {
        host: 'plain.example.org',
        port: 143,
        security: 'plain',
        source: 'autoconfig',
        username: 'Jane.Doe@Example.ORG',
      },
    ]);
  });

  it('skips entries with bad hosts, ports or socket types', () => {
    const xml = config(`
      <incomingServer type="imap"><hostname>evil host</hostname><port>993</port><socketType>SSL</socketType></incomingServer>
      <incomingServer type="imap"><hostname>imap.example.org</hostname><port>99999</port><socketType>SSL</socketType></incomingServer>
      <incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port><socketType>SSLv2</socketType></incomingServer>`);
    expect(parseAutoconfig(xml, email)).toEqual([]);
  });

  it('rejects a document that is not a clientConfig', () => {
    expect(() => parseAutoconfig('<html><body>not found</body></html>', email)).toThrow(/clientConfig/);
  });
});

describe('fetchAutoconfig over HTTP', () => {
  let server: Server;
  let base: string;
  const served = new Map<string, { status: number; body: string; headers?: Record<string, string> }>();
  const hits: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push(req.url ?? '');
      const path = (req.url ?? '').split('?')[0] ?? '';
      const entry = served.get(path);
      res.writeHead(entry?.status ?? 404, { 'content-type': 'text/xml', ...entry?.headers });
      res.end(entry?.body ?? 'not found');
    });
    server.on('error', () => undefined);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const imap = config(
    '<incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>',
  );

  it('maps the two well-known URLs under a base URL', () => {
    expect(autoconfigUrls(email, null)).toEqual([
      'https://autoconfig.example.org/mail/config-v1.1.xml?emailaddress=Jane.Doe%40Example.ORG',
      'https://example.org/.well-known/autoconfig/mail/config-v1.1.xml',
    ]);
    expect(autoconfigUrls(email, 'http://127.0.0.1:1/')[1]).toBe(
      'http://127.0.0.1:1/example.org/.well-known/autoconfig/mail/config-v1.1.xml',
    );
  });

  it('falls back to the .well-known URL and sends the address to the first', async () => {
    served.clear();
    hits.length = 0;
    served.set('/example.org/.well-known/autoconfig/mail/config-v1.1.xml', { status: 200, body: imap });
    const found = await fetchAutoconfig(email, { baseUrl: base });
    expect(found).toEqual([
      { host: 'imap.example.org', port: 993, security: 'tls', source: 'autoconfig', username: 'Jane.Doe@Example.ORG' },
    ]);
    expect(hits[0]).toBe('/autoconfig.example.org/mail/config-v1.1.xml?emailaddress=Jane.Doe%40Example.ORG');
  });

  it('ignores oversized and DTD-carrying files, and redirects that leave the base', async () => {
    served.clear();
    served.set('/autoconfig.example.org/mail/config-v1.1.xml', { status: 200, body: imap + ' '.repeat(70 * 1024) });
    served.set('/example.org/.well-known/autoconfig/mail/config-v1.1.xml', {
      status: 200,
      body: `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${imap}`,
    });
    expect(await fetchAutoconfig(email, { baseUrl: base })).toEqual([]);

    served.clear();
    served.set('/autoconfig.example.org/mail/config-v1.1.xml', {
      status: 302,
      body: '',
      headers: { location: 'http://elsewhere.invalid/config.xml' },
    });
    expect(await fetchAutoconfig(email, { baseUrl: base })).toEqual([]);
  });

  it('follows a redirect that stays under the base', async () => {
    served.clear();
    served.set('/autoconfig.example.org/mail/config-v1.1.xml', {
      status: 301,
      body: '',
      headers: { location: `${base}/moved/config.xml` },
    });
    served.set('/moved/config.xml', { status: 200, body: imap });
    expect(await fetchAutoconfig(email, { baseUrl: base })).toHaveLength(1);
  });
});
