/**
 * vitest globalSetup for the integration and e2e projects. Light by design — fixtures start
 * their own processes. It:
 * - cleans up after earlier runs that crashed (their processes and directories under test/.tmp
 *   and the system temp dir);
 * - creates this run's directory and its service directory (paths.ts) and hands them to the
 *   workers (RUN_DIR_ENV, SERVICE_DIR_ENV);
 * - generates the run's test certificates once;
 * - on teardown kills anything still running from this run (e.g. after a worker crash) and
 *   removes both directories (kept with TIDINGS_KEEP_TMP=1).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testCertificates } from './certs.js';
import {
  createServiceRunDir,
  isThisHost,
  mkdirShared,
  parseRunDirName,
  removeDir,
  RUN_DIR_ENV,
  runDirPrefix,
  SERVICE_DIR_ENV,
  SERVICE_DIR_PREFIX,
  serviceTmpRoot,
  tmpRoot,
} from './paths.js';
import { isAlive, killProcessesMentioning } from './processes.js';

interface SharedRunState {
  dir: string | undefined;
  serviceDir: string | undefined;
  users: number;
}

// Both projects (integration, e2e) list this globalSetup; they share one run directory, kept in a
// process-wide slot because vitest may load this module once per project.
const slot = Symbol.for('tidings.test-harness.run');
const holder = globalThis as typeof globalThis & { [slot]?: SharedRunState };
const state: SharedRunState = (holder[slot] ??= { dir: undefined, serviceDir: undefined, users: 0 });

/**
 * Kills the processes and removes the directories of runs whose owner process is gone: run
 * directories under `root` named `<prefix>run-<host>-<pid>-<random>`.
 */
function cleanStaleRuns(root: string, prefix: string): void {
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return;
  }
  for (const name of entries) {
    if (!name.startsWith(prefix)) continue;
    const owner = parseRunDirName(name.slice(prefix.length));
    // Other hosts sharing this checkout have their own pid space: leave their runs alone.
    if (!owner || !isThisHost(owner.host) || owner.pid === process.pid || isAlive(owner.pid)) continue;
    const dir = join(root, name);
    const killed = killProcessesMentioning(dir);
    if (killed.length > 0)
      console.warn(`[harness] killed ${killed.length} leftover process(es) of crashed run ${name}`);
    removeDir(dir);
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  state.users += 1;
  if (!state.dir) {
    mkdirShared(tmpRoot);
    cleanStaleRuns(tmpRoot, '');
    cleanStaleRuns(serviceTmpRoot, SERVICE_DIR_PREFIX);
    // mkdtemp gives 0700; Dovecot's mail processes run as the dovecot user and must traverse it.
    state.dir = mkdirShared(mkdtempSync(join(tmpRoot, runDirPrefix())));
    process.env[RUN_DIR_ENV] = state.dir;
    state.serviceDir = createServiceRunDir();
    process.env[SERVICE_DIR_ENV] = state.serviceDir;
    await testCertificates();
  }
  return async () => {
    state.users -= 1;
    if (state.users > 0 || !state.dir) return;
    const dirs = [state.dir, state.serviceDir].filter((d) => d !== undefined);
    state.dir = undefined;
    state.serviceDir = undefined;
    for (const dir of dirs) {
      killProcessesMentioning(dir);
      removeDir(dir);
    }
  };
}
