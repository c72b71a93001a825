/**
 * What every CLI command shares: its I/O (passed in, so commands never touch `process`), the data
 * directory layout, opening the store and the secret box, and table output.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod/mini';
import { type Env, parseFlags } from '../config.js';
import { createSecretBox, type SecretBox } from '../crypto/secret-box.js';
import { decodeKey, loadSecretKey } from '../crypto/secret-key.js';
import { checkStoreKey, recordStoreKey, upgradeLegacySecrets } from '../crypto/store-secrets.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/types.js';

export interface CliInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface CliOutput {
  write(text: string): unknown;
}

export interface CliIo {
  env: Env;
  cwd: string;
  stdin: CliInput;
  stdout: CliOutput;
  stderr: CliOutput;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Calls `listener` on SIGHUP (reload configuration files); returns an unsubscribe function. */
  onHangup(listener: () => void): () => void;
  now: () => number;
}

/** A command: takes the arguments after its name, returns the exit code. */
export type Command = (argv: string[], io: CliIo) => Promise<number>;

/** A runtime failure the user can act on: printed as one line, exit code 1, no stack trace. */
export class CliFailure extends Error {
  readonly exitCode: number;
  constructor(message: string, options?: { exitCode?: number; cause?: unknown }) {
    super(message, options);
    this.name = 'CliFailure';
    this.exitCode = options?.exitCode ?? 1;
  }
}

/**
 * The package root, for package.json and the built extension: the nearest directory above this
 * module that holds a package.json. That is the repository when the relay runs from its sources
 * (relay/src/cli) and the install directory when it runs from the production build
 * (dist/relay/src/cli).
 */
export const repoRoot = findPackageRoot(fileURLToPath(new URL('.', import.meta.url)));

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

export function readRelayVersion(): string {
  const pkg = z.object({ version: z.string() }).safeParse(parseJsonFile(join(repoRoot, 'package.json')));
  return pkg.success ? pkg.data.version : '0.0.0';
}

function parseJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** `--help`/`-h` anywhere before a `--` terminator. */
export function wantsHelp(argv: string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** The `--data-dir` option every command accepts. */
export const dataDirOption = { 'data-dir': { type: 'string' } } as const;
export { parseFlags };

export function dataPaths(dataDir: string): { db: string; keyFile: string } {
  return { db: join(dataDir, 'tidings.db'), keyFile: join(dataDir, 'secret.key') };
}

/**
 * Creates the data directory with mode 0700 (it holds the key file and the store). An existing
 * directory that others may read or enter is tightened to 0700 (issue 12: a 0755 folder stayed
 * 0755 silently); returns a line telling the user what was done, or null when nothing was.
 */
export function prepareDataDir(dataDir: string): string | null {
  if (existsSync(dataDir)) {
    const stat = statSync(dataDir);
    if (!stat.isDirectory()) throw new CliFailure(`data directory ${dataDir} exists and is not a directory`);
    const mode = stat.mode & 0o777;
    if ((mode & 0o077) === 0) return null;
    const octal = mode.toString(8).padStart(4, '0');
    try {
      chmodSync(dataDir, 0o700);
      return `data directory ${dataDir} was mode ${octal}; tightened to 0700 (it holds the password key and the store)`;
    } catch (err) {
      return `data directory ${dataDir} is mode ${octal} and could not be tightened to 0700 (${(err as Error).message}); other users may read the password key`;
    }
  }
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new CliFailure(`cannot create data directory ${dataDir}: ${(err as Error).message}`, { cause: err });
  }
  return null;
}

