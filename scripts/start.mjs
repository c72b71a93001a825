#!/usr/bin/env node
// `npm start`: build the extension when it is missing or older than its sources, then run the
// relay in the foreground (extra arguments go to `relay start`, e.g. `npm start -- --port 9000`).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const manifest = join(root, '.output', 'chrome-mv3', 'manifest.json');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const stale =
  !existsSync(manifest) ||
  Math.max(newestMtime(join(root, 'extension')), newestMtime(join(root, 'shared'))) > statSync(manifest).mtimeMs;
if (stale) {
  console.log('Building the extension (first start or sources changed)…');
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'wxt', 'bin', 'wxt.mjs'), 'build', 'extension'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (build.status !== 0) {
    console.error('The extension build failed (see above). The relay was not started.');
    process.exit(build.status ?? 1);
  }
}

const relay = spawn(
  process.execPath,
  ['--import', 'tsx', join(root, 'relay', 'src', 'main.ts'), 'start', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => relay.kill(signal));
relay.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
