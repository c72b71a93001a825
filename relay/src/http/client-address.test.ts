import { describe, expect, it } from 'vitest';
import { clientAddress, parseTrustedProxies } from './client-address.js';

const proxies = parseTrustedProxies('127.0.0.1, ::1,10.0.0.2');

describe('clientAddress', () => {
  it('ignores X-Forwarded-For without trusted proxies (the default)', () => {
    expect(clientAddress({ peer: '203.0.113.9', forwardedFor: '1.2.3.4', trustedProxies: new Set() })).toBe(
      '203.0.113.9',
    );
  });

  it('ignores X-Forwarded-For from a peer that is not a configured proxy', () => {
    expect(clientAddress({ peer: '203.0.113.9', forwardedFor: '1.2.3.4', trustedProxies: proxies })).toBe(
      '203.0.113.9',
    );
  });

  it("takes the proxy's last appended address from a trusted peer, IPv4-mapped or not", () => {
    expect(clientAddress({ peer: '::ffff:127.0.0.1', forwardedFor: '198.51.100.7', trustedProxies: proxies })).toBe(
      '198.51.100.7',
    );
    expect(clientAddress({ peer: '::1', forwardedFor: '2001:db8::5', trustedProxies: proxies })).toBe('2001:db8::5');
  });

  it('does not let a client choose its key by sending its own X-Forwarded-For', () => {
    // The client sent "6.6.6.6"; the proxy appended the real address.
    expect(clientAddress({ peer: '127.0.0.1', forwardedFor: '6.6.6.6, 198.51.100.7', trustedProxies: proxies })).toBe(
      '198.51.100.7',
    );
  });

  it('skips trusted proxies in a chain', () => {
    expect(clientAddress({ peer: '127.0.0.1', forwardedFor: '198.51.100.7, 10.0.0.2', trustedProxies: proxies })).toBe(
      '198.51.100.7',
    );
  });

  it('falls back to the peer on a missing or malformed header', () => {
    expect(clientAddress({ peer: '127.0.0.1', forwardedFor: undefined, trustedProxies: proxies })).toBe('127.0.0.1');
    expect(clientAddress({ peer: '127.0.0.1', forwardedFor: 'not-an-ip', trustedProxies: proxies })).toBe('127.0.0.1');
    expect(clientAddress({ peer: '127.0.0.1', forwardedFor: '127.0.0.1', trustedProxies: proxies })).toBe('127.0.0.1');
  });
});

describe('parseTrustedProxies', () => {
  it('refuses names, naming the entry', () => {
    expect(() => parseTrustedProxies('127.0.0.1,proxy.local')).toThrow(/"proxy.local" is not an IP address/);
  });
});
