#!/usr/bin/env node
// `npm start`: build the extension when it is missing or older than its sources, then run the
// relay in the foreground (extra arguments go to `relay start`, e.g. `npm start -- --port 9000`).
import { spawn } from 'node:child_process';
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
/** What a terminal would show of a line: the text after its last carriage return, without escape sequences. */
function plainLine(line) {
  // eslint-disable-next-line no-control-regex -- removing terminal escape sequences is the point
  return line.slice(line.lastIndexOf('\r') + 1).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

/**
 * Runs the WXT build. WXT draws its progress spinner on stdout whether or not it is a terminal;
 * when ours is not (output redirected to a file or a log), its output is passed on line by line
 * as plain text instead.
 */
function buildExtension() {
  const interactive = process.stdout.isTTY === true;
  const child = spawn(process.execPath, [join(root, 'node_modules', 'wxt', 'bin', 'wxt.mjs'), 'build', 'extension'], {
    cwd: root,
    stdio: ['ignore', interactive ? 'inherit' : 'pipe', 'inherit'],
  });
  if (!interactive) {
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text) => {
      const lines = (pending + text).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(plainLine(line) + '\n');
    });
    child.stdout.on('end', () => {
      if (pending) process.stdout.write(plainLine(pending) + '\n');
    });
  }
  return new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

if (stale) {
  console.log('Building the extension (first start or sources changed)…');
  const status = await buildExtension();
  if (status !== 0) {
    console.error('The extension build failed (see above). The relay was not started.');
    process.exit(status);
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
