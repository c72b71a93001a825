import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import { loadSecretKey } from './secret-key.js';

let dir: string;
let keyFile: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidings-key-'));
  keyFile = join(dir, 'data', 'secret.key');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadSecretKey', () => {
  it('creates the key file with mode 0600 and reuses it', () => {
    const first = loadSecretKey({ envValue: undefined, keyFile });
    expect(first.source).toBe('created');
    expect(first.key).toHaveLength(32);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64').equals(first.key)).toBe(true);

    const second = loadSecretKey({ envValue: undefined, keyFile });
    expect(second.source).toBe('file');
    expect(second.key.equals(first.key)).toBe(true);
    expect(second.warning).toBeUndefined();
  });

  it('tightens a group/world readable key file and says so', () => {
    const { key } = loadSecretKey({ envValue: undefined, keyFile });
    chmodSync(keyFile, 0o644);
    const again = loadSecretKey({ envValue: undefined, keyFile });
    expect(again.key.equals(key)).toBe(true);
    expect(again.warning).toMatch(/0644.*0600/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('accepts a 32-byte key from env as base64, base64url or hex, without touching the file', () => {
    const raw = randomBytes(32);
    for (const text of [
      raw.toString('base64'),
      raw.toString('base64url'),
      raw.toString('hex'),
      ` ${raw.toString('hex')}\n`,
    ]) {
      const loaded = loadSecretKey({ envValue: text, keyFile });
      expect(loaded.source).toBe('env');
      expect(loaded.key.equals(raw)).toBe(true);
    }
    expect(() => statSync(keyFile)).toThrow();
  });

  it('treats an empty env value as unset', () => {
    expect(loadSecretKey({ envValue: '  ', keyFile }).source).toBe('created');
  });

  it.each([
    'short',
    randomBytes(16).toString('base64'),
    randomBytes(33).toString('base64'),
    'z'.repeat(64),
    'pass phrase',
  ])('rejects a bad env key %j and says how to make one', (bad) => {
    expect(() => loadSecretKey({ envValue: bad, keyFile })).toThrow(ConfigError);
    expect(() => loadSecretKey({ envValue: bad, keyFile })).toThrow(/openssl rand -base64 32/);
  });

  it('refuses a corrupted key file instead of replacing it', () => {
    loadSecretKey({ envValue: undefined, keyFile });
    writeFileSync(keyFile, 'garbage\n');
    expect(() => loadSecretKey({ envValue: undefined, keyFile })).toThrow(/does not hold a 32-byte/);
    expect(readFileSync(keyFile, 'utf8')).toBe('garbage\n');
  });
});
