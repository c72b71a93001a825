// axe-core (WCAG 2.1 A and AA) on every screen of the popup and the options page, in light and
// dark, against the built extension, the real relay and a private Dovecot. Any violation fails
// the test and is printed with its rule, impact and the offending elements.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension } from '../harness/chromium.js';
import { expectNoViolations } from './axe.js';
import { workInbox, TINY_PNG_BASE64, withAttachment } from './popup-seed.js';
import { extensionDir, seedMessages, startPopupWorld, type PopupWorld } from './popup-world.js';

let world: PopupWorld;

beforeAll(async () => {
  world = await startPopupWorld({
    accounts: ['Work'],
    seed: async (dovecot, [work]) => {
      const now = Date.now();
      await seedMessages(dovecot, work!, workInbox('Alex Doe <alex@northwind.example>', now - 3_600_000));
      const date = new Date(now - 60_000);
      await seedMessages(dovecot, work!, [
        {
          date,
          raw: withAttachment({
            from: 'Jonas Weber <jonas@contoso.example>',
            to: 'Alex Doe <alex@northwind.example>',
            subject: 'Site visit photos',
            text: 'Here is the photo from this morning.',
            filename: 'east-side.png',
            contentType: 'image/png',
            base64: TINY_PNG_BASE64,
            date,
          }),
        },
      ]);
    },
  });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

describe.each(['light', 'dark'] as const)('axe, WCAG 2.1 A/AA, %s', (colorScheme) => {
  it('popup: list, open message, Move dialog, help dialog', async () => {
    const page = await world.openPopup({ colorScheme });
    try {
      await page.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
      await page.waitForTimeout(500);
      await expectNoViolations(page, 'popup list');

      await page.getByTestId('message-row').filter({ hasText: 'Site visit photos' }).click();
      await page.getByTestId('attachment').first().waitFor();
      await page.waitForTimeout(300);
      await expectNoViolations(page, 'open message');
      await page.getByTestId('back-button').click();
      await page.getByTestId('message-list').waitFor();

      await page.getByTestId('message-list').focus();
      await page.keyboard.press('v');
      await page.getByTestId('move-dialog').waitFor();
      await page.getByTestId('move-option').first().waitFor();
      await expectNoViolations(page, 'Move dialog');
      await page.keyboard.press('Escape');
      await page.getByTestId('move-dialog').waitFor({ state: 'detached' });

      await page.getByTestId('help-button').click();
      await page.getByRole('dialog').waitFor();
      await expectNoViolations(page, 'help dialog');
    } finally {
      await page.close();
    }
  }, 60_000);

  it('options: paired page, add-account form, diagnosis checklist, account editor', async () => {
    const page = await world.browser.openPage('options.html');
    try {
      await page.emulateMedia({ colorScheme });
      await page.locator('[data-testid="connection-state"][data-state="open"]').waitFor({ timeout: 15_000 });
      await page.getByTestId('account-row').first().waitFor();
      await expectNoViolations(page, 'paired options page');

      await page.getByTestId('add-account-button').click();
      await page.getByTestId('provider-custom').click();
      await page.getByTestId('account-email').fill('nobody@unknown.invalid');
      await expectNoViolations(page, 'add-account form');
      await page.getByTestId('discover-button').click();
      await page.getByTestId('server-host').waitFor();
      await page.getByTestId('server-host').fill('127.0.0.1');
      await page.getByTestId('server-port').fill(String(world.dovecot.imapsPort));
      await page.getByTestId('server-username').fill(world.accounts[0].user.username);
      await page.getByTestId('account-password').fill('wrong password');
      await expectNoViolations(page, 'server step');
      await page.getByTestId('diagnose-button').click();
      // Wrong password: the checklist ends with a failed step and its hint.
      await page.locator('[data-testid="diagnosis"][data-ok="false"] [data-testid="diag-hint"]').first().waitFor({
        timeout: 20_000,
      });
      await expectNoViolations(page, 'diagnosis checklist');
      await page.getByTestId('cancel-add').click();

      await page.getByTestId('account-row').first().getByTestId('edit-account-button').click();
      await page.getByTestId('account-editor').getByTestId('edit-name').waitFor();
      await expectNoViolations(page, 'account editor');
    } finally {
      await page.close();
    }
  }, 60_000);

  it('options: unpaired pairing form', async () => {
    // A second browser profile with the same build that was never paired.
    const fresh = await launchExtension({ extensionDir: extensionDir() });
    try {
      const page = await fresh.openPage('options.html');
      await page.emulateMedia({ colorScheme });
      await page.getByTestId('relay-url').waitFor({ timeout: 15_000 });
      await page.getByTestId('relay-url').fill('wss://relay.example.test');
      await expectNoViolations(page, 'unpaired pairing form');
    } finally {
      await fresh.close();
    }
  }, 60_000);
});

describe('announcements and focus in the popup', () => {
  const isFocused = (page: Page, testid: string) =>
    page.getByTestId(testid).evaluate((el) => el === el.ownerDocument.activeElement);

  it('one live region from page load says search counts, flag changes and toasts', async () => {
    const page = await world.openPopup();
    try {
      const region = page.getByTestId('live-region');
      expect(await region.getAttribute('role')).toBe('status');
      expect(await region.getAttribute('aria-live')).toBe('polite');
      await page.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
      // Toasts no longer add their own status elements: the region above is the only one.
      await page.getByTestId('search-input').fill('subject:"Site visit photos"');
      await page.getByTestId('search-input').press('Enter');
      await expect.poll(() => region.textContent(), { timeout: 10_000 }).toBe('1 result');
      await page.getByTestId('search-clear').click();
      await page.getByTestId('message-row').first().getByTestId('row-select').click();
      await page.getByTestId('action-flag').click();
      await expect.poll(() => region.textContent(), { timeout: 10_000 }).toMatch(/^(Flagged|Flag removed)$/);
      await page.getByTestId('action-archive').click();
      const toast = await page.getByTestId('toast-text').textContent();
      expect(toast).toBeTruthy();
      await expect.poll(() => region.textContent(), { timeout: 10_000 }).toBe(toast);
      await page.getByTestId('undo-button').click();
    } finally {
      await page.close();
    }
  }, 60_000);

  it('the Undo toast stays while focused, and focus returns to the list after Undo', async () => {
    const page = await world.openPopup();
    try {
      await page.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
      await page.getByTestId('message-row').first().getByTestId('row-select').click();
      await page.getByTestId('action-archive').click();
      await page.getByTestId('undo-button').focus();
      // Longer than the undo window (5 s): a focused toast must not close under the user.
      await page.waitForTimeout(6_500);
      expect(await page.getByTestId('undo-button').count()).toBe(1);
      await page.keyboard.press('Enter');
      await expect.poll(() => isFocused(page, 'message-list'), { timeout: 5_000 }).toBe(true);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('Escape in the search box hands focus to the list, not to <body>', async () => {
    const page = await world.openPopup();
    try {
      await page.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
      await page.getByTestId('search-input').fill('photos');
      await page.getByTestId('search-input').press('Escape');
      await expect.poll(() => isFocused(page, 'message-list'), { timeout: 5_000 }).toBe(true);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('options: "+ Add account" moves focus into the form; a failed test focuses the first invalid field', async () => {
    const page = await world.browser.openPage('options.html');
    try {
      await page.getByTestId('account-row').first().waitFor({ timeout: 15_000 });
      await page.getByTestId('add-account-button').click();
      await expect
        .poll(() => page.getByTestId('add-account').evaluate((el) => el.contains(el.ownerDocument.activeElement)), {
          timeout: 5_000,
        })
        .toBe(true);
      await page.getByTestId('provider-custom').click();
      await page.getByTestId('account-email').fill('nobody@unknown.invalid');
      await page.getByTestId('discover-button').click();
      await page.getByTestId('server-host').waitFor();
      // Host and password both empty: the host comes first in the form.
      await page.getByTestId('server-host').fill('');
      await page.getByTestId('account-password').fill('');
      await page.getByTestId('diagnose-button').click();
      await expect.poll(() => isFocused(page, 'server-host'), { timeout: 5_000 }).toBe(true);
      await page.getByTestId('cancel-add').click();
    } finally {
      await page.close();
    }
  }, 60_000);

  it('a dialog gives focus back to what opened it', async () => {
    const page = await world.openPopup();
    try {
      await page.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
      await page.getByTestId('help-button').click();
      await page.getByTestId('shortcut-help').waitFor();
      await page.keyboard.press('Escape');
      await page.getByTestId('shortcut-help').waitFor({ state: 'detached' });
      await expect.poll(() => isFocused(page, 'help-button'), { timeout: 5_000 }).toBe(true);
    } finally {
      await page.close();
    }
  }, 60_000);
});
