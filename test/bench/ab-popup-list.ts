// `popup_list` for two extension builds side by side (issue 10): on a shared, loaded machine two
// benchmark runs minutes apart differ more than the change being measured, so this opens the
// popup of build A and build B alternately, in two browsers paired with the same relay, and
// reports each case for both. Same definitions as popup-list.ts (warm, cold, worker_restart), in
// the real toolbar popup.
//   AB_A=/tmp/build-before AB_B=.output/chrome-mv3-test AB_SAMPLES=20 node --import tsx test/bench/ab-popup-list.ts
// Both builds must be test builds (npm run build:test); copy one aside before rebuilding.
import { ACTION_POPUP_ARGS, actionPopupOpener, type ActionPopupOpener } from '../harness/action-popup.js';
import { launchExtension, type ExtensionBrowser } from '../harness/chromium.js';
import { seedMaildir } from '../harness/mail.js';
import { pairFromOptions } from '../harness/options-page.js';
import { startPopupWorld } from '../e2e/popup-world.js';
import { clearMailCache, openActionPopupOnce, relayRestarter } from './popup-list.js';
import { summary } from './stats.js';

const dirA = process.env.AB_A;
const dirB = process.env.AB_B;
if (!dirA || !dirB) throw new Error('set AB_A and AB_B to two test builds');
const samples = Number(process.env.AB_SAMPLES ?? 20);

await using world = await startPopupWorld({
  launch: { extensionDir: dirA, extraArgs: ACTION_POPUP_ARGS, pinAction: true },
  seed: async (dovecot, [user]) => {
    await seedMaildir(dovecot, user!, 500, { seenRatio: 0.7 });
  },
});
const b = await launchExtension({ extensionDir: dirB, extraArgs: ACTION_POPUP_ARGS, pinAction: true });
try {
  await (await pairFromOptions(b, world.relay)).close();
  const browsers: Record<'A' | 'B', ExtensionBrowser> = { A: world.browser, B: b };
  const openers = new Map<ExtensionBrowser, ActionPopupOpener>();
  for (const x of Object.values(browsers)) openers.set(x, await actionPopupOpener(x));
  const open = (x: ExtensionBrowser) => openActionPopupOnce(openers.get(x)!);
  const clearCache = clearMailCache;
  const freshRelay = await relayRestarter(world);
  for (const x of Object.values(browsers)) for (let i = 0; i < 3; i++) await open(x);

  const figures: Record<string, number[]> = {};
  const add = (key: string, ms: number) => (figures[key] ??= []).push(ms);
  for (let i = 0; i < samples; i++) {
    // Alternate which build goes first, so neither always follows the other's cold open.
    const order = i % 2 === 0 ? (['A', 'B'] as const) : (['B', 'A'] as const);
    for (const name of order) {
      const w = await open(browsers[name]);
      add(`${name} warm`, w.ready);
    }
    for (const name of order) {
      await browsers[name].stopServiceWorker();
      add(`${name} worker_restart`, (await open(browsers[name])).ready);
    }
    for (const name of order) {
      await clearCache(browsers[name]);
      await browsers[name].stopServiceWorker();
      await freshRelay();
      add(`${name} cold`, (await open(browsers[name])).ready);
    }
    process.stdout.write('.');
  }
  process.stdout.write(`\n${samples} samples each, load ${(await import('node:os')).loadavg().join(' ')}\n`);
  for (const key of Object.keys(figures).sort((p, q) => p.slice(2).localeCompare(q.slice(2)) || p.localeCompare(q))) {
    const s = summary(figures[key]!);
    process.stdout.write(`${key.padEnd(26)} p50 ${String(s.p50).padStart(7)}  p95 ${String(s.p95).padStart(7)}\n`);
  }
} finally {
  await b.close();
}
