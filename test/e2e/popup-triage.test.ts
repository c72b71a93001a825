// End to end in real Chromium with the built extension, the real relay and a private Dovecot:
// the popup lists the seeded mail newest first, opens HTML and plain messages, and every triage
// action — by button and by key — changes the server, as a separate IMAP client sees it. Undo
// restores, bulk archive moves 20 messages, search finds by subject, the unified inbox merges
// two accounts.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectImap } from '../harness/mail.js';
import { readFileSync } from 'node:fs';
import { personalInbox, TINY_PNG_BASE64, withAttachment, workInbox } from './popup-seed.js';
import { locate, POPUP_SIZE, seedMessages, startPopupWorld, type PopupWorld } from './popup-world.js';

let world: PopupWorld;
let popup: Page;

/** Subjects that the tests act on, each used by one test only (so tests stay independent). */
const TARGETS = [
  'Archive me by button',
  'Archive me by key',
  'Delete me by button',
  'Delete me by key',
  'Junk me by button',
  'Junk me by key',
  'Flag me by button',
  'Flag me by key',
  'Read me by button',
  'Read me by key',
  'Move me by button',
  'Move me by key',
  'Undo my archive',
  'Undo my delete by key',
  'Plain text letter',
  'HTML newsletter',
] as const;
const BULK = Array.from({ length: 20 }, (_, i) => `Bulk notification ${String(i + 1).padStart(2, '0')}`);

beforeAll(async () => {
  world = await startPopupWorld({
    accounts: ['Work', 'Personal'],
    seed: async (dovecot, [work, personal]) => {
      const now = Date.now();
      await using client = await connectImap(dovecot, work!);
      await client.mailboxCreate('Projects');
      await seedMessages(dovecot, work!, workInbox('', now - 3 * 3_600_000));
      await seedMessages(
        dovecot,
        work!,
        BULK.map((subject) => ({
          subject,
          from: 'Build Bot <ci@northwind.example>',
          text: `Build ${subject} passed.`,
        })),
        { newestAt: now - 2 * 3_600_000 },
      );
      const photoDate = new Date(now - 100 * 60_000);
      await seedMessages(dovecot, work!, [
        {
          date: photoDate,
          raw: withAttachment({
            from: 'Jonas Weber <jonas@contoso.example>',
            to: `${work!.username}@example.test`,
            subject: 'Site photos',
            text: 'The photo from the site visit is attached.',
            filename: 'site visit.png',
            contentType: 'image/png',
            base64: TINY_PNG_BASE64,
            date: photoDate,
          }),
        },
        {
          date: photoDate,
          raw: withAttachment({
            from: 'Jonas Weber <jonas@contoso.example>',
            to: `${work!.username}@example.test`,
            subject: 'Contract bundle',
            text: 'The signed contract is in the archive.',
            // A Windows device name: the browser would refuse it, so it is saved as "_CON.zip".
            filename: 'CON.zip',
            contentType: 'application/zip',
            base64: Buffer.from('PK\x05\x06' + '\0'.repeat(18), 'binary').toString('base64'),
            date: photoDate,
          }),
        },
      ]);
      await seedMessages(
        dovecot,
        work!,
        TARGETS.map((subject) =>
          subject === 'HTML newsletter'
            ? {
                subject,
                // A long address: the "Always for …" button must show it whole.
                from: 'Newsletter <newsletter@theverge-weekly-digest.example.org>',
                html: '<h1>Monthly digest</h1><p>Three things that happened this month.</p><p><img src="https://images.example.invalid/banner.png" alt="banner"></p>',
              }
            : { subject, from: 'Dana Scully <dana@example.org>', text: `This is "${subject}".\nSecond line.` },
        ),
        { newestAt: now - 60_000 },
      );
      await seedMessages(dovecot, personal!, personalInbox(now - 3_600_000));
    },
  });
  popup = await world.openPopup();
  await popup.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
});

afterAll(async () => {
  await world?.close();
});

