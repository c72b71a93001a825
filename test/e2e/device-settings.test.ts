// Issue 13, settings of this browser only (options → "This browser"), in real Chromium with the
// real relay and Dovecot:
// - Popup size, compact or wide: the popup paints at the chosen size from its first frame (read
//   synchronously from the options page's mirror), both fit Chrome's 800×600 popup limit, and the
//   list and message view have no horizontal scrollbar or clipped content at either size.
// - "Keep no mail on this device": switching it on wipes the mail cache from IndexedDB at once,
//   and listing and opening mail afterwards puts no subject or body text there.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POPUP_DIMENSIONS, type PopupSize } from '../../extension/core/device-settings.js';
import { workInbox } from './popup-seed.js';
import { dumpProfile, placesHolding } from './profile-dump.js';
import { seedMessages, startPopupWorld, type PopupWorld } from './popup-world.js';
import { backToList, openMessage } from './security-support.js';

/** Chrome's largest popup: the tab is this big, so the popup's own size is what shows. */
const CHROME_POPUP_MAX = { width: 800, height: 600 };
const WIDE_TABLE_SUBJECT = 'Newsletter with a wide table';
const CANARY_SUBJECT = 'Canary subject 7f3e9a';
const CANARY_BODY = 'Canary body text 51c0d2';
const LATER_SUBJECT = 'Later canary subject 0b84e1';
const LATER_BODY = 'Later canary body 9d27aa';

let world: PopupWorld;
let options: Page;

