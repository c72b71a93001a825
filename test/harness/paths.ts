import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, resolved from this file's location (test/harness/paths.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Scratch space of all test runs; git-ignored. */
export const tmpRoot = join(repoRoot, 'test', '.tmp');

/**
 * Where service processes that drop privileges (Dovecot's auth and mail processes run as the
 * `dovecot` user) keep their files: the system temp dir. A checkout may sit under a directory
 * others cannot enter (root's home, any 0700 parent), and then nothing under test/.tmp is
 * reachable for them ("missing +x perm").
 */
export const serviceTmpRoot = tmpdir();

/** Prefix of a run's service directory under serviceTmpRoot: `tidings-` + the run dir's name. */
export const SERVICE_DIR_PREFIX = 'tidings-';

/**
 * Environment variables through which vitest's globalSetup hands the run directory and the run's
 * service directory to the test workers (they are spawned after globalSetup ran, so they inherit them).
 */
export const RUN_DIR_ENV = 'TIDINGS_TEST_RUN_DIR';
export const SERVICE_DIR_ENV = 'TIDINGS_TEST_SERVICE_DIR';

/** Set `TIDINGS_KEEP_TMP=1` to keep fixture directories (logs, mail, profiles) after a run. */
export const keepTmp = process.env['TIDINGS_KEEP_TMP'] === '1';

const hostTag =
  hostname()
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 16) || 'host';

/** Prefix of run directories owned by `pid` on this host: `run-<host>-<pid>-`. */
export function runDirPrefix(pid: number = process.pid): string {
  return `run-${hostTag}-${pid}-`;
}

/** Parses a run directory name back into its owner; null for anything else. */
export function parseRunDirName(name: string): { host: string; pid: number } | null {
  const match = /^run-([A-Za-z0-9]+)-(\d+)-[A-Za-z0-9]+$/.exec(name);
  if (!match?.[1] || !match[2]) return null;
  return { host: match[1], pid: Number(match[2]) };
}

/** True when the run directory name was made on this host (pids are only comparable there). */
export function isThisHost(host: string): boolean {
  return host === hostTag;
}

/** Creates a directory readable and traversable by Dovecot's unprivileged mail user (0755). */
export function mkdirShared(path: string): string {
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o755);
  return path;
}

let lazyRunDir: string | undefined;
let lazyServiceDir: string | undefined;

/**
 * This run's directory: the one globalSetup created (via RUN_DIR_ENV), or, outside vitest
 * (benchmarks), one created on first use and owned by this process.
 */
export function runDir(): string {
  const fromEnv = process.env[RUN_DIR_ENV];
  if (fromEnv) return mkdirShared(fromEnv);
  if (!lazyRunDir) {
    mkdirShared(tmpRoot);
    // mkdtemp makes 0700 directories; Dovecot's mail processes (uid dovecot) must traverse them.
    lazyRunDir = mkdirShared(mkdtempSync(join(tmpRoot, runDirPrefix())));
    process.env[RUN_DIR_ENV] = lazyRunDir;
  }
  return lazyRunDir;
}

/** A fresh run's service directory `<system tmp>/tidings-run-<host>-<pid>-<random>`, mode 0755. */
export function createServiceRunDir(): string {
  return mkdirShared(mkdtempSync(join(serviceTmpRoot, `${SERVICE_DIR_PREFIX}${runDirPrefix()}`)));
}

/**
 * This run's service directory (see serviceTmpRoot): the one globalSetup created (via
 * SERVICE_DIR_ENV), or, outside vitest (benchmarks), one created on first use.
 */
export function serviceRunDir(): string {
  const fromEnv = process.env[SERVICE_DIR_ENV];
  if (fromEnv) return mkdirShared(fromEnv);
  if (!lazyServiceDir) {
    lazyServiceDir = createServiceRunDir();
    process.env[SERVICE_DIR_ENV] = lazyServiceDir;
  }
  return lazyServiceDir;
}

/** A fresh, uniquely named directory `<runDir>/<prefix>-<random>`, mode 0755. */
export function makeTempDir(prefix: string): string {
  return mkdirShared(mkdtempSync(join(runDir(), `${prefix}-`)));
}

/**
 * A fresh directory `<serviceRunDir>/<prefix>-<random>`, mode 0755, in a place every user can
 * traverse: for files a service reads or writes after dropping root (Dovecot's users files and mail).
 */
export function makeServiceTempDir(prefix: string): string {
  return mkdirShared(mkdtempSync(join(serviceRunDir(), `${prefix}-`)));
}

/** Removes a fixture directory unless TIDINGS_KEEP_TMP=1. Never throws. */
export function removeDir(path: string): void {
  if (keepTmp) return;
  try {
    rmSync(path, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // Best effort: a leftover run directory is cleaned by the next globalSetup.
  }
}
