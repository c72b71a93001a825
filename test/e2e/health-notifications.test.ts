// End to end in real Chromium (issue 8, "a notification when an account has been failing for more
// than a few minutes, and one when it recovers"): Dovecot stops → after the threshold (shortened
// through the test build's hooks) exactly one outage notification naming the account and the
// reason in words, however many reconnect attempts fail meanwhile; Dovecot comes back → exactly
// one recovery notification; a click opens the popup on the account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  browserTargetUrls,
  recordNotifications,
  shownNotifications,
  type ShownNotification,
} from '../harness/options-page.js';
import { startPopupWorld, type PopupWorld } from './popup-world.js';

declare const tidingsDiagnostics: {
  healthTiming(timing: { outageAfterMs?: number; recoveredAfterMs?: number }): void;
  notificationClick(id: string): Promise<void>;
};

/** Failing this long before the outage notice (3 min in the product). */
const OUTAGE_AFTER_MS = 3_000;
/** Live this long before the outage is over (30 s in the product). */
const RECOVERED_AFTER_MS = 2_000;

let world: PopupWorld;
let notificationId: string;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function healthShown(): Promise<ShownNotification[]> {
  return (await shownNotifications(world.browser)).filter((n) => n.id === notificationId);
}

beforeAll(async () => {
  world = await startPopupWorld({ accounts: ['Work'] });
  notificationId = `tidings:health:${world.accounts[0].id}`;
  const deadline = Date.now() + 20_000;
  while (!(await world.browser.badgeTitle()).split('\n').includes('Work: 0 unread')) {
    if (Date.now() > deadline) throw new Error(`the account never went live: ${await world.browser.badgeTitle()}`);
    await sleep(100);
  }
  await recordNotifications(world.browser);
  const worker = await world.browser.serviceWorker();
  await worker.evaluate((timing) => tidingsDiagnostics.healthTiming(timing), {
    outageAfterMs: OUTAGE_AFTER_MS,
    recoveredAfterMs: RECOVERED_AFTER_MS,
  });
});

afterAll(async () => {
  await world?.close();
});

describe('account health notifications', () => {
  it('notifies once when Dovecot has been down past the threshold, and once when it is back', async () => {
    await world.dovecot.stop();
    const stoppedAt = Date.now();
    await expect.poll(async () => (await healthShown()).length, { timeout: 30_000, interval: 100 }).toBe(1);
    // Not before the threshold: the relay noticed the stop after `stoppedAt`.
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(OUTAGE_AFTER_MS);
    const [outage] = await healthShown();
    expect(outage).toMatchObject({
      call: 'create',
      title: 'Work is not getting new mail',
      message: '127.0.0.1 is unreachable — server unreachable',
    });
    expect(outage?.contextMessage?.length).toBeGreaterThan(10);
    expect(JSON.stringify(outage)).not.toMatch(/UNREACHABLE|ECONNREFUSED/);

    // Down for several more reconnect attempts (each one "catching up", then failing again).
    await sleep(4 * OUTAGE_AFTER_MS);
    expect(await healthShown()).toHaveLength(1);

    await world.dovecot.restart();
    await expect
      .poll(async () => (await healthShown()).map((n) => n.title), { timeout: 30_000, interval: 100 })
      .toEqual(['Work is not getting new mail', 'Work is back']);
    expect((await healthShown())[1]?.message).toBe('New mail is arriving again.');
    // Live and quiet afterwards: nothing more.
    await sleep(2 * RECOVERED_AFTER_MS + 1_000);
    expect(await healthShown()).toHaveLength(2);
  });

  it('opens the popup on the account when the notice is clicked', async () => {
    const worker = await world.browser.serviceWorker();
    await worker.evaluate((id) => tidingsDiagnostics.notificationClick(id), notificationId);
    const wanted = `popup.html?account=${encodeURIComponent(world.accounts[0].id)}`;
    await expect
      .poll(async () => (await browserTargetUrls(world.browser)).some((u) => u.includes(wanted)), {
        timeout: 10_000,
        interval: 100,
      })
      .toBe(true);
  });
});