/** Each test starts on the plain list: no open message, dialog, search or selection. */
beforeEach(async () => {
  if ((await popup.getByTestId('back-button').count()) > 0) await popup.getByTestId('back-button').click();
  if ((await popup.getByRole('dialog').count()) > 0) await popup.keyboard.press('Escape');
  if ((await popup.getByTestId('search-clear').count()) > 0) await popup.getByTestId('search-clear').click();
  await popup.getByTestId('message-list').waitFor();
  await clearSelection();
});

const work = () => world.accounts[0]!;

/** The parts of the extension API the driver calls in the service worker (not typed here). */
declare const chrome: {
  downloads: { search(query: object): Promise<{ state: string; error?: string; filename: string }[]> };
};

/** UI state settles within a few seconds (relay round trips); vitest's default poll is 1 s. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 5_000, interval: 50 });

function row(subject: string): Locator {
  return popup
    .getByTestId('message-row')
    .filter({ has: popup.getByTestId('row-subject').getByText(subject, { exact: true }) });
}

/** Esc clears a selection left by a flag or read action (those keep the selection, as mail apps do). */
async function clearSelection(): Promise<void> {
  if ((await popup.getByTestId('selected-count').count()) > 0) {
    await popup.getByTestId('message-list').focus();
    await popup.keyboard.press('Escape');
  }
}

/** Every row of the list in order (virtualized: scrolls through it), as {subject, account}. */
async function allRows(): Promise<{ subject: string; accountId: string; key: string }[]> {
  const list = popup.getByTestId('message-list');
  const seen = new Map<string, { subject: string; accountId: string; key: string; top: number }>();
  await list.evaluate((el) => (el.scrollTop = 0));
  for (;;) {
    const rows = await popup.getByTestId('message-row').evaluateAll((els) =>
      els.map((el) => ({
        subject: el.querySelector('[data-testid=row-subject]')?.textContent ?? '',
        accountId: el.getAttribute('data-account-id') ?? '',
        key: el.id,
        top: Number(el.getAttribute('data-index')),
      })),
    );
    for (const r of rows) seen.set(r.key, r);
    const done = await list.evaluate((el) => {
      const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
      el.scrollTop += el.clientHeight;
      return atEnd;
    });
    if (done) break;
    await popup.waitForTimeout(50);
  }
  await list.evaluate((el) => (el.scrollTop = 0));
  return [...seen.values()].sort((a, b) => a.top - b.top);
}

/** Puts the keyboard focus on a row without opening it: tick it (focus + select), untick with x. */
async function focusRow(subject: string): Promise<void> {
  await clearSelection();
  await row(subject).getByTestId('row-select').click();
  await poll(() => row(subject).getAttribute('data-active')).toBe('true');
  await popup.keyboard.press('x');
  await poll(() => row(subject).getAttribute('data-selected')).toBe('false');
}

/** Waits until the server has the message with `subject` exactly once, in `mailbox`. */
async function serverHas(subject: string, predicate: (found: { mailbox: string; flags: string[] }) => boolean) {
  await expect
    .poll(
      async () => {
        const found = await locate(world.dovecot, work().user, subject);
        return found.length === 1 && predicate(found[0]!);
      },
      { timeout: 10_000, interval: 200 },
    )
    .toBe(true);
}

const inMailbox = (mailbox: string) => (f: { mailbox: string }) => f.mailbox === mailbox;