/** Opens the store in `dataDir`; `onNotice` hears what prepareDataDir changed (the mode). */
export function openStore(dataDir: string, onNotice?: (line: string) => void): Store {
  const notice = prepareDataDir(dataDir);
  if (notice) onNotice?.(notice);
  const { db } = dataPaths(dataDir);
  try {
    return openSqliteStore({ path: db });
  } catch (err) {
    throw new CliFailure(`cannot open the store ${db}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Loads the secret key (TIDINGS_SECRET_KEY or `<dataDir>/secret.key`) and checks it is the key
 * this store's passwords were encrypted with. Without the check, running `accounts add` without
 * the TIDINGS_SECRET_KEY the relay uses would silently create a second key file, and the relay
 * could never decrypt that account's password. Then rewraps any pre-0.2 (v1) secrets so they are
 * bound to their rows, and finishes a key rotation that was interrupted after the store was
 * re-encrypted but before the new key file was moved into place.
 */
export function openSecretBox(options: { dataDir: string; env: Env; store: Store; stderr: CliOutput }): {
  box: SecretBox;
  source: 'env' | 'file' | 'created';
  keyFile: string;
} {
  const { store, stderr } = options;
  const { keyFile } = dataPaths(options.dataDir);
  const loaded = loadSecretKey({ envValue: options.env.TIDINGS_SECRET_KEY, keyFile });
  if (loaded.warning) stderr.write(`warning: ${loaded.warning}\n`);
  let box = createSecretBox(loaded.key);
  let verdict = checkStoreKey(store, box);
  if (verdict === 'mismatch' && loaded.source !== 'env') {
    const pending = finishInterruptedRotation({ store, keyFile });
    if (pending) {
      stderr.write(`warning: finished an interrupted key rotation: ${keyFile} now holds the new key\n`);
      box = pending;
      verdict = 'match';
    }
  }
  if (verdict === 'mismatch') {
    throw new CliFailure(
      `the secret key from ${loaded.source === 'env' ? 'TIDINGS_SECRET_KEY' : keyFile} is not the key this store's passwords were encrypted with; ` +
        'start every command with the same TIDINGS_SECRET_KEY (or none, to use <data-dir>/secret.key)',
    );
  }
  if (verdict === 'unknown') recordStoreKey(store, box);
  const upgrade = upgradeLegacySecrets(store, box);
  if (upgrade.upgraded > 0)
    stderr.write(`Bound ${upgrade.upgraded} stored password(s) to their accounts (format v2).\n`);
  if (upgrade.unreadable.length > 0) {
    stderr.write(
      `warning: the stored password of account(s) ${upgrade.unreadable.join(', ')} cannot be read; re-enter it (accounts remove + add, or the options page)\n`,
    );
  }
  return { box, source: loaded.source, keyFile };
}

/** `secrets rotate` writes the new key here before re-encrypting, and renames it over the key file after. */
export function pendingKeyFile(keyFile: string): string {
  return `${keyFile}.new`;
}

function finishInterruptedRotation(options: { store: Store; keyFile: string }): SecretBox | null {
  const pending = pendingKeyFile(options.keyFile);
  if (!existsSync(pending)) return null;
  const key = decodeKey(readFileSync(pending, 'utf8'));
  if (!key) return null;
  const box = createSecretBox(key);
  if (checkStoreKey(options.store, box) !== 'match') return null;
  renameSync(pending, options.keyFile);
  return box;
}

/** Left-aligned columns separated by two spaces; headers in capitals. */
/**
 * Proves the store can be written before the relay says it is listening: a read-only file, a full
 * disk or a wrong owner otherwise surfaces later as a crash (issue 12: an uncaught TypeError from
 * the store poll after "listening").
 */
export function assertStoreWritable(store: Store, dbPath: string, now: number): void {
  try {
    store.setSetting(store.ensureDefaultUser().id, '_relay.lastStartAt', now);
  } catch (err) {
    throw new CliFailure(
      `the store ${dbPath} cannot be written (${(err as Error).message}); check its owner, mode and attributes (lsattr), and free disk space`,
      { cause: err },
    );
  }
}

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** Local time as YYYY-MM-DD HH:MM, or "-" for null. */
export function formatTime(ms: number | null): string {
  if (ms === null) return '-';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Makes terminal-control characters in stored values (names, labels) harmless in output. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
