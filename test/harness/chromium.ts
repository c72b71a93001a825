import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod/mini';
import { chromium, type BrowserContext, type CDPSession, type Page, type Worker } from 'playwright-core';
import { CHROMIUM_BIN } from './binaries.js';
import { makeTempDir, removeDir, repoRoot } from './paths.js';
import { startCdpNetworkRecorder, type NetworkRecorder } from './cdp-network.js';
import { killProcessesMentioning } from './processes.js';

export type { NetworkEntry, NetworkRecorder } from './cdp-network.js';

/** The parts of the extension API the harness calls inside the service worker (not typed here). */
declare const chrome: {
  action: {
    getBadgeText(details: object): Promise<string>;
    getTitle(details: object): Promise<string>;
  };
};

/** Where `npm run build` (WXT) puts the Chrome MV3 build. */
/** The test build (npm run build:test): the production code plus the worker's test hooks. */
export const DEFAULT_EXTENSION_DIR = join(repoRoot, '.output', 'chrome-mv3-test');

export interface LaunchExtensionOptions {
  /** Unpacked extension directory. Default `<repo>/.output/chrome-mv3-test`. */
  extensionDir?: string;
  /** UI language (`--lang=<lang>` plus LANGUAGE for the browser process), e.g. `de`. */
  lang?: string;
  /** More Chromium flags, e.g. `spkiArg(certs.server.spkiSha256)`. */
  extraArgs?: string[];
  /** Profile directory to (re)use. Default a fresh one, removed on close. */
  userDataDir?: string;
  /** Extra environment for the browser process (e.g. HOME for a test NSS database). */
  env?: Record<string, string>;
  /** How long to wait for the extension's service worker. Default 15 s. */
  timeoutMs?: number;
  /**
   * On a fresh profile the extension opens its options page (first install, unpaired). The
   * harness waits for that tab and closes it, so no test races a stray tab; `true` keeps it open
   * as `welcomePage`.
   */
  keepWelcomePage?: boolean;
  /**
   * Pin the extension's button to the toolbar (a fresh profile only), as users of a badge pin it:
   * an unpinned action is first popped out of the extensions menu, with an animation, before its
   * popup opens. Default false.
   */
  pinAction?: boolean;
  /** Show a browser window (needs a display; `npm run demo`). Default false: `--headless=new`. */
  headed?: boolean;
  /**
   * Playwright closes the browser and exits the process (code 130) on SIGINT/SIGTERM/SIGHUP.
   * `false` leaves the signals to the caller (the demo stops its relay and Dovecot first). Default true.
   */
  handleSignals?: boolean;
}

