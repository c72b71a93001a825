/**
 * Encryption of secrets at rest (IMAP passwords, later OAuth tokens): AES-256-GCM with a random
 * 96-bit IV per value (NIST SP 800-38D §8.2.2: random IVs are safe for far more than the 2^32
 * values a relay will ever store under one key).
 *
 * Envelope: `v1.<iv b64url>.<tag b64url>.<ciphertext b64url>` — versioned so the format can change.
 *
 * @example
 * const box = createSecretBox(loadSecretKey({ envValue, keyFile }).key);
 * const enc = box.encrypt('hunter2'); // "v1.…"
 * box.decrypt(enc); // "hunter2"
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TidingsError } from '../../../shared/index.js';

export interface SecretBox {
  encrypt(plain: string): string;
  /** Throws TidingsError('INTERNAL') when the envelope was tampered with or the key is wrong. */
  decrypt(envelope: string): string;
}

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const B64URL = /^[A-Za-z0-9_-]*$/;

export const DECRYPT_FAILED_MESSAGE =
  'stored secret could not be decrypted: wrong TIDINGS_SECRET_KEY or a corrupted store';

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
  // Own copy: a caller zeroing or reusing its buffer must not change our key.
  const k = Buffer.from(key);

  return {
    encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', k, iv, { authTagLength: TAG_BYTES });
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
    },

    decrypt(envelope) {
      try {
        const parts = envelope.split('.');
        if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('not a v1 envelope');
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
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
      } catch (cause) {
        // One message for every failure: which check failed is no business of whoever tampered.
        throw new TidingsError('INTERNAL', DECRYPT_FAILED_MESSAGE, { cause });
      }
    },
  };
}
