// Benchmark `body_open` (BENCHMARKS.md): click a row in the real popup → the sanitised body is
// painted in the message frame (frame loaded + measured, then one animation frame).
//   html60k  — a ~60 KB newsletter-style HTML message, each sample a different message (cold:
//              relay → IMAP → relay → worker → popup → DOMPurify → frame); warm = reopened (cache).
//              The popup prefetches the message below an open one (what j opens next): the cold
//              opens go up the list, so every prefetch finds a message already opened, and no
//              cold sample is served by a prefetch.
//   html60k_prefetched — labelled, beside: reading down the list as a user does, with the worker's
//              cache emptied first: open a message, read for 300 ms, back, open the one below it
//              (timed), which the prefetch fetched meanwhile.
//   html60k_compact — labelled, beside: the cold opens again in the compact popup (400 px wide, a
//              device setting), where the 600 px newsletter is wider than the message frame and is
//              shrunk to fit it (MessageFrame's measure), from an empty worker cache, on messages
//              appended for this phase (unread, as in the cold phase).
//   html60k_first_open — labelled, beside: the first message opened in a popup just opened (a new
//              popup.html document each sample, its list up and its message code loaded, then a
//              second's pause), as a user opens the popup to read one message. The opens above
//              run in one long-lived page, where V8 has optimised the sanitizer by the second
//              sample; here every sample runs it as a fresh page does. Uncached, like html60k.
//   big      — a ~25 MB message (small HTML part + a big attachment): same figure, plus the bytes
//              Dovecot sent the relay while it was opened (a counting TCP proxy sits between the
//              relay and Dovecot), to compare with the size of the text part (target <= 2 x).
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Page } from 'playwright-core';
import { launchExtension } from '../harness/chromium.js';
import { startDovecot } from '../harness/dovecot.js';
import { connectImap } from '../harness/mail.js';
import { pairFromOptions } from '../harness/options-page.js';
import { addAccountViaCli, startRelayProcess } from '../harness/relay.js';
import { POPUP_SIZE_MIRROR_KEY } from '../../extension/core/device-settings.js';
import { buildMime } from '../fixtures/hostile/mime.js';
import { clearMailCache } from './popup-list.js';
import { round, summary } from './stats.js';

