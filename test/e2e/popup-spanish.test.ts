// The popup in Spanish (Chromium --lang=es), at both widths: the account menu shows its whole
// label and the unread count (issue 13: it was cut to "Todas las band…").
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personalInbox, workInbox } from './popup-seed.js';
import { seedMessages, startPopupWorld, type PopupWorld } from './popup-world.js';

let world: PopupWorld;

beforeAll(async () => {
  world = await startPopupWorld({
    accounts: ['Trabajo', 'Personal'],
    launch: { lang: 'es' },
    seed: async (dovecot, [work, personal]) => {
      const now = Date.now();
      await seedMessages(dovecot, work!, workInbox('', now - 3_600_000));
      await seedMessages(dovecot, personal!, personalInbox(now - 2 * 3_600_000));
    },
  });
});

afterAll(async () => {
  await world?.close();
});

/** Whether the selected option's text fits the select's content box (a select never scrolls). */
function switcherFits(popup: Page): Promise<{ text: string; fits: boolean }> {
  return popup.getByTestId('account-switcher').evaluate((select) => {
    const doc = select.ownerDocument;
    const style = doc.defaultView!.getComputedStyle(select);
    const context = (
      doc.createElement('canvas') as unknown as {
        getContext(kind: '2d'): { font: string; measureText(text: string): { width: number } };
      }
    ).getContext('2d');
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text =
      (select as unknown as { selectedOptions: ArrayLike<{ textContent: string | null }> }).selectedOptions[0]
        ?.textContent ?? '';
    const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    return { text, fits: context.measureText(text).width <= room };
  });
}

describe('the popup in Spanish', () => {
  it.each([
    ['wide', undefined],
    ['400 px', 400],
  ] as const)('shows the whole "Todas las bandejas" label with its unread count (%s)', async (_name, width) => {
    const popup = await world.openPopup(width ? { width, query: '?layout=fluid' } : {});
    await popup.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
    await expect
      .poll(() => switcherFits(popup), { timeout: 10_000 })
      .toEqual({ text: expect.stringMatching(/^Todas las bandejas \(\d+\)$/), fits: true });
    await popup.close();
  });
});
