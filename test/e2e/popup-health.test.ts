// End to end (issue 8, "health you can see"): the IMAP server stops → the popup names the account
// as unreachable with the reason in words and what to do, the badge turns red and its tooltip
// names the account and the reason (no wire code); the server comes back → live again.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '../../shared/index.js';
import { rejection, TestClient } from '../harness/protocol-client.js';
import { startPopupWorld, type PopupWorld } from './popup-world.js';

/** The worker global the evaluated function sees (this file is not compiled against @types/chrome). */
declare const chrome: {
  action: { getBadgeBackgroundColor(details: object): Promise<number[]> };
  storage: { local: { get(key: string): Promise<Record<string, { pairing?: { token: string } | null } | undefined>> } };
};

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
  world = await startPopupWorld({ accounts: ['Work'] });
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

  it('is live again when Dovecot comes back', async () => {
    await world.dovecot.restart();
    await poll(() => popup.getByTestId('account-health').count()).toBe(0);
    await poll(() => badgeColor()).toBe('#2563eb');
    expect(await world.browser.badgeTitle()).not.toContain('problem');
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