beforeAll(async () => {
  world = await startPopupWorld({
    seed: async (dovecot, [user]) => {
      const now = Date.now();
      await seedMessages(dovecot, user!, [
        ...workInbox('', now - 3_600_000),
        {
          subject: WIDE_TABLE_SUBJECT,
          html: `<table width="720" style="width:720px"><tr><td>${'Quarterly figures '.repeat(20)}</td><td>Right column</td></tr></table>`,
        },
        { subject: CANARY_SUBJECT, text: CANARY_BODY },
      ]);
    },
  });
  options = await world.browser.openPage('options.html');
  await options.getByTestId('section-this-browser').waitFor({ timeout: 15_000 });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

/** The stored device settings, read from the options page. */
async function stored(): Promise<{ popupSize?: string; keepNoMail?: boolean } | undefined> {
  return (await options.evaluate(
    `chrome.storage.local.get('tidings.device.v1').then((s) => s['tidings.device.v1'])`,
  )) as { popupSize?: string; keepNoMail?: boolean } | undefined;
}

/** Chooses a size as the user would (a no-op when it is already chosen) and waits until it is stored. */
async function choose(size: PopupSize): Promise<void> {
  await options.getByTestId(`popup-size-${size}`).check();
  if (size !== 'wide' || (await stored()) !== undefined)
    await expect.poll(async () => (await stored())?.popupSize, { timeout: 10_000 }).toBe(size);
}

interface Measured {
  layout: string | null;
  width: number;
  height: number;
  /** The document's scroll size: what Chrome sizes the popup window to. */
  document: { width: number; height: number };
  /** `navigate` for a first load, `reload` when the popup had to re-open at another size. */
  navigation: string;
  overflowing: string[];
}

/** The popup's box, how it was loaded, and what overflows sideways (page-side). */
async function measure(popup: Page): Promise<Measured> {
  return (await popup.evaluate(`(() => {
    const root = document.querySelector('[data-testid="popup"]');
    const box = root.getBoundingClientRect();
    const overflowing = [];
    for (const el of [root, ...root.querySelectorAll('*')]) {
      const style = getComputedStyle(el);
      const name = el.getAttribute('data-testid') || el.localName + '.' + String(el.className).slice(0, 40);
      if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && el.scrollWidth > el.clientWidth + 1)
        overflowing.push('scrolls sideways: ' + name);
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden' || rect.right <= box.right + 1)
        continue;
      // Cut off on purpose inside the popup (an ellipsis, a clipped preview) is not sticking out.
      let clipped = false;
      for (let up = el.parentElement; up && up !== root && !clipped; up = up.parentElement)
        clipped = getComputedStyle(up).overflowX !== 'visible' && up.getBoundingClientRect().right <= box.right + 1;
      if (!clipped) overflowing.push('sticks out ' + Math.round(rect.right - box.right) + 'px: ' + name);
    }
    return {
      layout: root.getAttribute('data-layout'),
      width: Math.round(box.width),
      height: Math.round(box.height),
      document: { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight },
      navigation: performance.getEntriesByType('navigation')[0].type,
      overflowing,
    };
  })()`)) as Measured;
}

async function openSizedPopup(): Promise<Page> {
  const popup = await world.openPopup(CHROME_POPUP_MAX);
  await popup.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
  return popup;
}

describe('popup size (compact or wide)', () => {
  for (const size of ['wide', 'compact'] as const) {
    it(`${size}: the popup is ${POPUP_DIMENSIONS[size].width}×${POPUP_DIMENSIONS[size].height} from its first paint, and the list and a message fit`, async () => {
      await choose(size);
      const popup = await openSizedPopup();
      const list = await measure(popup);
      expect(list).toMatchObject({
        layout: size,
        width: POPUP_DIMENSIONS[size].width,
        height: POPUP_DIMENSIONS[size].height,
        // Painted at this size at once: no reload to correct it.
        navigation: 'navigate',
        overflowing: [],
      });
      expect(list.document.width).toBeLessThanOrEqual(CHROME_POPUP_MAX.width);
      expect(list.document.height).toBeLessThanOrEqual(CHROME_POPUP_MAX.height);

      // With a selection the toolbar holds the most: the count and "Clear selection".
      await popup.getByTestId('message-list').focus();
      for (const key of ['x', 'j', 'x']) await popup.keyboard.press(key);
      await popup.getByTestId('selected-count').waitFor();
      expect(await measure(popup)).toMatchObject({ layout: size, overflowing: [] });
      await popup.keyboard.press('Escape');

      for (const subject of [WIDE_TABLE_SUBJECT, 'Q3 roadmap review — notes']) {
        await openMessage(popup, subject);
        expect(await measure(popup)).toMatchObject({ layout: size, overflowing: [] });
        await backToList(popup);
      }
      await popup.close();
    });
  }

  it('repairs a lost mirror from storage: the popup re-opens once at the stored size', async () => {
    await choose('compact');
    await options.evaluate(`localStorage.removeItem('tidings.popupSize')`);
    const popup = await world.openPopup(CHROME_POPUP_MAX);
    await expect
      .poll(
        async () => popup.evaluate(`document.querySelector('[data-testid="popup"]')?.getAttribute('data-layout')`),
        {
          timeout: 10_000,
        },
      )
      .toBe('compact');
    expect(await popup.evaluate(`localStorage.getItem('tidings.popupSize')`)).toBe('compact');
    await popup.close();
    await choose('wide');
  });

  it('?layout=fluid still fills the tab whatever the setting', async () => {
    await choose('compact');
    const popup = await world.openPopup({ width: 520, height: 500, query: '?layout=fluid' });
    await popup.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
    expect(await measure(popup)).toMatchObject({ layout: 'fluid', width: 520, height: 500, overflowing: [] });
    await popup.close();
    await choose('wide');
  });
});

describe('keep no mail on this device', () => {
  async function placesOf(...needles: string[]): Promise<string[]> {
    const dump = await dumpProfile(world.browser, options);
    return needles.flatMap((needle) => placesHolding(dump, needle).map((where) => `${needle} in ${where}`));
  }

  it('(control) with the setting off, the cache keeps subjects and bodies in IndexedDB', async () => {
    const popup = await openSizedPopup();
    await openMessage(popup, CANARY_SUBJECT);
    await popup.close();
    await expect
      .poll(() => placesOf(CANARY_SUBJECT, CANARY_BODY), { timeout: 10_000 })
      .toEqual(
        expect.arrayContaining([
          `${CANARY_SUBJECT} in indexedDB tidings-cache/lists`,
          `${CANARY_BODY} in indexedDB tidings-cache/bodies`,
        ]),
      );
  });

  it('switching it on wipes the stored cache at once; later lists and messages stay out of IndexedDB', async () => {
    await options.getByTestId('keep-no-mail').check();
    await options.locator('[data-testid="device-save-status"][data-state="saved"]').waitFor({ timeout: 10_000 });
    await expect.poll(() => placesOf(CANARY_SUBJECT, CANARY_BODY), { timeout: 5_000 }).toEqual([]);

    await seedMessages(world.dovecot, world.accounts[0].user, [{ subject: LATER_SUBJECT, text: LATER_BODY }], {
      newestAt: Date.now(),
    });
    const popup = await openSizedPopup();
    await openMessage(popup, LATER_SUBJECT);
    await backToList(popup);
    await openMessage(popup, CANARY_SUBJECT);
    // The mail is still there for the user: from memory and the relay.
    await expect
      .poll(() => popup.getByTestId('message-view').textContent(), { timeout: 10_000 })
      .toContain(CANARY_BODY);
    await popup.close();
    // Give queued cache writes time to land (they would, within milliseconds, if any went to disk).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await placesOf(CANARY_SUBJECT, CANARY_BODY, LATER_SUBJECT, LATER_BODY)).toEqual([]);

    // A worker restart (Chrome stops idle workers) reads the setting before any write.
    await world.browser.stopServiceWorker();
    const again = await openSizedPopup();
    await openMessage(again, LATER_SUBJECT);
    await again.close();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await placesOf(CANARY_SUBJECT, CANARY_BODY, LATER_SUBJECT, LATER_BODY)).toEqual([]);
  });
});
