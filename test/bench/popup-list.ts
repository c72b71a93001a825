// Benchmark `popup_list` (BENCHMARKS.md): popup opened → the 50 newest rows in the DOM.
// Each sample opens the real toolbar popup, as a click on the pinned button does (CDP
// Extensions.triggerAction; harness/action-popup.ts), and measures inside it from its navigation
// start (performance.timeOrigin) to the moment the list holds ≥ 50 rows and the first is rendered.
// The list is virtualized: it renders the rows in view (plus overscan) of those 50, not all 50
// nodes.
// Every sample but warm_after_cold starts OPEN_GAP_MS after the previous popup closed.
//   warm  = the background's cache holds the list and the service worker is alive
//   cold  = truly cold (BENCHMARKS.md): the extension's mail cache emptied, its service worker
//           stopped, and the relay restarted as a fresh process (no row cache, no command
//           connection: the popup's request opens the IMAP connection, logs in, SELECTs and
//           FETCHes). The relay is up and its account watcher online before the popup opens, as
//           it is when a user clicks the toolbar button. Not a fresh browser profile: the
//           popup's page and scripts come from Chromium's caches (a new profile would need a new
//           pairing per sample); `worker_restart` shows the worker's share.
//   extension_cold = only the extension's cache was emptied first: the rows come from the relay
//           (IMAP FETCH on a warm command connection), worker alive
//   worker_restart = the worker was stopped first (Chrome does after 30 s idle): it starts, reads
//           the cache from IndexedDB and answers; the relay is reconnected meanwhile
//   warm_painted, cold_painted = labelled, beside: to the end of the first frame rendered after the
//           rows are in (READY_PROBE), which includes the layout and paint of those rows: what a
//           user sees, where the headline figures stop at the DOM
//   warm_after_cold = a warm open right after a cold one, with no pause: what `warm` measured
//           until 2026-12-07 (labelled, see OPEN_GAP_MS)
//   click_to_navigation = the browser's part before the popup's navigation starts (warm opens;
//           Node's clock at the click against the popup's timeOrigin)
//   floor_warm, floor_fresh_process = the baseline in the same run: the popup's own rendered
//           document (50 rows in, after the warm-up) saved as a static page in the extension, its
//           scripts removed (same DOM, same stylesheet), and opened as the toolbar popup the same
//           way. What Chromium alone takes to show these rows, with none of our code: with the
//           extension's renderer process alive (under `warm`), and in a fresh one, started after
//           the worker stopped (under `cold`, whose popup also starts in a fresh process).
//           `warm_over_floor` and `cold_over_floor` are the medians of each iteration's
//           difference (warm − floor_warm, cold − floor_fresh_process): the part our code adds.
//   warm_tab, warm_tab_first_paint = popup.html opened in a tab instead, as this benchmark did
//           until 2026-12-06 (labelled, for comparison with earlier results), in a phase of their
//           own after the others: the tab's navigation also makes the omnibox's WebUI renderer
//           work (action-popup.ts), and a tab reports its first paint, which the headless popup
//           does not
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import {
  ACTION_POPUP_ARGS,
  actionPopupOpener,
  InitScriptMissed,
  type ActionPopup,
  type ActionPopupOpener,
} from '../harness/action-popup.js';
import { seedMaildir } from '../harness/mail.js';
import { pairToken, waitForAccount } from '../harness/mail-relay.js';
import { TestClient } from '../harness/protocol-client.js';
import type { ExtensionBrowser } from '../harness/chromium.js';
import { POPUP_SIZE, startPopupWorld, type PopupWorld } from '../e2e/popup-world.js';
import { summary } from './stats.js';

/** Things the driver reads in the page and the worker (not typed here). */
declare const tidingsDiagnostics: { clearMailCache?: () => Promise<void> };
declare const window: { __popupReady?: number };
declare const performance: { getEntriesByName(name: string): { startTime: number }[] };

