// Regressions of `relay start` (issue 12): with a store that cannot be written the relay printed
// "listening" and then crashed with an uncaught `TypeError: The database connection is not open`
// from its store poll; an existing data folder with mode 0755 stayed 0755 without a word.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../harness/paths.js';
import { runRelayCli, startRelayProcess } from '../harness/relay.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

describe('regression: an unwritable store crashed the relay after "listening"', () => {
  it('refuses to start, before saying it listens, with a message naming the store', async () => {
    const dataDir = makeTempDir('relay-ro');
    dirs.push(dataDir);
    // A complete data folder (key, store, key check), as after a first start.
    expect((await runRelayCli(['pair'], { dataDir })).code).toBe(0);
    const db = join(dataDir, 'tidings.db');
    // The tests run as root, which file modes do not stop; the immutable attribute does.
    execFileSync('chattr', ['+i', db]);
    try {
      const run = await runRelayCli(['start', '--port', '0'], { dataDir, timeoutMs: 30_000 });
      expect(run.code).toBe(1);
      expect(run.stdout).not.toMatch(/listening/);
      expect(run.stderr).toContain(`the store ${db} cannot be written`);
      expect(run.stderr).not.toMatch(/TypeError|database connection is not open/);
    } finally {
      execFileSync('chattr', ['-i', db]);
    }
  });
});

describe('regression: a data folder readable by others stayed so silently', () => {
  it('tightens an existing 0755 data folder to 0700 at start and says so', async () => {
    const parent = makeTempDir('relay-perm');
    dirs.push(parent);
    const dataDir = join(parent, 'data');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    await using relay = await startRelayProcess({ dataDir });
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(relay.output()).toContain(`warning: data directory ${dataDir} was mode 0755; tightened to 0700`);
  });
});
