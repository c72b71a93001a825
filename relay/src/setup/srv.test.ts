import type { SrvRecord } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { parseEmail } from './email-address.js';
import { orderSrv, srvCandidates, type DiscoveryResolver } from './srv.js';

const rec = (name: string, priority: number, weight: number, port = 993): SrvRecord => ({
  name,
  priority,
  weight,
  port,
});

describe('orderSrv (RFC 2782 / RFC 6186)', () => {
  it('orders by priority, then by weight (heavier first)', () => {
    expect(orderSrv([rec('c', 20, 0), rec('a', 10, 5), rec('b', 10, 50)]).map((r) => r.name)).toEqual(['b', 'a', 'c']);
  });
  it('treats a "." target as "service not available"', () => {
    expect(orderSrv([rec('.', 0, 0)])).toEqual([]);
    expect(orderSrv([rec('', 0, 0)])).toEqual([]);
  });
});

describe('srvCandidates', () => {
  it('prefers imaps (implicit TLS) over imap (STARTTLS) and survives failures', async () => {
    const resolver: DiscoveryResolver = {
      resolveSrv: async (name) => {
        if (name === '_imaps._tcp.example.org')
          return [rec('imap2.example.org.', 20, 0), rec('imap1.example.org', 10, 0)];
        if (name === '_imap._tcp.example.org') return [rec('imap.example.org', 0, 0, 143)];
        throw Object.assign(new Error('nx'), { code: 'ENOTFOUND' });
      },
      resolve4: async () => [],
      resolve6: async () => [],
    };
    const found = await srvCandidates(parseEmail('me@example.org'), { resolver });
    expect(found.map((c) => `${c.host}:${c.port}:${c.security}`)).toEqual([
      'imap1.example.org:993:tls',
      'imap2.example.org:993:tls',
      'imap.example.org:143:starttls',
    ]);
    expect(found.every((c) => c.source === 'srv' && c.username === 'me@example.org')).toBe(true);
  });
});