/**
 * Runs in the page before its scripts: records when 50 rows are in the list (`__popupReady`,
 * and the promise `__popupReadyPromise` settles with it), and when the first frame after that
 * has been rendered (`__popupPaintedPromise`: a task posted from the next animation frame runs
 * after that frame's style, layout and paint; body_open's figure stops earlier, in the animation
 * frame callback itself). A string, not a function: tsx wraps functions with helpers (`__name`)
 * that do not exist in the page.
 */
export const READY_PROBE = `(() => {
  let settle;
  let settlePainted;
  window.__popupReadyPromise = new Promise((resolve) => (settle = resolve));
  window.__popupPaintedPromise = new Promise((resolve) => (settlePainted = resolve));
  const check = () => {
    const list = document.querySelector('[data-testid=message-list]');
    if (!list || Number(list.getAttribute('data-row-count')) < 50 || !list.querySelector('[data-testid=message-row]')) return false;
    if (window.__popupReady === undefined) {
      window.__popupReady = performance.now();
      settle(window.__popupReady);
      requestAnimationFrame(() => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => settlePainted(performance.now());
        channel.port2.postMessage(null);
      });
    }
    return true;
  };
  const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
  observer.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-row-count'] });
})();`;

/**
 * Each sampled open starts at least this long after the previous popup closed, as a user's next
 * click does. Closing a popup detaches its frame and collects its garbage on the extension
 * renderer's main thread, the thread the next popup loads on: back to back, a warm open right
 * after a cold one took ~30 ms longer than one 1.5 s later (traces of that open show the closed
 * popup's Frame::Detach, up to 13 ms, and its scavenges inside the new popup's load). That case
 * is still measured, labelled: `warm_after_cold`.
 */
export const OPEN_GAP_MS = 1_000;

interface Sample {
  /** Navigation start → 50 rows in the list. */
  ready: number;
  /** Navigation start → first paint (the page and its scripts, before any mail data). */
  paint: number;
}

/**
 * An expression for `ActionPopup.evaluate` that waits in the page for the promise `expression`
 * (20 s at most): the page settles it itself, so nothing polls the popup while it loads
 * (action-popup.ts).
 */
export function awaitInPage(expression: string): string {
  return `Promise.race([${expression}, new Promise((_, reject) => setTimeout(() => reject(new Error('popup never showed 50 rows')), 20000))])`;
}

/**
 * Opens the real toolbar popup with `initScript`, runs `read` once (it awaits what the init
 * script records: awaitInPage), closes the popup and returns the value. An open whose document
 * Chromium committed before the script was added is opened again.
 */
export async function readActionPopup<T>(
  opener: ActionPopupOpener,
  initScript: string,
  read: (popup: ActionPopup) => Promise<T>,
  path?: string,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let popup: ActionPopup;
    try {
      popup = await opener.open({ initScript, ...(path === undefined ? {} : { path }) });
    } catch (error) {
      if (error instanceof InitScriptMissed && attempt < 3) continue;
      throw error;
    }
    try {
      return await read(popup);
    } finally {
      await popup.close();
    }
  }
}

/**
 * The rows-ready sample of one open of the real toolbar popup, and the click's lead. `path`: the
 * page the button opens now (default popup.html); `next`: the page it opens from then on, set
 * from this one after the sample was read (an extension page may call `chrome.action`, so
 * switching needs no service worker).
 */
export async function openActionPopupOnce(
  opener: ActionPopupOpener,
  options: { path?: string; next?: string } = {},
): Promise<{ ready: number; painted: number; clickToNavigation: number }> {
  return await readActionPopup(
    opener,
    READY_PROBE,
    async (popup) => {
      const [ready, painted, timeOrigin] = await popup.evaluate<[number, number, number]>(
        awaitInPage(
          'window.__popupReadyPromise.then((ready) => window.__popupPaintedPromise.then((painted) => [ready, painted, performance.timeOrigin]))',
        ),
      );
      if (options.next !== undefined) {
        await popup.evaluate(`chrome.action.setPopup({ popup: ${JSON.stringify(options.next)} }).then(() => true)`);
      }
      return { ready, painted, clickToNavigation: timeOrigin - popup.clickedAt };
    },
    options.path,
  );
}

