/**
 * Where the SecretBox key comes from: `TIDINGS_SECRET_KEY` if set, otherwise `<dataDir>/secret.key`,
 * created with mode 0600 on first start. Losing the key makes every stored password unreadable
 * (accounts must be re-added), so the file is created once and never rewritten.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync, fsyncSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../config.js';

export interface LoadedSecretKey {
  key: Buffer;
  source: 'env' | 'file' | 'created';
  /** Set when the key file had loose permissions and was tightened to 0600. */
  warning?: string;
}

const KEY_BYTES = 32;
const HOW_TO_GENERATE = 'generate one with: openssl rand -base64 32';

/** Decodes 32 bytes given as 64 hex chars or as base64/base64url; null for anything else. */
export function decodeKey(text: string): Buffer | null {
  const t = text.trim();
  // Hex first: 64 hex chars are also valid base64 (of 48 bytes).
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(t) || /^[A-Za-z0-9_-]+$/.test(t)) {
    const buf = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
    if (buf.length === KEY_BYTES) return buf;
  }
  return null;
}

export function loadSecretKey(options: { envValue: string | undefined; keyFile: string }): LoadedSecretKey {
  const { envValue, keyFile } = options;
  // An empty assignment (`TIDINGS_SECRET_KEY=` in an env file) means "not set", not "bad key".
  if (envValue !== undefined && envValue.trim() !== '') {
    const key = decodeKey(envValue);
    if (!key) {
      throw new ConfigError(
        `TIDINGS_SECRET_KEY must be ${KEY_BYTES} bytes as base64 or 64 hex characters; ${HOW_TO_GENERATE}`,
      );
    }
    return { key, source: 'env' };
  }

  const created = tryCreateKeyFile(keyFile);
  if (created) return { key: created, source: 'created' };

  let warning: string | undefined;
  const mode = statSync(keyFile).mode & 0o777;
  if (mode & 0o077) {
    chmodSync(keyFile, 0o600);
    warning = `${keyFile} was readable by other users (mode ${mode.toString(8).padStart(4, '0')}); changed it to 0600`;
  }
  const key = decodeKey(readFileSync(keyFile, 'utf8'));
  if (!key) {
    throw new Error(
      `${keyFile} does not hold a ${KEY_BYTES}-byte base64 key; restore it from a backup (stored passwords need the original key), or remove it and re-add every account`,
    );
  }
  return warning === undefined ? { key, source: 'file' } : { key, source: 'file', warning };
}

/** Creates the key file atomically ('wx'); returns null if it already exists. */
function tryCreateKeyFile(keyFile: string): Buffer | null {
  mkdirSync(dirname(keyFile), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    // 'wx' fails if another process created it first; mode 0600 is applied at creation, so the key
    // is never readable by others, not even for a moment.
    fd = openSync(keyFile, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw err;
  }
  const key = randomBytes(KEY_BYTES);
  try {
    writeSync(fd, key.toString('base64') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return key;
}