describe('the popup list', () => {
  it('shows the seeded messages of both accounts, newest first', async () => {
    const rows = await allRows();
    const subjects = rows.map((r) => r.subject);
    // The targets were seeded last, one minute apart: the newest first.
    expect(subjects.slice(0, TARGETS.length)).toEqual([...TARGETS].reverse());
    // Unified inbox: Personal's mail (an hour old) sits between the targets and the bulk mail.
    const personal = world.accounts[1]!.id;
    const firstPersonal = rows.findIndex((r) => r.accountId === personal);
    expect(firstPersonal).toBe(TARGETS.length);
    expect(subjects[firstPersonal]).toBe('Climbing on Saturday?');
    expect(new Set(rows.map((r) => r.accountId))).toEqual(new Set(world.accounts.map((a) => a.id)));
    // 52 messages: the first page of 50 plus two more loaded while scrolling (nextCursor).
    expect(rows).toHaveLength(TARGETS.length + BULK.length + 11 + 4 + 2);
    expect(await popup.getByTestId('account-switcher').locator('option').count()).toBe(3);
  });

  it('renders the rows in view first and the overscan rows after that first frame', async () => {
    const page = await world.browser.context.newPage();
    try {
      await page.setViewportSize(POPUP_SIZE);
      // The number of rows in the DOM when the first one appears (a string: tsx's helpers do
      // not exist in the page).
      await page.addInitScript({
        content: `new MutationObserver((_, observer) => {
          const rows = document.querySelectorAll('[data-testid=message-row]').length;
          if (rows > 0) { window.__firstRows = rows; observer.disconnect(); }
        }).observe(document, { subtree: true, childList: true });`,
      });
      await page.goto(`${world.browser.origin}/popup.html`);
      const rowsNow = () => page.getByTestId('message-row').count();
      await poll(rowsNow).toBeGreaterThan(0);
      const first = await page.evaluate(() => (globalThis as { __firstRows?: number }).__firstRows);
      // The rows the list's height shows (60 px each, one partly hidden); then 8 more below.
      const inView = Math.ceil((await page.getByTestId('message-list').evaluate((el) => el.clientHeight)) / 60) + 1;
      await poll(rowsNow).toBe(inView + 8);
      // At most one more: the first frame may size the list by its default height (480 px).
      expect(first).toBeLessThanOrEqual(inView + 1);
    } finally {
      await page.close();
    }
  });

  it("draws every icon, and the read button's again when the focused row calls for the other", async () => {
    // Icon.svelte draws each icon's shapes from the table in icons.ts: none in view is empty.
    const shapes = await popup
      .locator('header svg, [data-testid=list-toolbar] svg, [data-testid=message-row] svg')
      .evaluateAll((svgs) => svgs.map((svg) => svg.childElementCount));
    expect(shapes.length).toBeGreaterThan(8);
    expect(shapes.filter((n) => n === 0)).toEqual([]);
    // The read button shows "mark unread" (mail) on a read row and "mark read" (mail open) on
    // an unread one: its svg is redrawn when the icon changes.
    const readIcon = () =>
      popup
        .getByTestId('action-read')
        .locator('svg > *')
        .evaluateAll((els) => els.map((el) => el.tagName));
    await popup.getByTestId('account-switcher').selectOption(world.accounts[1]!.id);
    try {
      await focusRow('Your bike is ready for pickup');
      expect(await row('Your bike is ready for pickup').getAttribute('data-seen')).toBe('true');
      // icons.ts: "mail" is a rect (the envelope) and a path (its flap); "mailOpen" two paths.
      await poll(readIcon).toEqual(['rect', 'path']);
      await focusRow('Climbing on Saturday?');
      expect(await row('Climbing on Saturday?').getAttribute('data-seen')).toBe('false');
      await poll(readIcon).toEqual(['path', 'path']);
    } finally {
      await popup.getByTestId('account-switcher').selectOption('');
      await row('HTML newsletter').waitFor();
    }
  });

  it('switches to one account and back to the unified inbox', async () => {
    await popup.getByTestId('account-switcher').selectOption(world.accounts[1]!.id);
    await poll(() => row('Climbing on Saturday?').count()).toBe(1);
    const ids = await popup
      .getByTestId('message-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-account-id')));
    expect(new Set(ids)).toEqual(new Set([world.accounts[1]!.id]));
    await popup.getByTestId('account-switcher').selectOption('');
    await row('HTML newsletter').waitFor();
  });

  it('opens a plain-text and an HTML message', async () => {
    await row('Plain text letter').click();
    await poll(() => popup.getByTestId('message-view').getAttribute('data-state')).toBe('ready');
    await poll(() => popup.getByTestId('message-text').textContent()).toContain('This is "Plain text letter".');
    await popup.keyboard.press('Escape');
    await row('HTML newsletter').click();
    await popup.getByTestId('message-frame').waitFor();
    const frame = popup.frameLocator('[data-testid=message-frame]');
    await poll(() => frame.locator('body').textContent()).toContain('Three things that happened this month.');
    // Remote images are blocked until asked for; "always" remembers the sender in the relay's settings.
    await popup.getByTestId('remote-content-bar').waitFor();
    const always = popup.getByTestId('show-images-always');
    expect(await always.textContent()).toContain('newsletter@theverge-weekly-digest.example.org');
    // Wrapped, not cut off: nothing overflows the button or the bar.
    expect(
      await always.evaluate((b) => [b, ...b.querySelectorAll('*')].every((e) => e.scrollWidth <= e.clientWidth)),
    ).toBe(true);
    expect(await always.evaluate((b) => b.getBoundingClientRect().right)).toBeLessThanOrEqual(
      await popup.getByTestId('remote-content-bar').evaluate((bar) => bar.getBoundingClientRect().right),
    );
    await always.click();
    await poll(() => popup.getByTestId('remote-content-bar').count()).toBe(0);
    await popup.getByTestId('back-button').click();
    await popup.getByTestId('message-list').waitFor();
    await row('HTML newsletter').click();
    await popup.getByTestId('message-frame').waitFor();
    expect(await popup.getByTestId('remote-content-bar').count()).toBe(0);
    await popup.getByTestId('back-button').click();
    await popup.getByTestId('message-list').waitFor();
    // Opening marked both read on the server.
    await serverHas('Plain text letter', (f) => f.flags.includes('\\Seen'));
    await serverHas('HTML newsletter', (f) => f.flags.includes('\\Seen'));
  });
});

