// The relay as it is deployed, for the benchmarks (all of them: run.ts builds it once per run
// and names it in TIDINGS_RELAY_INSTALL_DIR, which every relay the harness starts then runs):
// `npm run build`'s relay half (scripts/build-relay.mjs, tsc to plain JavaScript) into a
// temporary install directory, run with `node dist/relay/src/main.js`
// (StartRelayOptions.installDir). The sources run through tsx's loader instead, whose transform
// wraps every function created at run time in a `__name()` call (esbuild keepNames): on the
// listing's hot path (rows, MIME walks, previews) that tripled the relay's own CPU per page, a
// cost no deployed relay has.
import { execFile } from 'node:child_process';
import { copyFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTempDir, removeDir, repoRoot } from '../harness/paths.js';
import { RELAY_INSTALL_DIR_ENV } from '../harness/relay.js';

export interface BuiltRelay extends Disposable {
  /** For StartRelayOptions.installDir / startMailRelay's relayInstallDir. */
  installDir: string;
}

/**
 * Builds the relay from the current sources (never a stale dist/) into a fresh directory; within
 * `npm run bench`, the run's build (RELAY_INSTALL_DIR_ENV), made once.
 */
export async function buildRelay(): Promise<BuiltRelay> {
  const shared = process.env[RELAY_INSTALL_DIR_ENV];
  if (shared) return { installDir: shared, [Symbol.dispose]: () => undefined };
  const installDir = makeTempDir('bench-relay');
  try {
    await promisify(execFile)(
      process.execPath,
      [join(repoRoot, 'scripts', 'build-relay.mjs'), '--out-dir', join(installDir, 'dist')],
      { cwd: repoRoot },
    );
    // "type": "module" for dist/, and the checkout's own dependencies (production ones among them).
    copyFileSync(join(repoRoot, 'package.json'), join(installDir, 'package.json'));
    symlinkSync(join(repoRoot, 'node_modules'), join(installDir, 'node_modules'), 'dir');
  } catch (err) {
    removeDir(installDir);
    throw err;
  }
  return { installDir, [Symbol.dispose]: () => removeDir(installDir) };
}
