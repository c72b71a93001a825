// End to end (issue 8, "health you can see"): the IMAP server stops → the popup names the account
// as unreachable with the reason in words and what to do, the badge turns red and its tooltip
// names the account and the reason (no wire code); the server comes back → live again, with the
// mail delivered meanwhile; a frozen server → a request answers within the command deadline and
// the account recovers after SIGCONT. The relay runs with test-sized deadlines (3 s per command).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/index.js';
import { seedMaildir } from '../harness/mail.js';
import { rejection, TestClient } from '../harness/protocol-client.js';
import { seedMessages, startPopupWorld, type PopupWorld } from './popup-world.js';

/** The worker global the evaluated function sees (this file is not compiled against @types/chrome). */
declare const chrome: {
  action: { getBadgeBackgroundColor(details: object): Promise<number[]> };
  storage: { local: { get(key: string): Promise<Record<string, { pairing?: { token: string } | null } | undefined>> } };
};

/** The relay's per-command deadline in this file (production default: shared/limits.ts). */
const COMMAND_TIMEOUT_MS = 3_000;

let world: PopupWorld;
let popup: Page;

const poll = <T>(fn: () => Promise<T> | T, timeout = 30_000) => expect.poll(fn, { timeout, interval: 100 });

/** `chrome.action.getBadgeBackgroundColor`, as `#rrggbb`. */
async function badgeColor(): Promise<string> {
  const worker = await world.browser.serviceWorker();
  const rgba = await worker.evaluate(() => chrome.action.getBadgeBackgroundColor({}));
  return `#${rgba
    .slice(0, 3)
    .map((n: number) => n.toString(16).padStart(2, '0'))
    .join('')}`;
}

beforeAll(async () => {
  world = await startPopupWorld({
    accounts: ['Work'],
    relayEnv: {
      TIDINGS_IMAP_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
      TIDINGS_IMAP_CONNECT_TIMEOUT_MS: '4000',
      TIDINGS_IDLE_PROBE_MS: '2000',
    },
  });
  popup = await world.openPopup();
  await popup.getByTestId('account-switcher').waitFor({ timeout: 20_000 });
  await world.browser.waitForBadge((text) => /^\d*$/.test(text), 20_000);
});

afterAll(async () => {
  await world?.close();
});

describe('account health in the popup and the badge', () => {
  it('shows a live account without a health line and a blue badge', async () => {
    expect(await popup.getByTestId('account-health').count()).toBe(0);
    expect(await badgeColor()).toBe('#2563eb');
  });

  it('names the account unreachable, with the reason and what to do, when Dovecot stops', async () => {
    await world.dovecot.stop();
    const line = popup.getByTestId('account-health').filter({ hasText: 'Work' });
    await poll(() => line.getAttribute('data-state').catch(() => null)).toBe('unreachable');
    expect(await line.getByTestId('health-title').textContent()).toBe('127.0.0.1 is unreachable');
    expect(await line.getByTestId('health-reason').textContent()).toBe('server unreachable');
    expect((await line.getByTestId('health-action').textContent())?.length).toBeGreaterThan(10);
    expect(await line.textContent()).not.toMatch(/UNREACHABLE|ECONNREFUSED/);
    await poll(() => badgeColor()).toBe('#dc2626');
    const title = await world.browser.badgeTitle();
    expect(title).toContain('Work: 127.0.0.1 is unreachable — server unreachable');
    expect(title).not.toMatch(/UNREACHABLE|ECONNREFUSED/);
    await world.browser.screenshot(popup, 'popup-account-unreachable');
  });

  it('is live again within 5 s when Dovecot comes back, with the mail delivered meanwhile', async () => {
    // Delivered while the server is down, straight into the maildir as a local delivery agent would.
    await seedMaildir(world.dovecot, world.accounts[0].user, 1);
    await world.dovecot.restart();
    const accepting = Date.now();
    await poll(() => popup.getByTestId('account-health').count(), 15_000).toBe(0);
    const live = Date.now() - accepting;
    console.log(`issue 8 figure: popup live ${live} ms after Dovecot accepted connections again (target 5 s)`);
    // A generous margin on a loaded machine: the recover benchmark measures the 5 s target.
    expect(live).toBeLessThan(10_000);
    await poll(() => popup.getByTestId('message-row').filter({ hasText: 'Seeded message 0' }).count(), 10_000).toBe(1);
    expect(await world.browser.waitForBadge((text) => text === '1', 10_000)).toBe('1');
    await poll(() => badgeColor()).toBe('#2563eb');
    expect(await world.browser.badgeTitle()).not.toContain('problem');
  });
});