export interface ExtensionBrowser extends AsyncDisposable {
  readonly context: BrowserContext;
  readonly extensionId: string;
  /** `chrome-extension://<id>` (no trailing slash): the Origin the extension's requests carry. */
  readonly origin: string;
  /** The unpacked extension's directory (Chromium serves its files from there, read on each request). */
  readonly extensionDir: string;
  readonly userDataDir: string;
  /** Browser-level DevTools WebSocket endpoint (`ws://127.0.0.1:<port>/devtools/browser/<id>`). */
  readonly cdpEndpoint: string;
  /** The options tab the first install opened, when `keepWelcomePage` was set; else null. */
  readonly welcomePage: Page | null;
  /**
   * The extension's service worker, started first if Chrome stopped it (MV3 workers stop when
   * idle and restart on events; CDP `ServiceWorker.startWorker` re-runs its top level the same way).
   */
  serviceWorker(): Promise<Worker>;
  /** Stops the extension's service worker (as Chrome does after 30 s idle), via CDP; waits until stopped. */
  stopServiceWorker(): Promise<void>;
  /** `chrome.action.getBadgeText({})`, read in the service worker. */
  badgeText(): Promise<string>;
  /** `chrome.action.getTitle({})`, read in the service worker. */
  badgeTitle(): Promise<string>;
  /** Polls the badge until `predicate(text)` holds; rejects after `timeoutMs` (default 10 s) with the last text. */
  waitForBadge(predicate: (text: string) => boolean, timeoutMs?: number): Promise<string>;
  /** Opens `chrome-extension://<id>/<path>` in a new tab. */
  openPage(path: 'options.html' | 'popup.html' | (string & {})): Promise<Page>;
  /** Saves a PNG of `page` to `<runDir>/screenshots/<name>.png` and returns its path. */
  screenshot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Chromium's flag to accept one self-signed certificate by its SPKI hash (covers pages *and* the
 * service worker; Playwright's ignoreHTTPSErrors does not cover the worker — TEST-INFRA.md).
 */
export function spkiArg(spkiSha256: string | string[]): string {
  return `--ignore-certificate-errors-spki-list=${[spkiSha256].flat().join(',')}`;
}

let screenshotDir: string | undefined;

/**
 * The id Chromium gives an unpacked extension: the first 128 bits of the SHA-256 of its manifest
 * `key` (the public key, DER) or, without one, of its absolute path, in hex digits written a–p.
 */
export function extensionIdOf(extensionDir: string): string {
  const manifest = z
    .object({ key: z.optional(z.string()) })
    .parse(JSON.parse(readFileSync(join(extensionDir, 'manifest.json'), 'utf8')));
  const hash = createHash('sha256')
    .update(manifest.key === undefined ? resolve(extensionDir) : Buffer.from(manifest.key, 'base64'))
    .digest('hex');
  return [...hash.slice(0, 32)].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

/** Chromium writes "<port>\n<path>" to DevToolsActivePort once --remote-debugging-port listens. */
async function readCdpEndpoint(userDataDir: string, timeoutMs: number): Promise<string> {
  const file = join(userDataDir, 'DevToolsActivePort');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const [port, path] = readFileSync(file, 'utf8').split('\n');
      if (port && path) return `ws://127.0.0.1:${port.trim()}${path.trim()}`;
    } catch {
      // Not written yet.
    }
    if (Date.now() > deadline) throw new Error(`Chromium did not write ${file} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Launches Debian's Chromium headless (new headless mode) with one unpacked extension loaded and
 * waits for its service worker, which yields the extension id.
 *
 * @example
 * await using browser = await launchExtension();
 * await browser.waitForBadge((text) => text === '3');
 */
export async function launchExtension(options: LaunchExtensionOptions = {}): Promise<ExtensionBrowser> {
  const extensionDir = resolve(options.extensionDir ?? DEFAULT_EXTENSION_DIR);
  if (!existsSync(join(extensionDir, 'manifest.json'))) {
    throw new Error(`no manifest.json in ${extensionDir}${options.extensionDir ? '' : ' (run `npm run build` first)'}`);
  }
  const ownProfile = options.userDataDir === undefined;
  const userDataDir = options.userDataDir ?? makeTempDir('chromium');
  // A profile Chromium never ran in: the extension is installed now and, if it has an options
  // page (Tidings does; the harness's own fixture extensions do not), opens it (see below).
  const manifest = z
    .object({ options_ui: z.optional(z.unknown()), options_page: z.optional(z.unknown()) })
    .parse(JSON.parse(readFileSync(join(extensionDir, 'manifest.json'), 'utf8')));
  const expectsWelcome =
    !existsSync(join(userDataDir, 'Default', 'Preferences')) &&
    (manifest.options_ui !== undefined || manifest.options_page !== undefined);
  if (options.pinAction) {
    if (!ownProfile) throw new Error('launchExtension: pinAction needs a fresh profile');
    mkdirSync(join(userDataDir, 'Default'), { recursive: true });
    const pinned = { extensions: { pinned_extensions: [extensionIdOf(extensionDir)] } };
    writeFileSync(join(userDataDir, 'Default', 'Preferences'), JSON.stringify(pinned));
  }
  const timeoutMs = options.timeoutMs ?? 15_000;
  const args = [
    // Both flags are needed: with only --load-extension no service worker appears (TEST-INFRA.md).
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
    ...(options.headed ? [] : ['--headless=new']),
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    // A second DevTools endpoint (beside Playwright's pipe) for the network recorder; loopback
    // only, random port, written to <userDataDir>/DevToolsActivePort.
    '--remote-debugging-port=0',
    '--remote-debugging-address=127.0.0.1',
    ...(options.lang ? [`--lang=${options.lang}`] : []),
    ...(options.extraArgs ?? []),
  ];
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // On Linux Chromium takes its UI locale (chrome.i18n) from the environment as well as --lang.
  if (options.lang) env['LANGUAGE'] = options.lang;
  Object.assign(env, options.env);

  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_BIN,
      // The real headless comes from --headless=new: Playwright's own headless mode is the old
      // shell, which cannot run extensions.
      headless: false,
      args,
      // Playwright adds --disable-extensions by default; the two flags above override it on this
      // Chromium, but removing it makes that independent of flag precedence.
      ignoreDefaultArgs: ['--disable-extensions'],
      handleSIGINT: options.handleSignals ?? true,
      handleSIGTERM: options.handleSignals ?? true,
      handleSIGHUP: options.handleSignals ?? true,
      env,
      timeout: timeoutMs,
    });
  } catch (error) {
    if (ownProfile) removeDir(userDataDir);
    throw error;
  }

  const closeAll = async (): Promise<void> => {
    try {
      await context.close();
    } catch {
      // Already closed or crashed.
    }
    // Belt and braces: nothing launched with this profile may outlive the fixture.
    killProcessesMentioning(userDataDir);
    if (ownProfile) removeDir(userDataDir);
  };

  const isExtensionWorker = (w: Worker): boolean => w.url().startsWith('chrome-extension://');
  let first = context.serviceWorkers().find(isExtensionWorker);
  if (!first) {
    try {
      first = await context.waitForEvent('serviceworker', { predicate: isExtensionWorker, timeout: timeoutMs });
    } catch (error) {
      await closeAll();
      throw new Error(
        `no extension service worker appeared within ${timeoutMs} ms for ${extensionDir} ` +
          `(does manifest.json declare background.service_worker, and does it load?): ${String(error)}`,
      );
    }
  }
  let cdpEndpoint: string;
  try {
    cdpEndpoint = await readCdpEndpoint(userDataDir, timeoutMs);
  } catch (error) {
    await closeAll();
    throw error;
  }
  cdpEndpoints.set(context, cdpEndpoint);
  const extensionId = new URL(first.url()).host;
  const origin = `chrome-extension://${extensionId}`;
  const ownWorker = (w: Worker): boolean => w.url().startsWith(`${origin}/`);

  // Worker lifecycle through CDP's ServiceWorker domain, on one page session kept for the
  // fixture's life (the profile's initial blank tab, or a new one if a test closed it). Playwright
  // keeps the same Worker object across a stop/start (same DevTools target) but an evaluate on a
  // stopped worker hangs, so the harness checks `runningStatus` and starts the worker first.
  interface VersionInfo {
    versionId: string;
    scriptURL: string;
    runningStatus: string;
    status: string;
  }
  const versions = new Map<string, VersionInfo>();
  /**
   * How many times our worker was reported stopped. A worker that an event (the minute alarm)
   * starts again right after a stop is `running` again by the next poll of `runningStatus`; the
   * count still shows the stop happened.
   */
  let stops = 0;
  let control: { page: Page; cdp: CDPSession } | undefined;
  const ensureControl = async (): Promise<void> => {
    if (control && !control.page.isClosed()) return;
    const page = context.pages().find((p) => p.url() === 'about:blank' && !p.isClosed()) ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    cdp.on('ServiceWorker.workerVersionUpdated', (event: { versions: VersionInfo[] }) => {
      for (const v of event.versions) {
        const was = versions.get(v.versionId)?.runningStatus;
        if (v.scriptURL.startsWith(`${origin}/`) && v.runningStatus === 'stopped' && was !== 'stopped') stops++;
        versions.set(v.versionId, v);
      }
    });
    versions.clear();
    await cdp.send('ServiceWorker.enable');
    control = { page, cdp };
  };
  const activeVersion = (): VersionInfo | undefined =>
    [...versions.values()].find((v) => v.scriptURL.startsWith(`${origin}/`) && v.status === 'activated');
  const waitForStatus = async (want: (status: string | undefined) => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!want(activeVersion()?.runningStatus)) {
      if (Date.now() > deadline) {
        throw new Error(
          `extension service worker not ${what} within ${timeoutMs} ms (status ${activeVersion()?.runningStatus})`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await ensureControl();
    await waitForStatus((status) => status !== undefined, 'registered');
  } catch (error) {
    await closeAll();
    throw error;
  }

  // The first install opens options.html (extension/entrypoints/background.ts, onInstalled).
  let welcomePage: Page | null = null;
  if (expectsWelcome) {
    // Polled: a new tab's 'page' event can fire while its URL is still about:blank.
    const deadline = Date.now() + timeoutMs;
    while (!(welcomePage = context.pages().find((p) => p.url() === `${origin}/options.html`) ?? null)) {
      if (Date.now() > deadline) {
        await closeAll();
        throw new Error(`the first install did not open the options page within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    if (!options.keepWelcomePage) {
      await welcomePage.close();
      welcomePage = null;
    }
  }

  const stopServiceWorker = async (): Promise<void> => {
    await ensureControl();
    const version = activeVersion();
    if (!version || version.runningStatus === 'stopped') return;
    const before = stops;
    await control?.cdp.send('ServiceWorker.stopWorker', { versionId: version.versionId });
    await waitForStatus((status) => status === 'stopped' || stops > before, 'stopped');
  };

  const serviceWorker = async (): Promise<Worker> => {
    await ensureControl();
    if (activeVersion()?.runningStatus !== 'running') {
      // What Chrome does when an event arrives for a stopped worker: start it (top level runs again).
      await control?.cdp.send('ServiceWorker.startWorker', { scopeURL: `${origin}/` });
      await waitForStatus((status) => status === 'running', 'running');
    }
    return (
      context.serviceWorkers().find(ownWorker) ??
      (await context.waitForEvent('serviceworker', { predicate: ownWorker, timeout: timeoutMs }))
    );
  };

  const evaluateInWorker = async <T>(fn: () => Promise<T>): Promise<T> => {
    // The worker may stop between the status check and the call (an evaluate then hangs): bound
    // each attempt and retry on a started worker.
    for (let attempt = 1; ; attempt++) {
      const worker = await serviceWorker();
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          worker.evaluate(fn),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('evaluate in service worker timed out after 5 s')), 5_000);
          }),
        ]);
      } catch (error) {
        if (attempt >= 3) throw error;
      } finally {
        clearTimeout(timer);
      }
    }
  };

  const badgeText = async (): Promise<string> => await evaluateInWorker(() => chrome.action.getBadgeText({}));
  const badgeTitle = async (): Promise<string> => await evaluateInWorker(() => chrome.action.getTitle({}));

  return {
    context,
    extensionId,
    origin,
    extensionDir,
    userDataDir,
    cdpEndpoint,
    welcomePage,
    serviceWorker,
    stopServiceWorker,
    badgeText,
    badgeTitle,
    async waitForBadge(predicate, waitMs = 10_000) {
      const deadline = Date.now() + waitMs;
      let last = '';
      for (;;) {
        last = await badgeText();
        if (predicate(last)) return last;
        if (Date.now() > deadline)
          throw new Error(`badge did not match within ${waitMs} ms; last text: ${JSON.stringify(last)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async openPage(path) {
      const page = await context.newPage();
      await page.goto(`${origin}/${path.replace(/^\//, '')}`);
      return page;
    },
    async screenshot(page, name) {
      screenshotDir ??= makeTempDir('screenshots');
      const file = join(screenshotDir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    close: closeAll,
    async [Symbol.asyncDispose]() {
      await closeAll();
    },
  };
}

/** The DevTools endpoint of each browser the harness launched (for the raw-CDP network recorder). */
const cdpEndpoints = new WeakMap<BrowserContext, string>();

/**
 * Records every request that leaves the browser `page` belongs to — the page, its out-of-process
 * iframes (sandboxed srcdoc and cross-site frames included), other pages and the extension's
 * service worker — from now until `stop()` (see cdp-network.ts for why a page CDP session is not
 * enough). Browser-wide on purpose: "nothing leaves" assertions must not miss a frame or worker.
 * Start it before `page.goto`.
 *
 * @example
 * const popup = await browser.context.newPage();
 * const network = await recordNetwork(popup);
 * await popup.goto(`${browser.origin}/popup.html`);
 * ...
 * expect(network.external().filter((url) => !url.startsWith(relay.url))).toEqual([]);
 */
export async function recordNetwork(page: Page): Promise<NetworkRecorder> {
  const endpoint = cdpEndpoints.get(page.context());
  if (!endpoint) throw new Error('recordNetwork: the page does not belong to a browser started by launchExtension()');
  return await startCdpNetworkRecorder(endpoint);
}

/** The same recorder, started from the fixture rather than a page. */
export async function recordBrowserNetwork(browser: ExtensionBrowser): Promise<NetworkRecorder> {
  return await startCdpNetworkRecorder(browser.cdpEndpoint);
}
