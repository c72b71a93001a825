import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { normalizeFingerprint } from './accounts.js';

const HEX = 'ab'.repeat(32);
const CANONICAL = Array(32).fill('AB').join(':');

describe('normalizeFingerprint', () => {
  it.each([
    HEX,
    HEX.toUpperCase(),
    CANONICAL,
    CANONICAL.toLowerCase(),
    `SHA256:${HEX}`,
    `sha256=${CANONICAL}`,
    ` ${HEX} `,
  ])('accepts %s', (input) => expect(normalizeFingerprint(input)).toBe(CANONICAL));

  it.each(['ab'.repeat(20), 'zz'.repeat(32), '', 'SHA1:' + HEX])('rejects %s', (input) => {
    expect(() => normalizeFingerprint(input)).toThrow(ConfigError);
  });
});
