// Issue 8, "two profiles in step": two Chromium profiles — two instances of the built extension,
// each paired with the relay through its own options page — watch one account. A message read
// in one is shown read in the other, badge included, within 1.5 s; a message archived in one
// leaves the other's list. Nothing is polled: the other profile learns it from the relay's push.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionBrowser } from '../harness/chromium.js';
import { pairFromOptions } from '../harness/options-page.js';
import { runRelayCli } from '../harness/relay.js';
import { workInbox } from './popup-seed.js';
import { extensionDir, locate, POPUP_SIZE, seedMessages, startPopupWorld, type PopupWorld } from './popup-world.js';

const READ_TARGET = 'Read me in one profile';
const ARCHIVE_TARGET = 'Archive me in one profile';
/** The issue's promise; asserted with a generous margin (timing is the benchmarks' business). */
const IN_STEP_MS = 1_500;
const POLL = { timeout: IN_STEP_MS * 4, interval: 20 } as const;

let world: PopupWorld;
let other: ExtensionBrowser;
let popupA: Page;
let popupB: Page;

const row = (page: Page, subject: string) =>
  page.getByTestId('message-row').filter({ has: page.getByTestId('row-subject').getByText(subject, { exact: true }) });

async function openPopup(browser: ExtensionBrowser): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize(POPUP_SIZE);
  await page.goto(`${browser.origin}/popup.html`);
  return page;
}

beforeAll(async () => {
  world = await startPopupWorld({
    seed: async (dovecot, [user]) => {
      const now = Date.now();
      await seedMessages(dovecot, user!, workInbox('', now - 3_600_000));
      await seedMessages(
        dovecot,
        user!,
        [
          { subject: ARCHIVE_TARGET, from: 'Fox Mulder <fox@example.org>', text: 'Archive me.' },
          { subject: READ_TARGET, from: 'Dana Scully <dana@example.org>', text: 'Read me.' },
        ],
        { newestAt: now - 60_000 },
      );
    },
  });
  // The second profile: its own user-data directory, paired through its own options page.
  other = await launchExtension({ extensionDir: extensionDir() });
  await (await pairFromOptions(other, world.relay)).close();
  popupA = await world.openPopup();
  popupB = await openPopup(other);
  await row(popupA, READ_TARGET).waitFor({ timeout: 20_000 });
  await row(popupB, READ_TARGET).waitFor({ timeout: 20_000 });
});

afterAll(async () => {
  await other?.close();
  await world?.close();
});

describe('two profiles paired to one relay', () => {
  it('are two devices of the relay', async () => {
    expect(other.userDataDir).not.toBe(world.browser.userDataDir);
    const devices = await runRelayCli(['devices', 'list'], { dataDir: world.relay.dataDir });
    // A header and one line per paired browser, none revoked.
    const lines = devices.stdout.trim().split('\n').slice(1);
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.includes(world.browser.origin))).toBe(true);
    // Both badges show the same unread count before anything happens.
    const a = await world.browser.waitForBadge((text) => /^\d+$/.test(text));
    expect(await other.waitForBadge((text) => text === a)).toBe(a);
  });

  it('read in one: the other shows it read, badge included, within 1.5 s', async () => {
    const unreadBefore = Number(await other.waitForBadge((text) => /^\d+$/.test(text)));
    expect(await row(popupB, READ_TARGET).getAttribute('data-seen')).toBe('false');
    await row(popupA, READ_TARGET).getByTestId('row-select').click();
    const started = Date.now();
    await popupA.getByTestId('action-read').click();
    const [listMs, badgeMs] = await Promise.all([
      expect
        .poll(() => row(popupB, READ_TARGET).getAttribute('data-seen'), POLL)
        .toBe('true')
        .then(() => Date.now() - started),
      other.waitForBadge((text) => text === String(unreadBefore - 1), POLL.timeout).then(() => Date.now() - started),
    ]);
    console.log(`issue 8 figure: read in one profile → the other's list ${listMs} ms, badge ${badgeMs} ms`);
    expect(Math.max(listMs, badgeMs)).toBeLessThan(IN_STEP_MS * 4);
    expect(await world.browser.badgeText()).toBe(String(unreadBefore - 1));
    await popupA.keyboard.press('Escape');
  });

  it('archived in one: gone from the other', async () => {
    await row(popupA, ARCHIVE_TARGET).getByTestId('row-select').click();
    const started = Date.now();
    await popupA.getByTestId('action-archive').click();
    await expect.poll(() => row(popupA, ARCHIVE_TARGET).count(), POLL).toBe(0);
    const [serverMs, otherMs] = await Promise.all([
      expect
        .poll(async () => (await locate(world.dovecot, world.accounts[0].user, ARCHIVE_TARGET)).map((f) => f.mailbox), {
          ...POLL,
          interval: 100,
        })
        .toEqual(['Archive'])
        .then(() => Date.now() - started),
      expect
        .poll(() => row(popupB, ARCHIVE_TARGET).count(), POLL)
        .toBe(0)
        .then(() => Date.now() - started),
    ]);
    console.log(
      `issue 8 figure: archived in one profile → on the server ${serverMs} ms, gone from the other ${otherMs} ms`,
    );
    // Reopened, the other profile's list (from its cache, then the relay) still agrees.
    await popupB.close();
    popupB = await openPopup(other);
    await row(popupB, READ_TARGET).waitFor({ timeout: 10_000 });
    expect(await row(popupB, ARCHIVE_TARGET).count()).toBe(0);
    expect(await row(popupB, READ_TARGET).getAttribute('data-seen')).toBe('true');
  });
});