/** The floor's static page, in the extension's directory while popup_list runs. */
export const FLOOR_PAGE = 'bench-floor.html';

/**
 * Writes the floor page (see the header): the real popup's document once its rows are in and its
 * first screen has settled, without its scripts and module preloads. Disposing removes it.
 */
export async function writeFloorPage(opener: ActionPopupOpener, extensionDir: string): Promise<Disposable> {
  const html = await readActionPopup(opener, READY_PROBE, async (popup) => {
    await popup.evaluate(awaitInPage('window.__popupReadyPromise'));
    await popup.evaluate('new Promise((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(true), 300)))');
    return await popup.evaluate<string>("'<!doctype html>' + document.documentElement.outerHTML");
  });
  const page = html
    .replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '')
    .replace(/<link\b[^>]*\brel="modulepreload"[^>]*>/gi, '');
  if (/<script\b/i.test(page) || !page.includes('data-testid="message-row"')) {
    throw new Error('popup_list: the floor page still has a script, or has no rows');
  }
  const file = join(extensionDir, FLOOR_PAGE);
  writeFileSync(file, page);
  return { [Symbol.dispose]: () => rmSync(file, { force: true }) };
}

/** The same in popup.html opened in a new tab (the e2e suites' way; see the header). */
export async function openPopupOnce(context: BrowserContext, origin: string): Promise<Sample> {
  const page = await context.newPage();
  try {
    await page.setViewportSize(POPUP_SIZE);
    await page.addInitScript({ content: READY_PROBE });
    await page.goto(`${origin}/popup.html`);
    await page.waitForFunction(() => window.__popupReady !== undefined, undefined, { timeout: 20_000 });
    // Paint timing entries are queued when the frame is presented, which can be after the rows
    // are in the DOM: wait for it rather than read a paint that has not been reported yet.
    await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, undefined, {
      timeout: 5_000,
    });
    const { ready, paint } = await page.evaluate(() => ({
      ready: window.__popupReady,
      paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
    }));
    if (ready === undefined) throw new Error('popup never showed 50 rows');
    return { ready, paint };
  } finally {
    await page.close();
  }
}

/** Empties the extension's mail cache (the worker's test hook). */
export async function clearMailCache(browser: ExtensionBrowser): Promise<void> {
  const worker = await browser.serviceWorker();
  await worker.evaluate(async () => {
    await tidingsDiagnostics.clearMailCache?.();
  });
}

/**
 * A function that restarts the world's relay as a fresh process and resolves once its first
 * account is online again, seen from a second paired device (as when a user clicks the button).
 */
export async function relayRestarter(world: PopupWorld): Promise<() => Promise<void>> {
  const token = await pairToken(world.relay);
  const accountId = world.accounts[0]!.id;
  return async () => {
    await world.relay.restart();
    const { client } = await TestClient.connect(world.relay.url, token);
    try {
      await waitForAccount(client, accountId);
    } finally {
      client.close();
    }
  };
}