describe('triage actions change the server', () => {
  const byButton = async (subject: string, action: string) => {
    await clearSelection();
    await row(subject).getByTestId('row-select').click();
    await popup.getByTestId(`action-${action}`).click();
  };
  const byKey = async (subject: string, key: string) => {
    await focusRow(subject);
    await popup.keyboard.press(key);
  };

  it('archive: button and e', async () => {
    await byButton('Archive me by button', 'archive');
    await poll(() => row('Archive me by button').count()).toBe(0);
    await byKey('Archive me by key', 'e');
    await serverHas('Archive me by button', inMailbox('Archive'));
    await serverHas('Archive me by key', inMailbox('Archive'));
  });

  it('delete: button and #', async () => {
    await byButton('Delete me by button', 'delete');
    await byKey('Delete me by key', '#');
    await serverHas('Delete me by button', inMailbox('Trash'));
    await serverHas('Delete me by key', inMailbox('Trash'));
  });

  it('junk: button and !', async () => {
    await byButton('Junk me by button', 'junk');
    await byKey('Junk me by key', '!');
    await serverHas('Junk me by button', inMailbox('Junk'));
    await serverHas('Junk me by key', inMailbox('Junk'));
  });

  it('flag: button and s', async () => {
    await byButton('Flag me by button', 'flag');
    await byKey('Flag me by key', 's');
    await serverHas('Flag me by button', (f) => f.mailbox === 'INBOX' && f.flags.includes('\\Flagged'));
    await serverHas('Flag me by key', (f) => f.mailbox === 'INBOX' && f.flags.includes('\\Flagged'));
    expect(await row('Flag me by key').getAttribute('data-flagged')).toBe('true');
    // s again unflags.
    await popup.keyboard.press('s');
    await serverHas('Flag me by key', (f) => !f.flags.includes('\\Flagged'));
  });

  it('read: the button toggles \\Seen, Shift+I marks read and Shift+U unread (Gmail)', async () => {
    await byButton('Read me by button', 'read');
    await byKey('Read me by key', 'Shift+I');
    await serverHas('Read me by button', (f) => f.flags.includes('\\Seen'));
    await serverHas('Read me by key', (f) => f.flags.includes('\\Seen'));
    await popup.keyboard.press('Shift+U');
    await serverHas('Read me by key', (f) => !f.flags.includes('\\Seen'));
    // The row converges on the server's state: a push of the earlier "read" can land after the
    // optimistic "unread" (seen once in a full run), and the settled action's own push follows it.
    await poll(() => row('Read me by key').getAttribute('data-seen')).toBe('false');
  });

  it('move: button and v, picking the folder by typing', async () => {
    await byButton('Move me by button', 'move');
    await popup.getByTestId('move-dialog').waitFor();
    await popup.getByTestId('move-filter').fill('proj');
    await popup.getByTestId('move-option').filter({ hasText: 'Projects' }).click();
    await byKey('Move me by key', 'v');
    await popup.getByTestId('move-filter').waitFor();
    await popup.keyboard.type('Proj');
    await popup.keyboard.press('Enter');
    await serverHas('Move me by button', inMailbox('Projects'));
    await serverHas('Move me by key', inMailbox('Projects'));
  });

  it('undo brings an archived message back (button) and a deleted one (z)', async () => {
    await byButton('Undo my archive', 'archive');
    await serverHas('Undo my archive', inMailbox('Archive'));
    await popup.getByTestId('undo-button').click();
    await serverHas('Undo my archive', inMailbox('INBOX'));
    await poll(() => row('Undo my archive').count()).toBe(1);
    await byKey('Undo my delete by key', '#');
    await serverHas('Undo my delete by key', inMailbox('Trash'));
    await popup.keyboard.press('z');
    await serverHas('Undo my delete by key', inMailbox('INBOX'));
    await poll(() => row('Undo my delete by key').count()).toBe(1);
  });

  it('bulk-archives 20 selected messages', async () => {
    await popup.getByTestId('search-input').fill('subject:"Bulk notification"');
    await popup.getByTestId('search-input').press('Enter');
    await poll(() => popup.getByTestId('message-list').getAttribute('data-row-count')).toBe('20');
    await popup.getByTestId('message-list').focus();
    await popup.keyboard.press('Home');
    for (let i = 0; i < 20; i++) {
      await popup.keyboard.press('x');
      await popup.keyboard.press('j');
    }
    await poll(() => popup.getByTestId('selected-count').textContent()).toContain('20');
    await popup.keyboard.press('e');
    await poll(() => popup.getByTestId('list-empty').count()).toBe(1);
    await expect
      .poll(
        async () => {
          await using client = await connectImap(world.dovecot, work().user);
          const count = async (mailbox: string) => {
            const lock = await client.getMailboxLock(mailbox);
            try {
              const uids = await client.search({ header: { subject: 'Bulk notification' } }, { uid: true });
              return uids ? uids.length : -1;
            } finally {
              lock.release();
            }
          };
          return { archived: await count('Archive'), leftInInbox: await count('INBOX') };
        },
        { timeout: 15_000, interval: 300 },
      )
      .toEqual({ archived: 20, leftInInbox: 0 });
    await popup.keyboard.press('Escape');
  });

  it('search finds a message by subject on the server', async () => {
    await popup.keyboard.press('/');
    await poll(() => popup.getByTestId('search-input').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(
      true,
    );
    await popup.keyboard.type('Invoice 2024-117');
    await popup.keyboard.press('Enter');
    await poll(() => popup.getByTestId('row-subject').allTextContents()).toEqual(['Invoice 2024-117 for November']);
    // Esc in the field clears the search and shows the whole list again.
    await popup.keyboard.press('Escape');
    await poll(() => popup.getByTestId('search-input').inputValue()).toBe('');
    // The list is virtualised and keeps its scroll position: the newest row is at the top.
    await popup.getByTestId('message-list').evaluate((el) => (el.scrollTop = 0));
    await row('HTML newsletter').waitFor();
  });

  it('shows the keyboard shortcuts with ?, and shortcuts do not fire while typing', async () => {
    await popup.keyboard.press('?');
    await popup.getByTestId('shortcut-help').waitFor();
    await popup.keyboard.press('Escape');
    await poll(() => popup.getByTestId('shortcut-help').count()).toBe(0);
    const before = await popup.getByTestId('message-row').count();
    await popup.getByTestId('search-input').focus();
    await popup.keyboard.type('e#!');
    expect(await popup.getByTestId('search-input').inputValue()).toBe('e#!');
    expect(await popup.getByTestId('message-row').count()).toBe(before);
    await popup.getByTestId('search-input').press('Escape');
  });
});

describe('attachments', () => {
  it('previews a PNG and downloads it through the browser from the relay', async () => {
    await popup.getByTestId('search-input').fill('Site photos');
    await popup.getByTestId('search-input').press('Enter');
    await row('Site photos').click();
    await popup.getByTestId('attachment').first().waitFor();
    // A human label and an icon for the kind of file, not "image/png".
    expect(await popup.getByTestId('attachment-type').textContent()).toBe('Image');
    expect(await popup.getByTestId('attachment-icon').getAttribute('data-kind')).toBe('image');
    expect(await popup.getByTestId('attachment-icon').locator('svg').count()).toBe(1);
    await popup.getByTestId('attachment-preview').click();
    const src = await popup.getByTestId('attachment-preview-image').getAttribute('src');
    expect(src).toBe(`data:image/png;base64,${TINY_PNG_BASE64}`);
    await popup.getByTestId('attachment-download').click();
    // The download says where it went (the name the browser was given).
    await popup.getByTestId('attachment-saved').waitFor();
    expect(await popup.getByTestId('attachment-saved').textContent()).toContain('Saved as site visit.png');
    const worker = await world.browser.serviceWorker();
    await poll(async () =>
      worker.evaluate(async () => {
        const items = await chrome.downloads.search({});
        return items.map((d) => ({ state: d.state, error: d.error ?? null }));
      }),
    ).toEqual([{ state: 'complete', error: null }]);
    // (Playwright's download handling names the file by a GUID, so only the bytes are compared.)
    const [file] = await worker.evaluate(async () => (await chrome.downloads.search({})).map((d) => d.filename));
    expect(readFileSync(file!).toString('base64')).toBe(TINY_PNG_BASE64);
    await popup.keyboard.press('Escape');
    await popup.getByTestId('search-clear').click();
    await row('HTML newsletter').waitFor();
  });

  it('labels a ZIP archive and says when a refused name was saved under another one', async () => {
    await popup.getByTestId('search-input').fill('Contract bundle');
    await popup.getByTestId('search-input').press('Enter');
    await row('Contract bundle').click();
    await popup.getByTestId('attachment').first().waitFor();
    expect(await popup.getByTestId('attachment-type').textContent()).toBe('ZIP archive');
    expect(await popup.getByTestId('attachment-icon').getAttribute('data-kind')).toBe('zip');
    await popup.getByTestId('attachment-download').click();
    await popup.getByTestId('attachment-saved').waitFor();
    expect(await popup.getByTestId('attachment-saved').textContent()).toContain('Saved as _CON.zip (renamed');
    const worker = await world.browser.serviceWorker();
    await poll(async () =>
      worker.evaluate(async () =>
        (await chrome.downloads.search({ orderBy: ['-startTime'], limit: 1 })).map((d) => d.state),
      ),
    ).toEqual(['complete']);
    // Room below the last Download button, so it scrolls clear of a toast at the bottom edge.
    const section = (await popup.getByTestId('attachment-list').boundingBox())!;
    const button = (await popup.getByTestId('attachment-download').boundingBox())!;
    expect(section.y + section.height - (button.y + button.height)).toBeGreaterThanOrEqual(48);
    await popup.keyboard.press('Escape');
    await popup.getByTestId('search-clear').click();
    await row('HTML newsletter').waitFor();
  });
});
