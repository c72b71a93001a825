import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateDeviceToken, generatePairingCode, hashPairingCode, hashToken } from './tokens.js';

const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

describe('device tokens', () => {
  it('are 32 random bytes in base64url', () => {
    const t = generateDeviceToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(t, 'base64url')).toHaveLength(32);
    expect(generateDeviceToken()).not.toBe(t);
  });

  it('hash to SHA-256 hex', () => {
    expect(hashToken('abc')).toBe(createHash('sha256').update('abc').digest('hex'));
    expect(hashToken('abc')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('pairing codes', () => {
  it('look like XXXX-XXXX in Crockford base32 and use the whole alphabet', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const code = generatePairingCode();
      expect(code).toMatch(CODE);
      for (const ch of code.replace('-', '')) seen.add(ch);
    }
    expect(seen.size).toBe(32);
  });

  it('hash the same however the user typed them', () => {
    const h = hashPairingCode('7KQ2-M9XD');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(hashPairingCode('7kq2m9xd')).toBe(h);
    expect(hashPairingCode(' 7KQ2 M9XD ')).toBe(h);
    expect(hashPairingCode('7KQ2-M9XE')).not.toBe(h);
  });

  it('fold the Crockford look-alikes O→0 and I/L→1', () => {
    expect(hashPairingCode('O1AB-CDEF')).toBe(hashPairingCode('01AB-CDEF'));
    expect(hashPairingCode('0IAB-CDEF')).toBe(hashPairingCode('01AB-CDEF'));
    expect(hashPairingCode('0lAB-CDEF')).toBe(hashPairingCode('01AB-CDEF'));
  });
});
