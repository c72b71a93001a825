// End to end in real Chromium: the badge, notification and device settings of the options page,
// saved on the real relay (so every browser of the user agrees) and obeyed by the extension.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_SETTINGS, type UserSettings } from '../../shared/index.js';
import { launchExtension, type ExtensionBrowser } from '../harness/chromium.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { appendMessage } from '../harness/mail.js';
import { pairFromOptions } from '../harness/options-page.js';
import { TestClient } from '../harness/protocol-client.js';
import { addAccountViaCli, runRelayCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken, trustTestCaEnv } from '../harness/setup-fixtures.js';

let dovecot: Dovecot;
let relay: RelayProcess;
let browser: ExtensionBrowser;
let user: ImapUser;
let accountId: string;
let page: Page;
/** Another browser of the same user, as the relay sees it. */
let other: TestClient;

beforeAll(async () => {
  dovecot = await startDovecot();
  relay = await startRelayProcess({ env: trustTestCaEnv(dovecot) });
  user = await dovecot.addUser();
  await appendMessage(dovecot, user, { subject: 'one' });
  await appendMessage(dovecot, user, { subject: 'two' });
  accountId = await addAccountViaCli(relay.dataDir, dovecot, user, { name: 'Work' });
  browser = await launchExtension();
  page = await pairFromOptions(browser, relay);
  ({ client: other } = await TestClient.connect(relay.url, await pairToken(relay)));
  await browser.waitForBadge((t) => t === '2', 15_000);
});

afterAll(async () => {
  other?.close();
  await browser?.close();
  await relay?.stop();
  await dovecot?.stop();
});

async function relaySettings(): Promise<UserSettings> {
  return (await other.request('settings.get', {})).settings;
}

async function saved(section: 'badge' | 'notifications'): Promise<void> {
  await page.locator(`[data-testid="${section}-save-status"][data-state="saved"]`).waitFor({ timeout: 10_000 });
}

describe('badge settings', () => {
  it('counts only mail that arrived since the popup was opened, in "new" mode', async () => {
    await page.getByTestId('badge-mode-new').check();
    await saved('badge');
    expect((await relaySettings()).badge).toEqual({ countMode: 'new', hideAtZero: true });
    // Nothing arrived since: the badge hides at zero.
    expect(await browser.waitForBadge((t) => t === '', 10_000)).toBe('');
    await appendMessage(dovecot, user, { subject: 'fresh' });
    expect(await browser.waitForBadge((t) => t === '1', 10_000)).toBe('1');
    expect(await browser.badgeTitle()).toMatch(/^Tidings — 1 new since you last opened it \(3 unread\)/);
    // Opening the popup starts the count again.
    const popup = await browser.openPage('popup.html');
    expect(await browser.waitForBadge((t) => t === '', 10_000)).toBe('');
    await popup.close();
    await page.getByTestId('badge-hide-zero').uncheck();
    await saved('badge');
    expect(await browser.waitForBadge((t) => t === '0', 10_000)).toBe('0');
    await page.getByTestId('badge-mode-all').check();
    expect(await browser.waitForBadge((t) => t === '3', 10_000)).toBe('3');
  });

  it('follows a change made in another browser', async () => {
    const settings = structuredClone(await relaySettings());
    settings.badge = { countMode: 'new', hideAtZero: true };
    await other.request('settings.set', { settings });
    await expect.poll(() => page.getByTestId('badge-mode-new').isChecked(), { timeout: 10_000 }).toBe(true);
    expect(await browser.waitForBadge((t) => t === '', 10_000)).toBe('');
    settings.badge = DEFAULT_USER_SETTINGS.badge;
    await other.request('settings.set', { settings });
    await expect.poll(() => page.getByTestId('badge-mode-all').isChecked(), { timeout: 10_000 }).toBe(true);
  });
});

describe('notification settings', () => {
  it('saves quiet hours in this browser’s time zone and per-account switches on the relay', async () => {
    const zone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
    await page.getByTestId('quiet-enabled').check();
    await saved('notifications');
    await page.getByTestId('quiet-start').fill('21:30');
    await page.getByTestId('quiet-end').fill('06:45');
    // Sunday off: the day chips are checkboxes behind their labels.
    await page.locator('label:has([data-testid="quiet-day"][data-day="0"])').click();
    await expect
      .poll(async () => (await relaySettings()).notifications.quietHours, { timeout: 10_000 })
      .toEqual({ enabled: true, start: '21:30', end: '06:45', days: [1, 2, 3, 4, 5, 6], timeZone: zone });
    expect(await page.getByTestId('quiet-summary').textContent()).toMatch(/9:30\s?PM – 6:45\s?AM/);

    await page.locator(`[data-testid="notify-account"][data-account-id="${accountId}"]`).uncheck();
    await expect
      .poll(async () => (await relaySettings()).notifications.mutedAccounts, { timeout: 10_000 })
      .toEqual([accountId]);
    await page.getByTestId('notify-enabled').uncheck();
    await expect.poll(async () => (await relaySettings()).notifications.enabled, { timeout: 10_000 }).toBe(false);
    // Per-account switches are moot while notifications are off.
    expect(await page.locator(`[data-testid="notify-account"][data-account-id="${accountId}"]`).isDisabled()).toBe(
      true,
    );
    await browser.screenshot(page, 'options-settings');
  });
});

describe('devices', () => {
  it('lists the paired browsers with this one marked, and revokes another after confirming', async () => {
    await page.getByTestId('devices-refresh').click();
    const rows = page.getByTestId('device-row');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(2);
    const self = page.locator('[data-testid="device-row"][data-current="true"]');
    expect(await self.getByTestId('this-browser').count()).toBe(1);
    expect(await self.textContent()).toContain(browser.origin);
    const stranger = page.locator('[data-testid="device-row"][data-current="false"]');
    expect(await stranger.textContent()).toMatch(/test browser.*Paired/s);
    await stranger.getByTestId('revoke-device-button').click();
    expect(await rows.count()).toBe(2);
    await stranger.getByTestId('confirm-revoke-button').click();
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
    // The relay closed the other device's socket.
    const closed = await Promise.race([other.closed, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    expect(closed?.code).toBe(4401);
    const listed = await runRelayCli(['devices', 'list'], { dataDir: relay.dataDir });
    expect(listed.stdout).toMatch(/revoked/i);
  });

  it('unpairs this browser when it revokes itself', async () => {
    const self = page.locator('[data-testid="device-row"][data-current="true"]');
    await self.getByTestId('revoke-device-button').click();
    await self.getByTestId('confirm-revoke-button').click();
    await page.getByTestId('relay-url').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe('unpaired');
    expect(await browser.waitForBadge((t) => t === '?', 10_000)).toBe('?');
  });
});
