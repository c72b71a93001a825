/**
 * vitest globalSetup for the integration and e2e projects. Light by design — fixtures start
 * their own processes. It:
 * - cleans up after earlier runs that crashed (their processes and directories under test/.tmp);
 * - creates this run's directory and hands it to the workers (RUN_DIR_ENV);
 * - generates the run's test certificates once;
 * - on teardown kills anything still running from this run (e.g. after a worker crash) and
 *   removes the run directory (kept with TIDINGS_KEEP_TMP=1).
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { testCertificates } from './certs.js';
import { isThisHost, mkdirShared, parseRunDirName, removeDir, RUN_DIR_ENV, runDirPrefix, tmpRoot } from './paths.js';
import { isAlive, killProcessesMentioning } from './processes.js';

interface SharedRunState {
  dir: string | undefined;
  users: number;
}

// Both projects (integration, e2e) list this globalSetup; they share one run directory, kept in a
// process-wide slot because vitest may load this module once per project.
const slot = Symbol.for('tidings.test-harness.run');
const holder = globalThis as typeof globalThis & { [slot]?: SharedRunState };
const state: SharedRunState = (holder[slot] ??= { dir: undefined, users: 0 });

/** Kills the processes and removes the directories of runs whose owner process is gone. */
function cleanStaleRuns(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpRoot);
  } catch {
    return;
  }
  for (const name of entries) {
    const owner = parseRunDirName(name);
    // Other hosts sharing this checkout have their own pid space: leave their runs alone.
    if (!owner || !isThisHost(owner.host) || owner.pid === process.pid || isAlive(owner.pid)) continue;
    const dir = join(tmpRoot, name);
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
    cleanStaleRuns();
    // mkdtemp gives 0700; Dovecot's mail processes run as the dovecot user and must traverse it.
    state.dir = mkdirShared(mkdtempSync(join(tmpRoot, runDirPrefix())));
    process.env[RUN_DIR_ENV] = state.dir;
    await testCertificates();
  }
  return async () => {
    state.users -= 1;
    if (state.users > 0 || !state.dir) return;
    const dir = state.dir;
    state.dir = undefined;
    killProcessesMentioning(dir);
    removeDir(dir);
  };
}