/** Counts bytes Dovecot sends through it (all connections). */
async function countingProxy(targetPort: number): Promise<{ port: number; bytes(): number; close(): Promise<void> }> {
  let fromServer = 0;
  const sockets = new Set<Socket>();
  // No Nagle on either side: a measuring device must not add latency of its own (with Nagle, a
  // small IMAP write waits for the ACK of the previous one, which delayed ACK holds for ~40 ms).
  const server: Server = createServer({ noDelay: true }, (client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort, noDelay: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => sockets.delete(s));
    }
    upstream.on('data', (chunk: Buffer) => (fromServer += chunk.length));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    bytes: () => fromServer,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** ~`kib` KiB of newsletter-like HTML: a style block, nested tables, inline styles, links, images. */
export function newsletterHtml(kib: number, tag: string): string {
  const head = `<html><head><style>body{margin:0;background:#f4f4f4}.card{background:#fff;border-radius:6px;padding:16px}
@media (max-width:600px){.col{display:block!important;width:100%!important}}a.btn{background:#0a66c2;color:#fff;padding:8px 14px;text-decoration:none;border-radius:4px}</style></head><body>`;
  let body = '';
  for (let i = 0; body.length < kib * 1024; i++) {
    body +=
      `<table width="600" align="center" cellpadding="0" cellspacing="0" role="presentation"><tr>` +
      `<td class="col card" style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:20px;color:#333;padding:12px 16px">` +
      `<h2 style="margin:0 0 8px;font-size:18px;color:#111">Story ${i} of ${tag}</h2>` +
      `<img src="https://cdn.example.invalid/${tag}/img-${i}.jpg" width="560" height="200" alt="Illustration ${i}" style="display:block;border:0">` +
      `<p style="margin:8px 0">Lorem ipsum dolor sit amet, <b>consectetur</b> adipiscing elit. Sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco.</p>` +
      `<a class="btn" href="https://news.example.invalid/${tag}/story/${i}?utm_source=mail&amp;utm_medium=email" target="_blank">Read more</a>` +
      `</td></tr></table>`;
  }
  return `${head}${body}<p style="font-size:11px;color:#888">You received this because you subscribed. <a href="https://news.example.invalid/unsubscribe">Unsubscribe</a></p></body></html>`;
}

/**
 * Opens the active row with the popup's own shortcut (Enter, dispatched in the page so no
 * Playwright round trip is timed) and resolves with the time until the frame reports ready plus
 * one animation frame (painted). Keyboard rather than a click because the list is virtualised:
 * rows far down are not in the DOM, and copies of the big message share one subject.
 */
export const TIME_OPEN = `() => new Promise((resolve, reject) => {
  const ready = () => document.querySelector('[data-testid="message-frame"][data-ready="true"]');
  const observer = new MutationObserver(() => {
    if (!ready()) return;
    observer.disconnect();
    requestAnimationFrame(() => resolve(performance.now() - started));
  });
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-ready'] });
  const started = performance.now();
  (document.activeElement || document.body).dispatchEvent(
    new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }),
  );
  setTimeout(() => { observer.disconnect(); reject(new Error('body not painted within 20 s')); }, 20000);
})`;

/**
 * Moves the popup's active row to `index` (Home, then j) and times opening it; stays on the
 * message for `readMs` before going back.
 */
export async function timeOpen(page: Page, index: number, readMs = 0): Promise<number> {
  await page.getByTestId('message-list').focus();
  await page.keyboard.press('Home');
  for (let i = 0; i < index; i++) await page.keyboard.press('j');
  const ms = (await page.evaluate(`(${TIME_OPEN})()`)) as number;
  if (readMs > 0) await new Promise((r) => setTimeout(r, readMs));
  await page.getByTestId('back-button').click();
  await page.getByTestId('message-list').waitFor({ timeout: 20_000 });
  return ms;
}

/**
 * Waits until a popup just opened is as a user finds it a moment later: the message screen's
 * code loaded (App.svelte loads it after the list is up, then parks a frame: render/frame-pool.ts)
 * and a second of nothing to do.
 */
async function waitUntilSettled(page: Page): Promise<void> {
  await page.locator('[data-tidings-parked-frame] iframe').waitFor({ state: 'attached', timeout: 20_000 });
  await new Promise((r) => setTimeout(r, 1_000));
}

/** Waits until the list holds `count` rows and its first row is from this phase. */
export async function waitForRows(page: Page, text: string, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const rows = Number((await page.getByTestId('message-list').getAttribute('data-row-count')) ?? 0);
    const first = (await page.getByTestId('message-row').first().textContent()) ?? '';
    if (rows === count && first.includes(text)) return;
    if (Date.now() > deadline) throw new Error(`the list shows ${rows} rows (want ${count} of ${text})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function benchBodyOpen(options: { samples: number }): Promise<Record<string, number>> {
  await using dovecot = await startDovecot();
  await using relay = await startRelayProcess();
  const proxy = await countingProxy(dovecot.imapsPort);
  try {
    const user = await dovecot.addUser();
    // The relay reaches Dovecot through the counting proxy (same host, so TLS still verifies).
    await addAccountViaCli(relay.dataDir, { ...dovecot, imapsPort: proxy.port }, user, { name: 'Bench' });

    // The popup lists the newest 50 messages: each phase keeps its messages below that.
    const samples = Math.max(5, Math.min(options.samples, 40));
    // The rows a later phase's list shows: its samples + 1 messages on top of the samples + 1 the
    // phase before left, within the popup's page of 50.
    const stackedRows = Math.min(50, 2 * (samples + 1));
    const html = newsletterHtml(60, 'bench');
    const bigHtml = newsletterHtml(20, 'big');
    const bigText = Buffer.byteLength(bigHtml, 'utf8');
    {
      await using client = await connectImap(dovecot, user);
      // One extra message for the warm-up open.
      for (let i = 0; i <= samples; i++)
        await client.append('INBOX', buildMime({ subject: `bench60k ${i}`, html }), []);
    }

    await using browser = await launchExtension();
    const optionsPage = await pairFromOptions(browser, relay);
    await optionsPage.getByTestId('account-row').first().waitFor({ timeout: 20_000 });
    await optionsPage.close();

    let page = await browser.openPage('popup.html');
    await waitForRows(page, 'bench60k', samples + 1);
    // Warm-up: one open brings up the relay's command connection and the popup's code paths.
    await timeOpen(page, samples);
    const cold: number[] = [];
    // Upwards: the message below each one (the prefetch's) was opened before it.
    for (let i = samples - 1; i >= 0; i--) cold.push(await timeOpen(page, i));
    const warm: number[] = [];
    for (let i = 0; i < samples; i++) warm.push(await timeOpen(page, i));
    // Reading down the list from an empty cache: every second open is one the prefetch served.
    await clearMailCache(browser);
    // Reaching the worker can leave another tab in front: a background tab's animation frames
    // wait ~1 s, which the next samples would time.
    await page.bringToFront();
    const prefetched: number[] = [];
    for (let i = 0; i + 1 < samples; i += 2) {
      await timeOpen(page, i, 300);
      prefetched.push(await timeOpen(page, i + 1));
    }
    await page.close();

    // Phase 1b: the first open in a popup just opened, as a user opens one message (labelled).
    // Every sample is a new popup.html document, so V8 runs the popup's code, DOMPurify included,
    // without the type feedback the opens above gave it in their long-lived page.
    {
      await using client = await connectImap(dovecot, user);
      for (let i = 0; i <= samples; i++)
        await client.append('INBOX', buildMime({ subject: `first60k ${i}`, html }), []);
    }
    const firstOpen: number[] = [];
    // Upwards, as the cold opens: no sample is a message a prefetch fetched.
    for (let i = samples - 1; i >= 0; i--) {
      const fresh = await browser.openPage('popup.html');
      await waitForRows(fresh, 'first60k', stackedRows);
      await waitUntilSettled(fresh);
      firstOpen.push(await timeOpen(fresh, i));
      await fresh.close();
    }

    // Phase 2: the 25 MB message, copied server-side (maildir hard links) for enough samples.
    {
      await using client = await connectImap(dovecot, user);
      await client.mailboxOpen('INBOX');
      await client.messageMove('1:*', 'Trash');
      const attachment = Buffer.alloc(18 * 1024 * 1024);
      for (let i = 0; i < attachment.length; i += 4) attachment.writeUInt32LE((i * 2654435761) >>> 0, i);
      const raw = buildMime({
        subject: 'bench25m',
        html: bigHtml,
        parts: [{ filename: 'archive.bin', contentType: 'application/octet-stream', data: attachment }],
      });
      const result = await client.append('INBOX', raw, []);
      if (!result || result.uid === undefined) throw new Error('APPEND of the big message failed');
      for (let i = 0; i < samples; i++) await client.messageCopy(String(result.uid), 'INBOX', { uid: true });
    }
    page = await browser.openPage('popup.html');
    await waitForRows(page, 'bench25m', samples + 1);
    await timeOpen(page, samples);
    const big: number[] = [];
    const bigBytes: number[] = [];
    // Upwards, like the 60 KB opens: no prefetch adds bytes to a sample's count.
    for (let i = samples - 1; i >= 0; i--) {
      const before = proxy.bytes();
      big.push(await timeOpen(page, i));
      // Let any trailing fetch finish before reading the counter.
      await new Promise((r) => setTimeout(r, 100));
      bigBytes.push(proxy.bytes() - before);
    }
    await page.close();

    // Phase 3: the compact popup, on new unread copies of the 60 KB newsletter.
    {
      await using client = await connectImap(dovecot, user);
      for (let i = 0; i <= samples; i++)
        await client.append('INBOX', buildMime({ subject: `compact60k ${i}`, html }), []);
    }
    const settings = await browser.openPage('options.html');
    await settings.getByTestId('popup-size-compact').check();
    await settings.waitForFunction(`localStorage.getItem(${JSON.stringify(POPUP_SIZE_MIRROR_KEY)}) === 'compact'`);
    await settings.close();
    await clearMailCache(browser);
    page = await browser.openPage('popup.html');
    await waitForRows(page, 'compact60k', stackedRows);
    if ((await page.getByTestId('popup').getAttribute('data-layout')) !== 'compact')
      throw new Error('the popup did not open in its compact layout');
    await timeOpen(page, samples);
    const compact: number[] = [];
    for (let i = samples - 1; i >= 0; i--) compact.push(await timeOpen(page, i));
    await page.close();
    const html60 = summary(cold);
    const warm60 = summary(warm);
    const prefetched60 = summary(prefetched);
    const bigSummary = summary(big);
    const compact60 = summary(compact);
    const first60 = summary(firstOpen);
    return {
      html60k_p50_ms: html60.p50,
      html60k_p95_ms: html60.p95,
      html60k_warm_p50_ms: warm60.p50,
      html60k_prefetched_p50_ms: prefetched60.p50,
      html60k_compact_p50_ms: compact60.p50,
      html60k_first_open_p50_ms: first60.p50,
      html60k_first_open_p95_ms: first60.p95,
      html60k_bytes: Buffer.byteLength(html, 'utf8'),
      big_p50_ms: bigSummary.p50,
      big_p95_ms: bigSummary.p95,
      big_bytes_from_imap: Math.max(...bigBytes),
      big_text_part_bytes: bigText,
      big_bytes_ratio: round(Math.max(...bigBytes) / bigText),
      samples: cold.length,
    };
  } finally {
    await proxy.close();
  }
}
