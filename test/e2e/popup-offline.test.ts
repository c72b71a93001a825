// End to end: the popup while the relay is down. It keeps showing the cached rows under an
// offline banner (also when reopened), queues an action durably, survives the service worker
// being stopped, and once the relay is back the action is applied exactly once on the server.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workInbox } from './popup-seed.js';
import { locate, seedMessages, startPopupWorld, type PopupWorld } from './popup-world.js';

let world: PopupWorld;
let popup: Page;

const TARGET = 'Archive me while offline';

const poll = <T>(fn: () => Promise<T> | T, timeout = 5_000) => expect.poll(fn, { timeout, interval: 50 });
const row = (page: Page, subject: string) =>
  page.getByTestId('message-row').filter({ has: page.getByTestId('row-subject').getByText(subject, { exact: true }) });

beforeAll(async () => {
  world = await startPopupWorld({
    seed: async (dovecot, [user]) => {
      const now = Date.now();
      await seedMessages(dovecot, user!, workInbox('', now - 3_600_000));
      await seedMessages(
        dovecot,
        user!,
        [{ subject: TARGET, from: 'Fox Mulder <fox@example.org>', text: 'Archive me.' }],
        {
          newestAt: now - 60_000,
        },
      );
    },
  });
  popup = await world.openPopup();
  await row(popup, TARGET).waitFor({ timeout: 20_000 });
});

afterAll(async () => {
  await world?.close();
});

describe('the popup without its relay', () => {
  it('keeps the rows and says the relay is unreachable', async () => {
    const before = await popup.getByTestId('message-list').getAttribute('data-row-count');
    await world.relay.stop();
    await popup.getByTestId('offline-banner').waitFor({ timeout: 60_000 });
    expect(await popup.getByTestId('message-list').getAttribute('data-row-count')).toBe(before);
    // Reopened while offline: the rows come from the background's cache, with the banner.
    await popup.close();
    popup = await world.openPopup();
    await row(popup, TARGET).waitFor();
    await popup.getByTestId('offline-banner').waitFor();
    expect(await popup.getByTestId('message-list').getAttribute('data-row-count')).toBe(before);
  });

  it('queues an action, keeps it across a service-worker stop, and applies it once when the relay is back', async () => {
    await row(popup, TARGET).getByTestId('row-select').click();
    await popup.keyboard.press('x');
    await popup.keyboard.press('e');
    await poll(() => row(popup, TARGET).count()).toBe(0);
    await poll(() => popup.getByTestId('pending-count').textContent()).toMatch(/1/);

    // Chrome stops idle workers; the queued action must be in storage, not in memory.
    await world.browser.stopServiceWorker();
    await popup.close();
    popup = await world.openPopup();
    await popup.getByTestId('message-row').first().waitFor();
    // The cache kept the optimistic state: the archived row stays gone after the restart.
    expect(await row(popup, TARGET).count()).toBe(0);
    await poll(() => popup.getByTestId('pending-count').textContent()).toMatch(/1/);
    expect(await locate(world.dovecot, world.accounts[0]!.user, TARGET)).toEqual([
      expect.objectContaining({ mailbox: 'INBOX' }),
    ]);

    await world.relay.restart();
    // The worker may reconnect on its own (short backoff while the popup is open) and remove the
    // banner while a locator click waits for it: press "Reconnect" in one step in the page, if it
    // is still there (a click on a button that vanished mid-click failed this test once).
    await popup.evaluate(`document.querySelector('[data-testid="reconnect-button"]')?.click()`);
    await poll(() => popup.getByTestId('offline-banner').count(), 30_000).toBe(0);
    await poll(
      async () => (await locate(world.dovecot, world.accounts[0]!.user, TARGET)).map((f) => f.mailbox),
      15_000,
    ).toEqual(['Archive']);
    // Exactly once: still one copy a moment later, and nothing is left waiting.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await locate(world.dovecot, world.accounts[0]!.user, TARGET)).map((f) => f.mailbox)).toEqual(['Archive']);
    expect(await popup.getByTestId('pending-count').count()).toBe(0);
    // The fresh list from the relay agrees.
    await poll(() => popup.getByTestId('message-row').first().count()).toBe(1);
    expect(await row(popup, TARGET).count()).toBe(0);
  });
});
