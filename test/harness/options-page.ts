/**
 * Helpers for the e2e suites that drive the options page (test/e2e/options-*.test.ts,
 * notifications.test.ts): pairing through the page's own form, and reading what the extension's
 * service worker shows as notifications.
 */
import type { Page } from 'playwright-core';
import WebSocket from 'ws';
import type { ExtensionBrowser } from './chromium.js';
import type { Dovecot } from './dovecot.js';
import { pairingCodeFrom, runRelayCli, type RelayProcess } from './relay.js';

/**
 * Opens the options page and pairs this browser with `relay` through its form (testids
 * relay-url, pairing-code, pair-button); resolves once the page says "connected".
 */
export async function pairFromOptions(browser: ExtensionBrowser, relay: RelayProcess): Promise<Page> {
  const page = await browser.openPage('options.html');
  const pair = await runRelayCli(['pair'], { dataDir: relay.dataDir });
  if (pair.code !== 0) throw new Error(`relay pair failed: ${pair.stderr}`);
  await page.getByTestId('relay-url').fill(relay.url);
  await page.getByTestId('pairing-code').fill(pairingCodeFrom(pair.stdout));
  await page.getByTestId('pair-button').click();
  await page.locator('[data-testid="connection-state"][data-state="open"]').waitFor({ timeout: 15_000 });
  return page;
}

/**
 * The options page's add-account flow up to the server step: Add account → a provider (default
 * custom) → address and name (default the address) → Continue. With `server`, aims the host and
 * port fields at it (the test Dovecot's IMAPS port).
 */
export async function startAddingAccount(
  page: Page,
  options: { email: string; name?: string; provider?: string; server?: Pick<Dovecot, 'host' | 'imapsPort'> },
): Promise<void> {
  await page.getByTestId('add-account-button').click();
  await page.getByTestId(`provider-${options.provider ?? 'custom'}`).click();
  await page.getByTestId('account-email').fill(options.email);
  await page.getByTestId('account-name').fill(options.name ?? options.email);
  await page.getByTestId('discover-button').click();
  await page.getByTestId('server-host').waitFor();
  if (options.server) {
    await page.getByTestId('server-host').fill(options.server.host);
    await page.getByTestId('server-port').fill(String(options.server.imapsPort));
  }
}

/** The parts of the extension API the helpers below call inside the service worker (not typed here). */
declare const chrome: {
  notifications: {
    getAll(): Promise<Record<string, boolean>>;
    create: (...args: unknown[]) => Promise<unknown>;
    update: (...args: unknown[]) => Promise<unknown>;
  };
};

export interface ShownNotification {
  call: 'create' | 'update';
  id: string;
  title: string;
  message: string;
  contextMessage?: string;
  buttons?: { title: string }[];
}

/**
 * Wraps `chrome.notifications.create/update` in the running service worker so a test can read
 * what was shown (Chrome offers no way to read a notification's text back). Test-side
 * instrumentation only; lost when the worker restarts, so tests keep it alive (the relay socket
 * does) and call this again after stopping it.
 */
export async function recordNotifications(browser: ExtensionBrowser): Promise<void> {
  const worker = await browser.serviceWorker();
  await worker.evaluate(() => {
    const g = globalThis as unknown as { __shown?: unknown[]; __wrapped?: boolean };
    g.__shown = [];
    if (g.__wrapped) return;
    g.__wrapped = true;
    for (const call of ['create', 'update'] as const) {
      const original = chrome.notifications[call].bind(chrome.notifications);
      chrome.notifications[call] = (...args: unknown[]) => {
        const [id, content] = args as [string, Record<string, unknown>];
        g.__shown?.push({ call, id, ...content });
        return original(...args);
      };
    }
  });
}

/** What was created or updated since `recordNotifications`, oldest first. */
export async function shownNotifications(browser: ExtensionBrowser): Promise<ShownNotification[]> {
  const worker = await browser.serviceWorker();
  return await worker.evaluate(
    () => ((globalThis as unknown as { __shown?: unknown[] }).__shown ?? []) as ShownNotification[],
  );
}

/** Ids of the notifications on screen, from `chrome.notifications.getAll()` in the worker. */
export async function notificationIds(browser: ExtensionBrowser): Promise<string[]> {
  const worker = await browser.serviceWorker();
  return Object.keys(await worker.evaluate(() => chrome.notifications.getAll()));
}

/**
 * URLs of every DevTools target of the browser (pages, extension popups, workers), over the raw
 * endpoint launchExtension opens: an extension popup opened by `action.openPopup()` is a target
 * but never a Playwright page.
 */
export async function browserTargetUrls(browser: ExtensionBrowser): Promise<string[]> {
  const socket = new WebSocket(browser.cdpEndpoint, { perMessageDeflate: false });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const reply = await new Promise<unknown>((resolve, reject) => {
      socket.on('message', (data: WebSocket.RawData) => resolve(JSON.parse(data.toString()) as unknown));
      socket.once('error', reject);
      socket.send(JSON.stringify({ id: 1, method: 'Target.getTargets' }));
    });
    const infos = (reply as { result?: { targetInfos?: { url: string }[] } }).result?.targetInfos ?? [];
    return infos.map((i) => i.url);
  } finally {
    socket.close();
  }
}
