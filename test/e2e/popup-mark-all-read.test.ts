// End to end in real Chromium with the built extension, the real relay and a private Dovecot:
// "Mark all read" covers the whole folder (issue 13) — 120 unread messages, of which the popup has
// loaded one page — asks first because there are many (saying how many), takes the toolbar badge
// to 0, and Undo makes exactly those messages unread again.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMaildir, statusUnseen, withImap } from '../harness/mail.js';
import { expectNoViolations } from './axe.js';
import { startPopupWorld, type PopupWorld } from './popup-world.js';

let world: PopupWorld;
let popup: Page;
let unreadBefore: number[];

const UNREAD = 120;

async function unseenUids(): Promise<number[]> {
  return await withImap(world.dovecot, world.accounts[0].user, async (c) => {
    await c.mailboxOpen('INBOX');
    return ((await c.search({ seen: false }, { uid: true })) || []).sort((a, b) => a - b);
  });
}

beforeAll(async () => {
  world = await startPopupWorld({
    seed: async (dovecot, [user]) => {
      // 120 unread and 30 read, spread: more than the popup's first page of 50.
      await seedMaildir(dovecot, user!, UNREAD + 30, { seenRatio: 30 / (UNREAD + 30) });
    },
  });
  unreadBefore = await unseenUids();
  popup = await world.openPopup();
  await popup.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
});

afterAll(async () => {
  await world?.close();
});

/** The data-testid of the popup's focused element. */
const focused = () =>
  popup.locator('body').evaluate((body) => body.ownerDocument.activeElement?.getAttribute('data-testid'));

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 200 });

describe('Mark all read for the whole folder', () => {
  it('asks first, saying how many; marks every unread message read on the server; the badge goes to 0', async () => {
    expect(unreadBefore).toHaveLength(UNREAD);
    expect(await world.browser.waitForBadge((t) => t === String(UNREAD))).toBe(String(UNREAD));
    expect(Number(await popup.getByTestId('message-list').getAttribute('data-row-count'))).toBeLessThan(UNREAD);

    const button = popup.getByTestId('mark-all-read');
    await poll(() => button.getAttribute('title')).toBe(`Marks all ${UNREAD} unread messages of this list as read`);
    await button.click();
    const confirm = popup.getByTestId('mark-all-confirm');
    expect(await confirm.textContent()).toContain(`Mark all ${UNREAD} unread messages as read?`);
    await expectNoViolations(popup, 'list toolbar asking before Mark all read');
    // The question has the focus; Cancel (or Esc) changes nothing and gives the focus back.
    await poll(() => focused()).toBe('mark-all-confirm-yes');
    await popup.keyboard.press('Escape');
    await poll(() => focused()).toBe('mark-all-read');
    await popup.getByTestId('mark-all-read').click();
    await popup.getByTestId('mark-all-confirm-no').click();
    expect(await popup.getByTestId('mark-all-read').count()).toBe(1);
    expect(await statusUnseen(world.dovecot, world.accounts[0].user)).toBe(UNREAD);

    await popup.getByTestId('mark-all-read').click();
    await popup.getByTestId('mark-all-confirm-yes').click();
    await poll(() => popup.getByTestId('live-region').textContent()).toBe(`${UNREAD} messages marked as read`);
    await poll(() => statusUnseen(world.dovecot, world.accounts[0].user)).toBe(0);
    await world.browser.waitForBadge((t) => t === '' || t === '0', 15_000);
    expect(
      await popup.getByTestId('message-row').evaluateAll((rows) => rows.every((r) => r.dataset['seen'] === 'true')),
    ).toBe(true);
  });

  it('Undo makes exactly the messages it marked unread again', async () => {
    await popup.getByRole('button', { name: 'Undo' }).click();
    await poll(() => unseenUids()).toEqual(unreadBefore);
    await world.browser.waitForBadge((t) => t === String(UNREAD), 15_000);
  });
});
