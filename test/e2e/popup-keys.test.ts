// End to end in real Chromium with the built extension, the real relay and a private Dovecot:
// Gmail's key map (u back to the list, Shift+I / Shift+U read / unread, the help that shows it),
// and shortcuts while the keyboard focus is inside the sandboxed message frame — including the
// keys that scroll the message, which the frame cannot scroll itself.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { locate, seedMessages, startPopupWorld, type PopupWorld } from './popup-world.js';

let world: PopupWorld;
let popup: Page;

const LONG_HTML =
  '<h1>Quarterly report</h1><p><a href="https://example.org/report">Read it online</a></p>' +
  Array.from({ length: 80 }, (_, i) => `<p>Paragraph ${i + 1} of a long letter that needs scrolling.</p>`).join('');

beforeAll(async () => {
  world = await startPopupWorld({
    seed: async (dovecot, [user]) => {
      await seedMessages(dovecot, user!, [
        { subject: 'Keys older', from: 'Ana <ana@example.org>', text: 'The older one.' },
        { subject: 'Long HTML letter', from: 'Reports <reports@example.org>', html: LONG_HTML },
        { subject: 'Keys newest', from: 'Ben <ben@example.org>', text: 'The newest one.' },
      ]);
    },
  });
  popup = await world.openPopup();
  await popup.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
});

afterAll(async () => {
  await world?.close();
});

beforeEach(async () => {
  if ((await popup.getByRole('dialog').count()) > 0) await popup.keyboard.press('Escape');
  if ((await popup.getByTestId('back-button').count()) > 0) await popup.getByTestId('back-button').click();
  await popup.getByTestId('message-list').waitFor();
});

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 10_000, interval: 100 });

function row(subject: string): Locator {
  return popup
    .getByTestId('message-row')
    .filter({ has: popup.getByTestId('row-subject').getByText(subject, { exact: true }) });
}

async function serverFlags(subject: string): Promise<string[]> {
  const found = await locate(world.dovecot, world.accounts[0].user, subject);
  return found[0]?.flags ?? [];
}

/** The tag of the popup document's focused element ('IFRAME' while the focus is inside the frame). */
const focusedTag = () => popup.locator('body').evaluate((body) => body.ownerDocument.activeElement?.tagName);

const openSubject = () => popup.getByTestId('message-screen').getAttribute('aria-label');

describe("Gmail's key map", () => {
  it('shows the real map in the help: u, Shift+I, Shift+U', async () => {
    await popup.getByTestId('message-list').focus();
    await popup.keyboard.press('?');
    const help = popup.getByTestId('shortcut-list');
    await help.waitFor();
    const lines = await help.evaluate((dl) => {
      const out: Record<string, string> = {};
      for (const dt of dl.querySelectorAll('dt')) {
        const keys = [...dt.querySelectorAll('kbd')].map((k) => k.textContent).join(' ');
        out[keys] = dt.nextElementSibling?.textContent ?? '';
      }
      return out;
    });
    expect(lines).toMatchObject({
      u: 'Back to the list',
      'Shift+I': 'Mark read',
      'Shift+U': 'Mark unread',
      e: 'Archive',
      'j ↓': 'Next message',
    });
    expect(Object.values(lines)).not.toContain('Mark read or unread');
    await popup.keyboard.press('Escape');
    await poll(() => help.count()).toBe(0);
  });

  it('u goes back to the list; Shift+I marks read and Shift+U unread on the server', async () => {
    await row('Keys newest').click();
    await poll(openSubject).toBe('Keys newest');
    await poll(() => serverFlags('Keys newest')).toContain('\\Seen');
    await popup.keyboard.press('Shift+U');
    await poll(() => serverFlags('Keys newest')).not.toContain('\\Seen');
    await popup.keyboard.press('u');
    await popup.getByTestId('message-list').waitFor();
    expect(await popup.getByTestId('message-screen').count()).toBe(0);
    // On the list, u does nothing (it used to toggle read).
    await poll(() => row('Keys newest').getAttribute('data-active')).toBe('true');
    await popup.keyboard.press('u');
    await popup.waitForTimeout(300);
    expect(await row('Keys newest').getAttribute('data-seen')).toBe('false');
    await popup.keyboard.press('Shift+I');
    await poll(() => row('Keys newest').getAttribute('data-seen')).toBe('true');
    await poll(() => serverFlags('Keys newest')).toContain('\\Seen');
  });
});

