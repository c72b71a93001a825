/**
 * Device tokens and pairing codes. Only their SHA-256 hashes are stored: a stolen database does
 * not let anyone connect as a device or pair. Plain SHA-256 (no salt, no slow hash) is enough
 * because both values are high-entropy random strings, not passwords a person chose.
 */
import { createHash, randomBytes } from 'node:crypto';
import { normalizePairingCode } from '../../../shared/index.js';

/** Crockford base32: no I, L, O, U, so a code read aloud or copied by hand is hard to get wrong. */
export const PAIRING_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const PAIRING_LENGTH = 8;

/** 32 random bytes, base64url (43 chars): what the extension keeps and sends in `hello`. */
export function generateDeviceToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 hex of a device token; the form the store keeps and looks devices up by. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * A pairing code like `7KQ2-M9XD`: 8 symbols × 5 bits = 40 bits, single use, short-lived and
 * rate-limited (Limits.pairAttemptsPerMinute), so guessing one is hopeless.
 */
export function generatePairingCode(): string {
  const bytes = randomBytes(PAIRING_LENGTH);
  let out = '';
  for (const b of bytes) {
    // 32 divides 256, so masking the low 5 bits is unbiased.
    out += PAIRING_ALPHABET.charAt(b & 31);
  }
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/**
 * SHA-256 hex of the normalised code. Beyond `normalizePairingCode` (case, separators), the
 * Crockford aliases are folded (O→0, I/L→1), which generated codes never contain, so a user who
 * types "O" for "0" still pairs.
 */
export function hashPairingCode(code: string): string {
  const normalized = normalizePairingCode(code).replace(/O/g, '0').replace(/[IL]/g, '1');
  return createHash('sha256').update(normalized, 'utf8').digest('hex');
}