describe('a frozen server (SIGSTOP) with the popup open', () => {
  it('answers an open within the command deadline in words, shows the account frozen, and recovers after SIGCONT', async () => {
    await seedMessages(world.dovecot, world.accounts[0].user, [
      { subject: 'Newest, read', text: 'x', flags: ['\\Seen'] },
    ]);
    const rows = popup.getByTestId('message-row');
    await poll(() => rows.count(), 15_000).toBe(2);
    // The older row: never focused or opened, so its body is not in the extension's cache.
    const older = rows.filter({ hasText: 'Seeded message 0' });
    await world.dovecot.freeze();
    try {
      const started = Date.now();
      await older.click();
      const error = popup.getByTestId('message-error');
      await error.waitFor({ timeout: COMMAND_TIMEOUT_MS + 10_000 });
      const answered = Date.now() - started;
      console.log(`issue 8 figure: a message open on a frozen server answered after ${answered} ms (deadline 3 s)`);
      expect(answered).toBeLessThan(COMMAND_TIMEOUT_MS + 5_000);
      const text = (await error.textContent()) ?? '';
      expect(text.length).toBeGreaterThan(20);
      expect(text).not.toMatch(/\bTIMEOUT\b|CONNECT_TIMEOUT/);
      const line = popup.getByTestId('account-health').filter({ hasText: 'Work' });
      await poll(() => line.getAttribute('data-state').catch(() => null), 20_000).toBe('frozen');
      expect(await line.textContent()).not.toMatch(/\bTIMEOUT\b/);
    } finally {
      await world.dovecot.thaw();
    }
    const thawed = Date.now();
    await poll(() => popup.getByTestId('account-health').count(), 20_000).toBe(0);
    console.log(`issue 8 figure: popup live ${Date.now() - thawed} ms after SIGCONT`);
    // The same open works now.
    await popup.keyboard.press('u');
    await older.click();
    await poll(() => popup.getByTestId('message-view').getAttribute('data-state'), 15_000).toBe('ready');
  });
});

describe('recovery from a relay restart with the popup open', () => {
  it('is live again within a few seconds of the relay listening again', async () => {
    const state = popup.getByTestId('connection-state');
    await poll(() => state.getAttribute('data-state')).toBe('open');
    await world.relay.kill();
    await poll(() => state.getAttribute('data-state')).not.toBe('open');
    // Down long enough for several failed attempts: the backoff must stay capped while the popup is open.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await world.relay.restart();
    const started = Date.now();
    await poll(() => state.getAttribute('data-state'), 10_000).toBe('open');
    const ms = Date.now() - started;
    console.log(`popup live ${ms} ms after the relay listened again (target 3 s)`);
    // A generous margin: the benchmark measures the 3 s target.
    expect(ms).toBeLessThan(6_000);
  });
});

describe('unpair (issue 8)', () => {
  it('asks first, then revokes this browser on the relay: its old token is refused', async () => {
    const worker = await world.browser.serviceWorker();
    const token = await worker.evaluate(
      async () => (await chrome.storage.local.get('tidings.v1'))['tidings.v1']?.pairing?.token,
    );
    if (!token) throw new Error('no stored token');
    const origin = world.browser.origin;
    // The token works before unpairing.
    const before = await TestClient.connect(world.relay.url, token, { origin });
    before.client.close();
    const page = await world.browser.openPage('options.html');
    await page.getByTestId('unpair-button').click();
    // Nothing happened yet: the question is on screen and Cancel keeps the pairing.
    await page.getByTestId('unpair-confirm').waitFor();
    await page.getByTestId('cancel-unpair-button').click();
    expect(await page.getByTestId('unpair-confirm').count()).toBe(0);
    expect(await page.getByTestId('connection-state').getAttribute('data-state')).toBe('open');
    await page.getByTestId('unpair-button').click();
    await page.getByTestId('confirm-unpair-button').click();
    await poll(() => page.getByTestId('connection-state').getAttribute('data-state'), 15_000).toBe('unpaired');
    expect(await world.browser.waitForBadge((t) => t === '?', 10_000)).toBe('?');
    const again = await TestClient.open(world.relay.url, { origin });
    try {
      const refused = await rejection(again.request('hello', { protocol: PROTOCOL_VERSION, token, lastSeq: null }));
      expect(refused.error.code).toBe('UNAUTHORIZED');
    } finally {
      again.close();
    }
    await page.close();
  });
});