export async function benchPopupList(options: { samples: number }): Promise<Record<string, number>> {
  await using world = await startPopupWorld({
    seed: async (dovecot, [user]) => {
      await seedMaildir(dovecot, user!, 500, { seenRatio: 0.7 });
    },
    launch: { extraArgs: ACTION_POPUP_ARGS, pinAction: true },
  });
  const { context, origin } = world.browser;
  const clearCache = () => clearMailCache(world.browser);
  await using opener = await actionPopupOpener(world.browser);
  let closedAt = 0;
  const open = async (pages: { path?: string; next?: string } = {}) => {
    try {
      return await openActionPopupOnce(opener, pages);
    } finally {
      closedAt = Date.now();
    }
  };
  /** Called before a sample's preparation: OPEN_GAP_MS since the previous popup closed. */
  const afterGap = async () => {
    const wait = closedAt + OPEN_GAP_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  };

  // Warm-up: the first open connects everything and fills the cache.
  for (let i = 0; i < 3; i++) await open();
  using _floorPage = await writeFloorPage(opener, world.browser.extensionDir);
  const toFloor = { next: FLOOR_PAGE };
  const fromFloor = { path: FLOOR_PAGE, next: 'popup.html' };

  const freshRelay = await relayRestarter(world);

  const warm: number[] = [];
  const warmPainted: number[] = [];
  const coldPainted: number[] = [];
  const warmAfterCold: number[] = [];
  const clickLead: number[] = [];
  const warmTab: number[] = [];
  const warmTabPaint: number[] = [];
  const extensionCold: number[] = [];
  const cold: number[] = [];
  const floorWarm: number[] = [];
  const floorFresh: number[] = [];
  const warmOverFloor: number[] = [];
  const coldOverFloor: number[] = [];
  // Interleaved, so drift on a shared machine hits all alike.
  for (let i = 0; i < options.samples; i++) {
    await afterGap();
    const w = await open(toFloor);
    warm.push(w.ready);
    warmPainted.push(w.painted);
    clickLead.push(w.clickToNavigation);
    await afterGap();
    const fw = (await open(fromFloor)).ready;
    floorWarm.push(fw);
    warmOverFloor.push(w.ready - fw);
    await afterGap();
    await clearCache();
    extensionCold.push((await open(toFloor)).ready);
    // The floor in a fresh process: with the worker stopped and no popup open, Chromium ends the
    // extension's renderer process, and the next popup starts a new one (as the cold one does).
    await afterGap();
    await world.browser.stopServiceWorker();
    const ff = (await open(fromFloor)).ready;
    floorFresh.push(ff);
    // Truly cold: empty caches on both sides, a fresh worker and a fresh relay process.
    await afterGap();
    await clearCache();
    await world.browser.stopServiceWorker();
    await freshRelay();
    const co = await open();
    cold.push(co.ready);
    coldPainted.push(co.painted);
    coldOverFloor.push(co.ready - ff);
    // The cold open refilled the cache: a warm open at once, while it is still being torn down.
    warmAfterCold.push((await open()).ready);
  }

  const restart: number[] = [];
  for (let i = 0; i < Math.max(5, Math.round(options.samples / 3)); i++) {
    await afterGap();
    await world.browser.stopServiceWorker();
    restart.push((await open()).ready);
  }

  // The tab figures last, apart: a tab's navigation sets the omnibox's renderer working, which
  // would overlap the popup samples that follow it.
  for (let i = 0; i < options.samples; i++) {
    const t = await openPopupOnce(context, origin);
    warmTab.push(t.ready);
    warmTabPaint.push(t.paint);
  }

  const w = summary(warm);
  const t = summary(warmTab);
  const c = summary(cold);
  const e = summary(extensionCold);
  const r = summary(restart);
  return {
    warm_p50_ms: w.p50,
    warm_p95_ms: w.p95,
    warm_painted_p50_ms: summary(warmPainted).p50,
    warm_after_cold_p50_ms: summary(warmAfterCold).p50,
    click_to_navigation_p50_ms: summary(clickLead).p50,
    warm_tab_p50_ms: t.p50,
    warm_tab_first_paint_p50_ms: summary(warmTabPaint).p50,
    cold_p50_ms: c.p50,
    cold_p95_ms: c.p95,
    cold_painted_p50_ms: summary(coldPainted).p50,
    extension_cold_p50_ms: e.p50,
    extension_cold_p95_ms: e.p95,
    worker_restart_p50_ms: r.p50,
    worker_restart_p95_ms: r.p95,
    floor_warm_p50_ms: summary(floorWarm).p50,
    floor_fresh_process_p50_ms: summary(floorFresh).p50,
    warm_over_floor_p50_ms: summary(warmOverFloor).p50,
    cold_over_floor_p50_ms: summary(coldOverFloor).p50,
    samples: w.n,
  };
}
