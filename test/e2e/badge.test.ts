// End to end in real Chromium with the built extension: pair from the options page, then the
// toolbar badge follows the IMAP server's unread count — new mail from another client, mail read
// elsewhere, and a relay restart that the extension recovers from on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionBrowser } from '../harness/chromium.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { appendMessage, setSeen, statusUnseen } from '../harness/mail.js';
import { pairFromOptions } from '../harness/options-page.js';
import { addAccountViaCli, runRelayCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';

let dovecot: Dovecot;
let relay: RelayProcess;
let browser: ExtensionBrowser;
let user: ImapUser;

beforeAll(async () => {
  dovecot = await startDovecot();
  relay = await startRelayProcess();
  user = await dovecot.addUser();
  for (let i = 0; i < 2; i++)
    await appendMessage(dovecot, user, { subject: `hello ${i}`, from: 'Ada <ada@example.com>' });
  await appendMessage(dovecot, user, { subject: 'already read', flags: ['\\Seen'] });
  await addAccountViaCli(relay.dataDir, dovecot, user, { name: 'Work' });
  browser = await launchExtension();
});

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  await dovecot?.stop();
});

describe('the toolbar badge', () => {
  it('says "not paired" before pairing', async () => {
    const title = await browser.badgeTitle();
    expect(title.toLowerCase()).toContain('not paired');
    expect(await browser.badgeText()).not.toMatch(/^\d+$/);
  });

  it('pairs from the options page UI', async () => {
    const page = await pairFromOptions(browser, relay);
    await page.getByTestId('account-row').first().waitFor({ timeout: 15_000 });
    await expect
      .poll(() => page.getByTestId('account-row').first().textContent(), { timeout: 10_000 })
      .toContain('Work');
    await browser.screenshot(page, 'options-paired');
    // The relay recorded the device with the extension's Origin.
    const devices = await runRelayCli(['devices', 'list'], { dataDir: relay.dataDir });
    expect(devices.stdout).toContain(browser.origin);
    await page.close();
  });

  it("equals the server's unread count", async () => {
    const unread = await statusUnseen(dovecot, user);
    expect(unread).toBe(2);
    expect(await browser.waitForBadge((t) => t === String(unread))).toBe('2');
    expect(await browser.badgeTitle()).toMatch(/Work/);
  });

  it('increments when another client APPENDs and decrements when mail is read elsewhere', async () => {
    const { uid } = await appendMessage(dovecot, user, { subject: 'fresh' });
    expect(await browser.waitForBadge((t) => t === '3', 5_000)).toBe('3');
    await setSeen(dovecot, user, uid, true);
    expect(await browser.waitForBadge((t) => t === '2', 5_000)).toBe('2');
  });

  it('recovers on its own after the relay restarts', async () => {
    await relay.stop();
    // While the relay is down the badge says so instead of showing a stale number.
    await browser.waitForBadge((t) => !/^\d+$/.test(t), 60_000);
    expect((await browser.badgeTitle()).toLowerCase()).toMatch(/relay|reach/);
    await relay.restart();
    await appendMessage(dovecot, user, { subject: 'after restart' });
    expect(await browser.waitForBadge((t) => t === '3', 90_000)).toBe('3');
  });

  it('comes back after Chrome stops the service worker', async () => {
    await browser.stopServiceWorker();
    await appendMessage(dovecot, user, { subject: 'while the worker slept' });
    // Waking the worker (as the keepalive alarm or any event does) restores the socket and count.
    expect(await browser.waitForBadge((t) => t === '4', 30_000)).toBe('4');
  });
});
