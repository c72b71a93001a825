/**
 * Encryption of secrets at rest (IMAP passwords, later OAuth tokens): AES-256-GCM with a random
 * 96-bit IV per value (NIST SP 800-38D §8.2.2: random IVs are safe for far more than the 2^32
 * values a relay will ever store under one key), bound to the row it belongs to.
 *
 * Envelope v2: `v2.<iv b64url>.<tag b64url>.<ciphertext b64url>`, with a *context* string as
 * GCM associated data: for an account, its user, id, host and username (accountSecretContext).
 * Someone who can write the SQLite file but not read the key cannot repoint an account's host (or
 * move its secret to another account) and have the relay send the password there: the tag no
 * longer verifies and decryption fails closed.
 *
 * Envelope v1 (`v1.…`, no associated data) was written before 0.2; decryptLegacy reads it only so
 * the one-time upgrade (upgradeLegacySecrets) can rewrap those rows. decrypt() refuses v1.
 *
 * @example
 * const box = createSecretBox(loadSecretKey({ envValue, keyFile }).key);
 * const context = accountSecretContext(account);
 * const enc = box.encrypt('hunter2', context); // "v2.…"
 * box.decrypt(enc, context); // "hunter2"
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TidingsError } from '../../../shared/index.js';

export interface SecretBox {
  /** Encrypts `plain` bound to `context` (see accountSecretContext). */
  encrypt(plain: string, context: string): string;
  /**
   * Decrypts a v2 envelope made for the same `context`. Throws TidingsError('INTERNAL') when the
   * envelope was tampered with, the key is wrong, or the row it belongs to was changed.
   */
  decrypt(envelope: string, context: string): string;
  /** Reads a v1 envelope (no associated data). Only for the one-time upgrade of old rows. */
  decryptLegacy(envelope: string): string;
}

const VERSION = 'v2';
const LEGACY_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const B64URL = /^[A-Za-z0-9_-]*$/;

export const DECRYPT_FAILED_MESSAGE =
  'stored secret could not be decrypted: wrong TIDINGS_SECRET_KEY, a corrupted store, or the account was changed outside Tidings (re-enter its password)';

/** The fields of an account its secret is bound to. */
export interface SecretOwner {
  id: string;
  userId: string;
  host: string;
  username: string;
}

/**
 * The associated data of an account's secret. JSON of a fixed-order array, so no choice of
 * field values (a host containing a separator, say) can make two different rows collide.
 */
export function accountSecretContext(owner: SecretOwner): string {
  return JSON.stringify(['tidings/account-secret/v2', owner.userId, owner.id, owner.host, owner.username]);
}

/**
 * The associated data of a user's OAuth2 client secret (their own app registration), bound to the
 * user who stored it and the provider: copied to another user's or provider's setting, it fails.
 */
export function oauthClientSecretContext(userId: string, provider: string): string {
  return JSON.stringify(['tidings/oauth-client-secret/v2', userId, provider]);
}

/** True for an envelope written before associated data existed. */
export function isLegacyEnvelope(envelope: string): boolean {
  return envelope.startsWith(`${LEGACY_VERSION}.`);
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
  // Own copy: a caller zeroing or reusing its buffer must not change our key.
  const k = Buffer.from(key);

  const open = (envelope: string, version: string, aad: Buffer | null): string => {
    try {
      const parts = envelope.split('.');
      if (parts.length !== 4 || parts[0] !== version) throw new Error(`not a ${version} envelope`);
      const [, ivText = '', tagText = '', ctText = ''] = parts;
      // Buffer.from(…, 'base64url') silently skips bad characters; check the alphabet first.
      if (![ivText, tagText, ctText].every((p) => B64URL.test(p))) throw new Error('bad base64url');
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      const ct = Buffer.from(ctText, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('bad iv or tag length');
      // authTagLength pins the tag size: without it Node accepts truncated (4-byte) tags,
      // which would make forgeries far cheaper.
      const decipher = createDecipheriv('aes-256-gcm', k, iv, { authTagLength: TAG_BYTES });
      if (aad) decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch (cause) {
      // One message for every failure: which check failed is no business of whoever tampered.
      throw new TidingsError('INTERNAL', DECRYPT_FAILED_MESSAGE, { cause });
    }
  };

  return {
    encrypt(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', k, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
    },
    decrypt: (envelope, context) => open(envelope, VERSION, Buffer.from(context, 'utf8')),
    decryptLegacy: (envelope) => open(envelope, LEGACY_VERSION, null),
  };
}
