// `npm run demo` (test/demo/demo.ts) as a user runs it, headless and with a short interval: it comes
// up with the seeded mail on the badge, a delivered message raises the badge, and Ctrl-C stops
// everything it started (relay, Dovecot, Chromium) and removes its files. Needs the production
// build (`npm run build`, which `npm test` runs first).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DemoReady } from '../demo/demo.js';
import { makeTempDir, repoRoot, RUN_DIR_ENV, SERVICE_DIR_ENV } from '../harness/paths.js';
import {
  hasExited,
  isAlive,
  killOnExit,
  killTree,
  listProcesses,
  OutputBuffer,
  waitForExit,
} from '../harness/processes.js';

async function waitFor<T>(what: string, timeoutMs: number, read: () => T | undefined, log: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`demo: ${what} not seen within ${timeoutMs} ms; output:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm run demo', () => {
  it('comes up paired with the seeded mail, follows a delivery on the badge, and Ctrl-C leaves nothing running', async () => {
    const readyFile = join(makeTempDir('demo'), 'ready.json');
    // The demo owns its directories: it must not be handed (and then remove) this run's.
    const env = { ...process.env };
    delete env[RUN_DIR_ENV];
    delete env[SERVICE_DIR_ENV];
    delete env['DISPLAY'];
    delete env['WAYLAND_DISPLAY'];
    const demo = spawn(
      process.execPath,
      ['--import', 'tsx', join('test', 'demo', 'demo.ts'), '--headless', '--interval', '2', '--ready-file', readyFile],
      { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    killOnExit(demo);
    const output = new OutputBuffer();
    demo.stdout.on('data', (d: Buffer) => output.append(d));
    demo.stderr.on('data', (d: Buffer) => output.append(d));
    const log = () => output.toString();
    try {
      const ready = await waitFor(
        'the ready file',
        90_000,
        () => {
          if (hasExited(demo)) throw new Error(`demo exited early (code ${demo.exitCode}):\n${log()}`);
          return existsSync(readyFile) ? (JSON.parse(readFileSync(readyFile, 'utf8')) as DemoReady) : undefined;
        },
        log,
      );
      const seeded = Number(/Badge: (\d+) unread/.exec(log())?.[1]);
      // Unread mail from both inboxes, English and Spanish (popup-seed.ts and demo-mail.ts).
      expect(seeded).toBeGreaterThanOrEqual(8);
      expect(log()).toContain('login alex /');
      expect(log()).toContain('login lucia /');
      expect(ready.imap.accounts.map((a) => a.name)).toEqual(['Work', 'Personal']);

      // The first arrival (Work) raises the badge by one.
      const after = await waitFor(
        'a delivery line',
        30_000,
        () => {
          const match = /new mail for Work: "Quick question about the release notes" → badge (\d+)/.exec(log());
          return match ? Number(match[1]) : undefined;
        },
        log,
      );
      expect(after).toBe(seeded + 1);

      demo.kill('SIGINT');
      expect(await waitForExit(demo, 20_000)).toBe(true);
      expect(demo.exitCode).toBe(0);
      expect(log()).toContain('Nothing of the demo is left running.');
      const pids = [ready.pids.relay, ...ready.pids.dovecot].filter((p): p is number => p !== undefined);
      expect(pids.length).toBeGreaterThan(1);
      expect(pids.filter(isAlive)).toEqual([]);
      // Chromium (its profile), Dovecot (its config) and the relay (its data) all live under these.
      const leftovers = listProcesses().filter((p) => ready.dirs.some((dir) => p.cmdline.includes(dir)));
      expect(leftovers.map((p) => p.cmdline)).toEqual([]);
      for (const dir of ready.dirs) expect(existsSync(dir)).toBe(false);
    } finally {
      if (!hasExited(demo) && demo.pid !== undefined) killTree(demo.pid, 'SIGKILL');
    }
  });
});
