/**
 * Proves the Chromium fixture with a tiny MV3 extension written at test time: extension id from
 * the service worker, badge read-back, UI language, service-worker stop/wake, the network
 * recorder (including a sandboxed srcdoc iframe, which Chromium runs out of process), the toolbar
 * popup opened by a click on the pinned action, and that closing leaves no browser process behind.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_POPUP_ARGS, actionPopupOpener } from '../harness/action-popup.js';
import { extensionIdOf, launchExtension, recordNetwork } from '../harness/chromium.js';
import { makeTempDir } from '../harness/paths.js';
import { listProcesses } from '../harness/processes.js';

/** Writes the fixture extension; `imagePort` is where its test page loads images from. */
function writeFixtureExtension(imagePort: number): string {
  const dir = makeTempDir('fixture-extension');
  const manifest = {
    manifest_version: 3,
    name: 'Tidings harness fixture',
    version: '1.0.0',
    default_locale: 'en',
    background: { service_worker: 'background.js' },
    action: { default_title: 'Fixture', default_popup: 'popup.html' },
    permissions: ['storage'],
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(
    join(dir, 'background.js'),
    `// Runs on every worker start: the badge is "7"; the title counts starts, in the UI language.
chrome.action.setBadgeText({ text: '7' });
chrome.storage.local.get('starts').then(({ starts = 0 }) => {
  const next = starts + 1;
  return chrome.storage.local.set({ starts: next }).then(() =>
    chrome.action.setTitle({ title: chrome.i18n.getMessage('title') + ' #' + next }));
});
self.addEventListener('message', () => {});
`,
  );
  // The popup's own script notes whether an init script ran before it.
  writeFileSync(
    join(dir, 'popup.html'),
    `<!doctype html><html><body>Popup<script src="popup.js"></script></body></html>`,
  );
  writeFileSync(join(dir, 'popup.js'), `window.pageSawInit = window.initRan === true;\n`);
  for (const [lang, title] of [
    ['en', 'Hello'],
    ['de', 'Hallo'],
  ] as const) {
    mkdirSync(join(dir, '_locales', lang), { recursive: true });
    writeFileSync(join(dir, '_locales', lang, 'messages.json'), JSON.stringify({ title: { message: title } }));
  }
  writeFileSync(
    join(dir, 'page.html'),
    `<!doctype html><html><body>
<img src="http://127.0.0.1:${imagePort}/top.png">
<iframe sandbox srcdoc="<img src='http://127.0.0.1:${imagePort}/framed.png'>"></iframe>
<iframe src="http://localhost:${imagePort}/cross-site.html"></iframe>
</body></html>`,
  );
  return dir;
}

describe('Chromium harness', () => {
  let server: Server;
  let imagePort: number;
  const served: string[] = [];
  let extensionDir: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      served.push(request.url ?? '');
      if (request.url === '/cross-site.html') {
        // A cross-site frame (localhost vs 127.0.0.1): out of process under site isolation.
        response.writeHead(200, { 'content-type': 'text/html' }).end(`<img src="/from-cross-site.png">`);
        return;
      }
      response.writeHead(204, { 'cache-control': 'no-store' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no server address');
    imagePort = address.port;
    extensionDir = writeFixtureExtension(imagePort);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('loads the extension, finds its id and reads the badge', async () => {
    const started = performance.now();
    await using browser = await launchExtension({ extensionDir });
    const launchMs = performance.now() - started;
    expect(browser.extensionId).toMatch(/^[a-p]{32}$/);
    expect(browser.origin).toBe(`chrome-extension://${browser.extensionId}`);
    expect(await browser.waitForBadge((text) => text === '7')).toBe('7');
    expect(await browser.badgeText()).toBe('7');
    console.log(`[timing] Chromium launch to extension service worker: ${launchMs.toFixed(0)} ms`);
  });

  it('computes the extension id Chromium gives an unpacked extension', async () => {
    await using browser = await launchExtension({ extensionDir });
    expect(extensionIdOf(extensionDir)).toBe(browser.extensionId);
    // With a manifest key, the id comes from the key: the test build's pinned id.
    const keyed = makeTempDir('keyed-extension');
    writeFileSync(
      join(keyed, 'manifest.json'),
      JSON.stringify({
        key: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAosdNHOITMjHDOi4bRC2wBdWQeJm21yTinl1GTyULvlsVtbepZkb7MWRD2MsWYYFP7oLhkWiqjlZw49SGbxQog8a71RnWM32thnS29rXdvVSicH9f9JLoJeV55qxRe30z43GAzNqBBSPuulQ7o3DMWiNMtW5puFxPGfcE4r4GJeeuDl/YjkZVC7fxO6p7Bf3AswRrIOZMtRA7Xpy6Fi40ICh5tkWc7UHwqAGKp2bLY9zGif3g39vVSVTXFbolDs1++lI6BbKuTD5UWMiy266SaqiMzDmr35JqPQTmdjNDxdC8UvqJLwl2Sl0fOVm6fJv6+3NdoSC3wfAericlG6V8cQIDAQAB',
      }),
    );
    expect(extensionIdOf(keyed)).toBe('oihelfjcondonnbdjhopoammfceepnjd');
  });

  it('opens the toolbar popup as a click does, with an init script that runs before its own', async () => {
    await using browser = await launchExtension({ extensionDir, extraArgs: ACTION_POPUP_ARGS, pinAction: true });
    await using opener = await actionPopupOpener(browser);
    for (let i = 0; i < 2; i++) {
      const popup = await opener.open({ initScript: 'window.initRan = true;' });
      expect(await popup.evaluate<string>('location.href')).toBe(`${browser.origin}/popup.html`);
      await expect.poll(() => popup.evaluate<boolean | null>('window.pageSawInit ?? null')).toBe(true);
      expect(await popup.evaluate<string>('document.body.textContent')).toBe('Popup');
      expect(Date.now() - popup.clickedAt).toBeGreaterThanOrEqual(0);
      await popup.close();
    }
    // No tab was opened for it: only the opener's own blank tab.
    expect(browser.context.pages().map((page) => page.url())).not.toContain(`${browser.origin}/popup.html`);
  });

  it('uses the requested UI language', async () => {
    await using browser = await launchExtension({ extensionDir, lang: 'de' });
    await browser.waitForBadge((text) => text === '7');
    await expect.poll(() => browser.badgeTitle()).toBe('Hallo #1');
  });

  it('wakes a stopped service worker, which starts afresh', async () => {
    await using browser = await launchExtension({ extensionDir });
    await expect.poll(() => browser.badgeTitle()).toBe('Hello #1');
    await browser.stopServiceWorker();
    // Reading the title starts the worker again: its top level ran a second time.
    await expect.poll(() => browser.badgeTitle()).toBe('Hello #2');
    await browser.stopServiceWorker();
    const worker = await browser.serviceWorker();
    expect(await worker.evaluate(() => 6 * 7)).toBe(42);
    await expect.poll(() => browser.badgeTitle()).toBe('Hello #3');
    expect(await browser.badgeText()).toBe('7');
  });

  it('records requests of out-of-process frames (sandboxed srcdoc, cross-site) and the service worker', async () => {
    await using browser = await launchExtension({ extensionDir });
    const page = await browser.context.newPage();
    const network = await recordNetwork(page);
    await page.goto(`${browser.origin}/page.html`);
    const expected = [
      `http://127.0.0.1:${imagePort}/top.png`,
      `http://127.0.0.1:${imagePort}/framed.png`,
      `http://localhost:${imagePort}/cross-site.html`,
      `http://localhost:${imagePort}/from-cross-site.png`,
    ];
    await expect.poll(() => network.external().sort()).toEqual([...expected].sort());
    expect(network.requests()).toContain(`${browser.origin}/page.html`);
    expect(served).toEqual(
      expect.arrayContaining(['/top.png', '/framed.png', '/cross-site.html', '/from-cross-site.png']),
    );

    // The service worker's own fetches are recorded too (through its Network domain).
    const worker = await browser.serviceWorker();
    const swUrl = `http://127.0.0.1:${imagePort}/from-worker`;
    await worker.evaluate(async (url) => void (await fetch(url, { mode: 'no-cors' })), swUrl);
    await expect.poll(() => network.external()).toContain(swUrl);
    expect(network.entries().find((e) => e.url === swUrl)?.targetType).toBe('service_worker');
    // ... and its WebSockets (how the extension reaches the relay).
    const socketUrl = `ws://127.0.0.1:${imagePort}/socket`;
    await worker.evaluate((url) => {
      const socket = new WebSocket(url);
      socket.onerror = () => socket.close();
    }, socketUrl);
    await expect.poll(() => network.entries().find((e) => e.url === socketUrl)?.kind).toBe('websocket');
    await network.stop();

    // After stop() nothing more is recorded, and pages still load (interception is gone).
    const recorded = network.entries().length;
    const topLoads = served.filter((url) => url === '/top.png').length;
    await page.reload();
    await expect.poll(() => served.filter((url) => url === '/top.png').length).toBeGreaterThan(topLoads);
    expect(network.entries().length).toBe(recorded);
    const shot = await browser.screenshot(page, 'fixture-page');
    expect(shot).toMatch(/fixture-page\.png$/);
  });

  it('close() leaves no browser process behind', async () => {
    const browser = await launchExtension({ extensionDir });
    const profile = browser.userDataDir;
    expect(listProcesses().some((p) => p.cmdline.includes(profile))).toBe(true);
    await browser.close();
    expect(listProcesses().filter((p) => p.cmdline.includes(profile))).toEqual([]);
  });
});