describe('shortcuts with the focus inside the message frame', () => {
  it('star, unread, scroll keys, j and u all work from inside the frame', async () => {
    await row('Long HTML letter').click();
    await poll(() => popup.getByTestId('message-frame').getAttribute('data-ready')).toBe('true');
    const frame = popup.frameLocator('[data-testid=message-frame]');
    await frame.locator('a').first().focus();
    expect(await focusedTag()).toBe('IFRAME');

    await popup.keyboard.press('s');
    await poll(() => serverFlags('Long HTML letter')).toContain('\\Flagged');
    await popup.keyboard.press('Shift+U');
    await poll(() => serverFlags('Long HTML letter')).not.toContain('\\Seen');
    expect(await focusedTag()).toBe('IFRAME');

    const screen = popup.getByTestId('message-screen');
    const top = () => screen.evaluate((el) => el.scrollTop);
    expect(await top()).toBe(0);
    await popup.keyboard.press('Space');
    await poll(top).toBeGreaterThan(200);
    const afterSpace = await top();
    await popup.keyboard.press('ArrowDown');
    await poll(top).toBe(afterSpace + 40);
    await popup.keyboard.press('End');
    await poll(top).toBe(await screen.evaluate((el) => el.scrollHeight - el.clientHeight));
    await popup.keyboard.press('Home');
    await poll(top).toBe(0);
    // The arrows scrolled; they did not open another message.
    expect(await openSubject()).toBe('Long HTML letter');

    await popup.keyboard.press('j');
    await poll(openSubject).toBe('Keys older');
    await popup.keyboard.press('u');
    await popup.getByTestId('message-list').waitFor();
  });

  it('goes back with u from inside the frame too', async () => {
    await row('Long HTML letter').click();
    await poll(() => popup.getByTestId('message-frame').getAttribute('data-ready')).toBe('true');
    await popup.frameLocator('[data-testid=message-frame]').locator('a').first().focus();
    await popup.keyboard.press('u');
    await popup.getByTestId('message-list').waitFor();
    expect(await popup.getByTestId('message-screen').count()).toBe(0);
  });
});

describe('select all and mark all read', () => {
  const SUBJECTS = ['Keys older', 'Long HTML letter', 'Keys newest'];
  const selectedCount = () => popup.getByTestId('selected-count').count();

  it('Ctrl+A selects every loaded row; the toolbar checkbox clears and selects; Esc clears', async () => {
    await popup.getByTestId('message-list').focus();
    await popup.keyboard.press('Control+a');
    await poll(() => popup.getByTestId('selected-count').textContent()).toContain('3');
    const box = popup.getByTestId('select-all');
    expect(await box.isChecked()).toBe(true);
    await box.click();
    await poll(selectedCount).toBe(0);
    await box.click();
    await poll(() =>
      popup.getByTestId('message-row').evaluateAll((rows) => rows.map((r) => r.dataset['selected'])),
    ).toEqual(['true', 'true', 'true']);
    await popup.keyboard.press('Escape');
    await poll(selectedCount).toBe(0);
    expect(await box.isChecked()).toBe(false);
  });

  it('Space toggles the active row like x: aria-selected follows and the live region says it', async () => {
    const list = popup.getByTestId('message-list');
    await list.focus();
    await popup.keyboard.press('Home');
    const first = popup.getByTestId('message-row').first();
    await poll(() => first.getAttribute('data-active')).toBe('true');
    expect(await first.getAttribute('aria-selected')).toBe('false');
    await popup.keyboard.press(' ');
    await poll(() => first.getAttribute('aria-selected')).toBe('true');
    await poll(() => popup.getByTestId('live-region').textContent()).toBe('Selected, 1 selected');
    // The list did not scroll: Space's default (page down) was prevented.
    expect(await list.evaluate((el) => el.scrollTop)).toBe(0);
    await popup.keyboard.press('j');
    await popup.keyboard.press('x');
    await poll(() => popup.getByTestId('selected-count').textContent()).toContain('2');
    await popup.keyboard.press(' ');
    await poll(() => popup.getByTestId('message-row').nth(1).getAttribute('aria-selected')).toBe('false');
    await poll(() => popup.getByTestId('live-region').textContent()).toBe('Not selected, 1 selected');
    await popup.keyboard.press('k');
    await popup.keyboard.press(' ');
    await poll(() => first.getAttribute('aria-selected')).toBe('false');
    await poll(selectedCount).toBe(0);

    await popup.keyboard.press('?');
    const keys = popup.getByTestId('shortcut-list').locator('dt').filter({ hasText: 'x' });
    await poll(() => keys.first().locator('kbd').allTextContents()).toEqual(['x', 'Space']);
    await popup.keyboard.press('Escape');
  });

  it('"Mark all read" marks the unread messages read on the server', async () => {
    await popup.getByTestId('message-list').focus();
    await popup.keyboard.press('Control+a');
    await popup.keyboard.press('Shift+U');
    for (const subject of SUBJECTS) await poll(() => serverFlags(subject)).not.toContain('\\Seen');
    await popup.keyboard.press('Escape');
    const button = popup.getByTestId('mark-all-read');
    await expect.poll(() => button.getAttribute('title')).toBe('Marks all 3 unread messages of this list as read');
    await button.click();
    for (const subject of SUBJECTS) await poll(() => serverFlags(subject)).toContain('\\Seen');
    await poll(() => button.count()).toBe(0);
  });
});
