#!/usr/bin/env node
// `npm run build:relay` (and the second half of `npm run build`): compiles relay/src and shared/
// to plain JavaScript in dist/ (relay/tsconfig.build.json), so the relay runs with production
// dependencies only: `node dist/relay/src/main.js start`. The output directory is emptied first so
// a deleted source file never survives as a stale module. `--out-dir <dir>` builds elsewhere (the
// production-build test does, to leave the checkout's dist/ alone).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({ options: { 'out-dir': { type: 'string' } } });
const outDir = resolve(values['out-dir'] ?? join(root, 'dist'));

rmSync(outDir, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [
    join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    join(root, 'relay', 'tsconfig.build.json'),
    '--outDir',
    outDir,
  ],
  { cwd: root, stdio: 'inherit' },
);
if (tsc.status !== 0) {
  console.error('The relay build failed (see above).');
  process.exit(tsc.status ?? 1);
}
console.log(`Relay built into ${outDir} (run it with: node ${join(outDir, 'relay', 'src', 'main.js')} start)`);
