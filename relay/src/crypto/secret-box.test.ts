import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TidingsError } from '../../../shared/index.js';
import { createCipheriv } from 'node:crypto';
import { DECRYPT_FAILED_MESSAGE, accountSecretContext, createSecretBox } from './secret-box.js';

const key = randomBytes(32);
const box = createSecretBox(key);
const owner = { id: 'acc1', userId: 'user1', host: 'imap.example.com', username: 'me@example.com' };
const ctx = accountSecretContext(owner);

/** Flips one bit of the decoded bytes of envelope part `index` (1 = iv, 2 = tag, 3 = ciphertext). */
function tamper(envelope: string, index: number, byte = 0): string {
  const parts = envelope.split('.');
  const buf = Buffer.from(parts[index] ?? '', 'base64url');
  buf[byte] = (buf[byte] ?? 0) ^ 0x01;
  parts[index] = buf.toString('base64url');
  return parts.join('.');
}

function expectFailsClosed(fn: () => unknown, plaintext: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(TidingsError);
  const err = caught as TidingsError;
  expect(err.code).toBe('INTERNAL');
  expect(err.message).toBe(DECRYPT_FAILED_MESSAGE);
  expect(err.message).not.toContain(plaintext);
}

describe('createSecretBox', () => {
  it('round-trips, including non-ASCII and empty strings', () => {
    for (const plain of ['hunter2', 'pässwörd 🔑', '', 'x'.repeat(10_000)]) {
      expect(box.decrypt(box.encrypt(plain, ctx), ctx)).toBe(plain);
    }
  });

  it('uses the v2 envelope with a 12-byte IV and 16-byte tag', () => {
    const env = box.encrypt('hunter2', ctx);
    const parts = env.split('.');
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe('v2');
    expect(Buffer.from(parts[1] ?? '', 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[2] ?? '', 'base64url')).toHaveLength(16);
  });

  it('encrypts the same plaintext differently each time', () => {
    const a = box.encrypt('same password', ctx);
    const b = box.encrypt('same password', ctx);
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
  });

  it('never contains the plaintext or its base64', () => {
    const canary = 'CanaryPassw0rd-for-tidings';
    const env = box.encrypt(canary, ctx);
    for (const needle of [
      canary,
      Buffer.from(canary).toString('base64'),
      Buffer.from(canary).toString('base64url'),
      Buffer.from(canary).toString('hex'),
    ]) {
      expect(env).not.toContain(needle);
    }
  });

  it.each([
    ['iv', 1],
    ['tag', 2],
    ['ciphertext', 3],
  ])('fails closed when a byte of the %s is flipped', (_name, index) => {
    const env = box.encrypt('secret-value', ctx);
    expectFailsClosed(() => box.decrypt(tamper(env, index), ctx), 'secret-value');
  });

  it('fails closed on truncated or malformed envelopes', () => {
    const env = box.encrypt('secret-value', ctx);
    const [v, iv, tag, ct] = env.split('.') as [string, string, string, string];
    const bad = [
      env.slice(0, -2),
      `${v}.${iv}.${tag.slice(0, 6)}.${ct}`, // truncated tag: must not be accepted as a short tag
      `${v}.${iv}.${tag}`,
      `v1.${iv}.${tag}.${ct}`, // a v1 envelope is never read by decrypt (no downgrade)
      `v3.${iv}.${tag}.${ct}`,
      `${v}.${iv}.${tag}.${ct}!`,
      '',
      'not an envelope',
    ];
    for (const b of bad) expectFailsClosed(() => box.decrypt(b, ctx), 'secret-value');
  });

  it('fails closed with the wrong key', () => {
    const env = box.encrypt('secret-value', ctx);
    expectFailsClosed(() => createSecretBox(randomBytes(32)).decrypt(env, ctx), 'secret-value');
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });

  it.each([
    ['host', { ...owner, host: 'attacker.example' }],
    ['username', { ...owner, username: 'other@example.com' }],
    ['account id', { ...owner, id: 'acc2' }],
    ['user', { ...owner, userId: 'user2' }],
  ])('fails closed when the row it is bound to has another %s', (_what, moved) => {
    const env = box.encrypt('secret-value', ctx);
    expectFailsClosed(() => box.decrypt(env, accountSecretContext(moved)), 'secret-value');
  });

  it('keeps fields apart in the context (no separator ambiguity)', () => {
    const a = accountSecretContext({ id: 'a', userId: 'u', host: 'h","x', username: 'n' });
    const b = accountSecretContext({ id: 'a', userId: 'u', host: 'h', username: 'x","n' });
    expect(a).not.toBe(b);
  });
});

describe('decryptLegacy (v1 envelopes, before associated data)', () => {
  function legacyEncrypt(plain: string): string {
    const iv = Buffer.alloc(12, 7);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(
      '.',
    );
  }

  it('reads a v1 envelope as the old relay wrote it, and nothing else', () => {
    const legacy = legacyEncrypt('old password');
    expect(box.decryptLegacy(legacy)).toBe('old password');
    expectFailsClosed(() => box.decryptLegacy(box.encrypt('new', ctx)), 'new');
    expectFailsClosed(() => createSecretBox(randomBytes(32)).decryptLegacy(legacy), 'old password');
  });
});
