import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TidingsError } from '../../../shared/index.js';
import { DECRYPT_FAILED_MESSAGE, createSecretBox } from './secret-box.js';

const key = randomBytes(32);
const box = createSecretBox(key);

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
      expect(box.decrypt(box.encrypt(plain))).toBe(plain);
    }
  });

  it('uses the v1 envelope with a 12-byte IV and 16-byte tag', () => {
    const env = box.encrypt('hunter2');
    const parts = env.split('.');
    expect(parts).toHaveLength(4);
    expect(parts[0]).toBe('v1');
    expect(Buffer.from(parts[1] ?? '', 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[2] ?? '', 'base64url')).toHaveLength(16);
  });

  it('encrypts the same plaintext differently each time', () => {
    const a = box.encrypt('same password');
    const b = box.encrypt('same password');
    expect(a).not.toBe(b);
    expect(a.split('.')[1]).not.toBe(b.split('.')[1]);
  });

  it('never contains the plaintext or its base64', () => {
    const canary = 'CanaryPassw0rd-for-tidings';
    const env = box.encrypt(canary);
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
    const env = box.encrypt('secret-value');
    expectFailsClosed(() => box.decrypt(tamper(env, index)), 'secret-value');
  });

  it('fails closed on truncated or malformed envelopes', () => {
    const env = box.encrypt('secret-value');
    const [v, iv, tag, ct] = env.split('.') as [string, string, string, string];
    const bad = [
      env.slice(0, -2),
      `${v}.${iv}.${tag.slice(0, 6)}.${ct}`, // truncated tag: must not be accepted as a short tag
      `${v}.${iv}.${tag}`,
      `v2.${iv}.${tag}.${ct}`,
      `${v}.${iv}.${tag}.${ct}!`,
      '',
      'not an envelope',
    ];
    for (const b of bad) expectFailsClosed(() => box.decrypt(b), 'secret-value');
  });

  it('fails closed with the wrong key', () => {
    const env = box.encrypt('secret-value');
    expectFailsClosed(() => createSecretBox(randomBytes(32)).decrypt(env), 'secret-value');
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => createSecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
