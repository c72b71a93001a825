// Helpers of the popup-level security suites (security-*.test.ts), which run in a popup world
// (popup-world.ts) with one account: hostile mail is APPENDed to its INBOX as raw MIME and opened
// in the real popup exactly as a user would.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Frame, Page } from 'playwright-core';
import type { ExtensionBrowser } from '../harness/chromium.js';
import { connectImap } from '../harness/mail.js';
import type { PopupWorld } from './popup-world.js';

/** APPENDs raw messages over one IMAP connection; returns their UIDs in order. */
export async function appendRaw(world: PopupWorld, raws: string[], mailbox = 'INBOX'): Promise<number[]> {
  await using client = await connectImap(world.dovecot, world.accounts[0].user);
  const uids: number[] = [];
  for (const raw of raws) {
    const result = await client.append(mailbox, raw, []);
    if (!result || result.uid === undefined) throw new Error(`APPEND to ${mailbox} returned no UID`);
    uids.push(result.uid);
  }
  return uids;
}

/** Moves every message out of INBOX (so the next batch is what the popup lists). */
export async function clearInbox(world: PopupWorld, to = 'Trash'): Promise<void> {
  await using client = await connectImap(world.dovecot, world.accounts[0].user);
  const lock = await client.getMailboxLock('INBOX');
  try {
    if (client.mailbox && client.mailbox.exists > 0) await client.messageMove('1:*', to);
  } finally {
    lock.release();
  }
}

/** Opens the popup page and waits for the message list to show rows. */
export async function openPopup(browser: ExtensionBrowser): Promise<Page> {
  const page = await browser.openPage('popup.html');
  await page.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
  return page;
}

/**
 * The row whose text contains `marker`. The list is virtualised (only rows near the viewport are
 * in the DOM), so this scrolls the list from the top until the row is rendered.
 */
export async function rowFor(page: Page, marker: string) {
  const row = page.getByTestId('message-row').filter({ hasText: marker }).first();
  const deadline = Date.now() + 20_000;
  await page.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
  let atEnd = false;
  await page.getByTestId('message-list').evaluate((el) => (el.scrollTop = 0));
  while ((await row.count()) === 0) {
    if (Date.now() > deadline) throw new Error(`no message row contains ${JSON.stringify(marker)}`);
    if (atEnd) {
      // The list may still be loading: start over from the top.
      await page.getByTestId('message-list').evaluate((el) => (el.scrollTop = 0));
      await new Promise((r) => setTimeout(r, 200));
    }
    atEnd = await page.getByTestId('message-list').evaluate((el) => {
      const before = el.scrollTop;
      el.scrollTop = before + el.clientHeight * 0.8;
      return el.scrollTop === before;
    });
    await new Promise((r) => setTimeout(r, 30));
  }
  return row;
}

/** Opens the message with `marker` in its subject and waits until its body is on screen. */
export async function openMessage(page: Page, marker: string): Promise<void> {
  // A virtualised row can be re-rendered between finding and clicking it: find it again.
  for (let attempt = 1; ; attempt++) {
    const row = await rowFor(page, marker);
    try {
      await row.click({ timeout: 3_000 });
      break;
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
  await page.locator('[data-testid="message-view"][data-state="ready"]').waitFor({ timeout: 20_000 });
  const frame = page.getByTestId('message-frame');
  const text = page.getByTestId('message-text');
  const none = page.getByTestId('message-no-body');
  await frame.and(page.locator('[data-ready="true"]')).or(text).or(none).first().waitFor({ timeout: 20_000 });
}

/** Back to the list (the Back button, as a user would). */
export async function backToList(page: Page): Promise<void> {
  await page.getByTestId('back-button').click();
  await page.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
  // The list settles after Back: the opened row's read flag arrives and the list keeps the active
  // row in view. Scrolling for the next row before that (rowFor) had the list scroll back under
  // the click, which then waited out its timeout for a row no longer rendered (~3 s a case).
  await page.evaluate(`new Promise((resolve) => {
    const list = document.querySelector('[data-testid="message-list"]');
    let timer = setTimeout(done, 250);
    const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, 250); });
    const cap = setTimeout(done, 3000);
    function done() { observer.disconnect(); clearTimeout(timer); clearTimeout(cap); resolve(); }
    if (list) observer.observe(list, { subtree: true, childList: true, attributes: true }); else done();
  })`);
}

/** The message frame's Playwright frame (for reading its DOM; it runs no scripts of its own). */
export async function messageFrame(page: Page): Promise<Frame> {
  const handle = await page.getByTestId('message-frame').elementHandle();
  const frame = await handle?.contentFrame();
  if (!frame) throw new Error('the message frame has no document');
  return frame;
}

/** `__pwned` (a string only — a clobbering <a id=__pwned> is an element) in the popup and every frame. */
export async function sentinels(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const frame of page.frames()) {
    try {
      const value = await frame.evaluate(() => {
        const v = (globalThis as { __pwned?: unknown }).__pwned;
        return typeof v === 'string' ? v : null;
      });
      if (value !== null) found.push(`${frame.url()}: ${value}`);
    } catch {
      // A detached frame: nothing to read.
    }
  }
  return found;
}

/**
 * Evaluates `fn` (JavaScript source of a function, run in the page or frame) with one JSON
 * argument. Source text because the repo's Node tsconfig has no DOM types for page-side code.
 */
export async function evalIn<T>(target: Page | Frame, fn: string, arg?: unknown): Promise<T> {
  return (await target.evaluate(`(${fn})(${JSON.stringify(arg ?? null)})`)) as T;
}

/** Parses a frame's srcdoc in the page and reads its head: the first child and the referrer meta. */
export async function srcdocHead(
  page: Page,
  srcdoc: string,
): Promise<{ first: string | null; csp: string | null; referrer: string | null }> {
  return await evalIn(
    page,
    `(doc) => {
      const parsed = new DOMParser().parseFromString(doc, 'text/html');
      const first = parsed.head.firstElementChild;
      const isCsp = !!first && first.getAttribute('http-equiv') === 'Content-Security-Policy';
      return {
        first: first ? first.localName + ':' + first.getAttribute('http-equiv') : null,
        csp: isCsp ? first.getAttribute('content') : null,
        referrer: parsed.querySelector('meta[name="referrer"]')?.getAttribute('content') ?? null,
      };
    }`,
    srcdoc,
  );
}

/** A loopback HTTP server that records requests and answers a tiny PNG (or 204 for other paths). */
export interface LoopbackServer {
  url: string;
  requests(): string[];
  close(): Promise<void>;
}

export async function startLoopbackServer(png: Buffer): Promise<LoopbackServer> {
  const seen: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    seen.push(req.url ?? '');
    if (req.url?.endsWith('.png')) {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length, 'cache-control': 'no-store' });
      res.end(png);
    } else {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>landing</title><p>landing</p>');
    }
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => [...seen],
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Tabs keep HTTP keep-alive connections open; do not wait for them.
        server.closeAllConnections();
      }),
  };
}
