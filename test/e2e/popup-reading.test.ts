// End to end in real Chromium with the built extension, the real relay and a private Dovecot:
// reading a message — every inline text part of a multipart/mixed message in the frame (issue 12),
// the PDF preview in a new tab from a blob: URL, and "Open in webmail": a Gmail account (its host
// name aliased to the test Dovecot for the relay, harness/dns-alias.ts) opens the message by its
// Message-ID; a server the provider table does not know has no button.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dnsAliasEnv } from '../harness/dns-alias.js';
import { connectImap, rfc5322Date } from '../harness/mail.js';
import { addAccountViaCli } from '../harness/relay.js';
import { expectNoViolations } from './axe.js';
import { withAttachment } from './popup-seed.js';
import { locate, seedMessages, startPopupWorld, type PopupWorld } from './popup-world.js';

/** The worker's test hooks (background/test-hooks.ts); not typed here. */
declare const tidingsDiagnostics: { hasCachedMessage?: (id: unknown) => Promise<boolean> };

let world: PopupWorld;
let popup: Page;

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

/** Three inline text parts in three charsets, the last one plain + HTML alternatives. */
function threeInlineParts(to: string, date: Date): Buffer {
  const head = crlf(
    [
      `Date: ${rfc5322Date(date)}`,
      'From: Ana <ana@example.org>',
      `To: ${to}`,
      'Subject: Three inline parts',
      'Message-ID: <three-parts@tidings.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="mixed"',
      '',
      '--mixed',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Erster Teil: Grüße aus Köln',
      '--mixed',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Disposition: inline',
      'Content-Transfer-Encoding: 8bit',
      '',
      '',
    ].join('\n'),
  );
  const tail = crlf(
    [
      '',
      '--mixed',
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Third part as plain text',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p><b>Third part</b> in HTML</p>',
      '--alt--',
      '--mixed--',
      '',
    ].join('\n'),
  );
  return Buffer.concat([
    Buffer.from(head, 'utf8'),
    Buffer.from('Segunda parte: café señor', 'latin1'),
    Buffer.from(tail),
  ]);
}

/** A small but real PDF: it starts with the `%PDF-` header. */
const PDF_BYTES = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
/** What a "PDF" from a hostile sender may really be: an HTML page. Never opened, only saved. */
const FAKE_PDF_BYTES = Buffer.from('<html><script>alert(1)</script><p>not a pdf</p></html>');

/** A newsletter laid out for `width` px: a header sized in percent above a fixed-width table. */
function wideMail(width: number): string {
  const story = `<p>A paragraph of the newsletter that wraps inside its fixed-width table cell.</p>`;
  return (
    `<div data-part="header" style="width:100%;background:#0a66c2;color:#fff">Header</div>` +
    `<table data-part="table" width="${width}" cellpadding="0" cellspacing="0"><tr><td>${story.repeat(12)}</td></tr></table>`
  );
}

/** Sizes in the open message's frame document, as the popup sees them (CSS px of the popup). */
interface FrameGeometry {
  frameWidth: number;
  frameHeight: number;
  rootWidth: number;
  rootHeight: number;
  scrollWidth: number;
  scrollHeight: number;
  header: number;
  table: number;
}

async function frameGeometry(): Promise<FrameGeometry> {
  return (await popup.evaluate(`(() => {
    const frame = document.querySelector('[data-testid=message-frame]');
    const doc = frame.contentDocument;
    const rect = (el) => el.getBoundingClientRect();
    return {
      frameWidth: frame.clientWidth,
      frameHeight: frame.clientHeight,
      rootWidth: rect(doc.documentElement).width,
      rootHeight: rect(doc.documentElement).height,
      scrollWidth: doc.scrollingElement.scrollWidth,
      scrollHeight: doc.scrollingElement.scrollHeight,
      header: rect(doc.querySelector('[data-part=header]')).width,
      table: rect(doc.querySelector('[data-part=table]')).width,
    };
  })()`)) as FrameGeometry;
}

const GMAIL_ALIAS = dnsAliasEnv({ 'imap.gmail.com': '127.0.0.1' });

beforeAll(async () => {
  world = await startPopupWorld({
    relayEnv: GMAIL_ALIAS,
    seed: async (dovecot, [user]) => {
      const to = `${user!.username}@example.test`;
      const now = Date.now() - 60_000;
      const attach = (subject: string, filename: string, bytes: Buffer, minutesAgo: number) =>
        withAttachment({
          from: 'Billing <billing@example.org>',
          to,
          subject,
          text: `${subject}, see the attachment.`,
          filename,
          contentType: 'application/pdf',
          base64: bytes.toString('base64'),
          date: new Date(now - minutesAgo * 60_000),
        });
      await seedMessages(dovecot, user!, [
        // The two newest, one above the other (prefetch, issue 10).
        { subject: 'Read me next', html: '<p>The second letter</p>', date: new Date(now + 40_000) },
        { subject: 'Read me first', html: '<p>The first letter</p>', date: new Date(now + 50_000) },
        { raw: attach('Fake PDF attached', 'invoice.pdf', FAKE_PDF_BYTES, 3) },
        { raw: attach('PDF attached', 'report.pdf', PDF_BYTES, 2) },
        { raw: threeInlineParts(to, new Date(now - 60_000)) },
        { subject: 'Wide newsletter', html: wideMail(1000) },
        { subject: 'Very wide newsletter', html: wideMail(2400) },
        { subject: 'Sanitized once', html: '<p style="color:#333">An <b>unread</b> HTML letter</p>' },
        {
          raw: crlf(
            [
              `Date: ${rfc5322Date(new Date(now - 4 * 60_000))}`,
              'From: Mallory <mallory@example.org>',
              `To: ${to}`,
              'Subject: Hostile first part',
              'MIME-Version: 1.0',
              'Content-Type: multipart/mixed; boundary="m"',
              '',
              '--m',
              'Content-Type: text/html; charset=utf-8',
              '',
              '<p>Part one<img src=x onerror="parent.__pwned=1"><script>parent.__pwned=2</script><textarea><!--',
              '--m',
              'Content-Type: text/plain; charset=utf-8',
              'Content-Disposition: inline',
              '',
              'Part two must stay visible',
              '--m--',
              '',
            ].join('\n'),
          ),
        },
      ]);
    },
  });
  // A second account that the relay reaches as imap.gmail.com (the test Dovecot, pinned).
  const gmailUser = await world.dovecot.addUser();
  await seedMessages(world.dovecot, gmailUser, [
    {
      subject: 'Gmail letter',
      from: 'Ben <ben@example.org>',
      text: 'Hi.',
      messageId: '<CAF+x=y/z?q#1@mail.gmail.com>',
    },
  ]);
  await addAccountViaCli(world.relay.dataDir, world.dovecot, gmailUser, {
    name: 'Gmail',
    fingerprint: world.dovecot.fingerprint256,
    extraArgs: ['--host', 'imap.gmail.com'],
    env: GMAIL_ALIAS,
  });
  popup = await world.openPopup();
  await popup.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
});

afterAll(async () => {
  await world?.close();
});

beforeEach(async () => {
  if ((await popup.getByTestId('back-button').count()) > 0) await popup.getByTestId('back-button').click();
  await popup.getByTestId('message-list').waitFor();
});

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 10_000, interval: 100 });

function row(subject: string): Locator {
  return popup
    .getByTestId('message-row')
    .filter({ has: popup.getByTestId('row-subject').getByText(subject, { exact: true }) });
}

describe('inline text parts (issue 12)', () => {
  it('shows all three inline parts, in order and in their charsets, in the sandboxed frame', async () => {
    await row('Three inline parts').click();
    await poll(() => popup.getByTestId('message-frame').getAttribute('data-ready')).toBe('true');
    const frame = popup.frameLocator('[data-testid=message-frame]');
    const parts = frame.locator('.tidings-part');
    await poll(() => parts.allInnerTexts()).toEqual([
      'Erster Teil: Grüße aus Köln',
      'Segunda parte: café señor',
      'Third part in HTML',
    ]);
    // The HTML alternative of the third part, rendered as HTML; its plain twin is not shown too.
    expect(await parts.nth(2).locator('b').textContent()).toBe('Third part');
    expect(await frame.locator('body').innerText()).not.toContain('Third part as plain text');
    // Still the one sandboxed frame with its CSP: no script, nothing else.
    expect(await popup.getByTestId('message-frame').getAttribute('sandbox')).toBe('allow-same-origin');
    expect(await frame.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toContain(
      "default-src 'none'",
    );
    expect(await popup.getByTestId('message-text').count()).toBe(0);
  });
  it("one part's unclosed markup cannot swallow the next part, and nothing in it runs", async () => {
    await row('Hostile first part').click();
    await poll(() => popup.getByTestId('message-frame').getAttribute('data-ready')).toBe('true');
    const frame = popup.frameLocator('[data-testid=message-frame]');
    await poll(() => frame.locator('.tidings-part').count()).toBe(2);
    expect(await frame.locator('.tidings-part').nth(1).innerText()).toBe('Part two must stay visible');
    expect(await frame.locator('script, [onerror]').count()).toBe(0);
    expect(await popup.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
  });
});

describe('opening a message (body_open, issue 10)', () => {
  it('sanitizes an unread HTML body once: marking it read does not run the sanitizer again', async () => {
    // Any open creates the sanitizer's inert window (render/inert-realm.ts); count its parses.
    await row('Three inline parts').click();
    await poll(() => popup.getByTestId('message-frame').getAttribute('data-ready')).toBe('true');
    await popup.getByTestId('back-button').click();
    // A string, as this project's tests have no DOM types: the page runs it as is.
    await popup.evaluate(`(() => {
      const win = document.querySelector('iframe[data-tidings-inert]').contentWindow;
      const parse = win.DOMParser.prototype.parseFromString;
      win.__parses = 0;
      win.DOMParser.prototype.parseFromString = function (...args) {
        win.__parses++;
        return parse.apply(this, args);
      };
    })()`);
    await row('Sanitized once').click();
    await poll(() => popup.getByTestId('message-frame').getAttribute('data-ready')).toBe('true');
    expect(await popup.frameLocator('[data-testid=message-frame]').locator('b').textContent()).toBe('unread');
    // The server has it \Seen, and the relay's flag change has had time to reach the popup (it
    // replaced the open message's object, which re-ran DOMPurify on the whole body).
    await poll(async () => (await locate(world.dovecot, world.accounts[0].user, 'Sanitized once'))[0]?.flags).toContain(
      '\\Seen',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const parses = await popup.evaluate(`document.querySelector('iframe[data-tidings-inert]').contentWindow.__parses`);
    expect(parses).toBe(1);
  });
});

describe('mail wider than the popup (issue 10)', () => {
  it('is shrunk to the frame width as one piece, shown whole, with nothing to scroll sideways', async () => {
    await row('Wide newsletter').click();
    await poll(() => popup.getByTestId('message-frame').getAttribute('data-ready')).toBe('true');
    const g = await frameGeometry();
    // The popup's frame is narrower than the 1,000 px table and wider than half of it.
    expect(g.frameWidth).toBeGreaterThan(500);
    expect(g.frameWidth).toBeLessThan(1000);
    // Shrunk to fit: as wide as the frame, and the frame scrolls over no more than it shows.
    expect(Math.abs(g.rootWidth - g.frameWidth)).toBeLessThanOrEqual(1);
    expect(g.scrollWidth).toBeLessThanOrEqual(g.frameWidth + 1);
    // The header sized in percent is laid out at the content's width, so it lines up with the table
    // (short of it by the body's right padding, which the table overflows). Laid out at the frame's
    // width instead and then shrunk, it would be about two thirds as wide.
    expect(g.header).toBeLessThanOrEqual(g.table);
    expect(g.header).toBeGreaterThan(0.98 * g.table);
    expect(g.table).toBeLessThan(g.frameWidth);
    // The frame is as tall as the shrunk content: all of it shows, and nothing is left below.
    expect(g.frameHeight).toBe(Math.ceil(g.rootHeight));
    expect(g.scrollHeight).toBeLessThanOrEqual(g.frameHeight + 1);
  });
  it('stops shrinking at half size: the rest scrolls sideways, as far as the content goes and no further', async () => {
    await row('Very wide newsletter').click();
    await poll(() => popup.getByTestId('message-frame').getAttribute('data-ready')).toBe('true');
    const g = await frameGeometry();
    // The 2,400 px table at half size.
    expect(g.table).toBeCloseTo(1200, 0);
    expect(g.rootWidth).toBeGreaterThan(g.frameWidth);
    expect(Math.abs(g.scrollWidth - g.rootWidth)).toBeLessThanOrEqual(1);
    expect(g.frameHeight).toBe(Math.ceil(g.rootHeight));
  });
});

describe('open in webmail', () => {
  it("opens a Gmail account's message in Gmail by its Message-ID (the new tab's URL), from the button and with w", async () => {
    // No network here: Gmail answers with a stand-in page, so the tab commits the exact URL.
    await world.browser.context.route('https://mail.google.com/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: '<title>Gmail stand-in</title>' }),
    );
    await poll(() => row('Gmail letter').count()).toBe(1);
    await row('Gmail letter').click();
    const button = popup.getByTestId('open-webmail');
    await button.waitFor();
    expect(await button.getAttribute('aria-keyshortcuts')).toBe('w');
    await expectNoViolations(popup, 'message with Open in webmail');
    const expected = 'https://mail.google.com/mail/u/0/#search/rfc822msgid:CAF%2Bx%3Dy%2Fz%3Fq%231@mail.gmail.com';
    let opened = world.browser.context.waitForEvent('page');
    await button.click();
    let tab = await opened;
    await poll(() => tab.url()).toBe(expected);
    await tab.close();
    opened = world.browser.context.waitForEvent('page');
    await popup.getByTestId('message-screen').focus();
    await popup.keyboard.press('w');
    tab = await opened;
    await poll(() => tab.url()).toBe(expected);
    await tab.close();
  });

  it('is hidden for a server the provider table does not know (the test Dovecot)', async () => {
    await row('PDF attached').click();
    await popup.getByTestId('attachment').first().waitFor();
    expect(await popup.getByTestId('open-webmail').count()).toBe(0);
    // And `w` does nothing there.
    const pages = world.browser.context.pages().length;
    await popup.keyboard.press('w');
    await popup.waitForTimeout(300);
    expect(world.browser.context.pages().length).toBe(pages);
  });
});

describe('PDF preview', () => {
  it("opens a PDF in a new tab from the popup's blob: URL, typed application/pdf, with the attachment's bytes", async () => {
    await row('PDF attached').click();
    await popup.getByTestId('attachment').first().waitFor();
    expect(await popup.getByTestId('attachment-type').textContent()).toBe('PDF document');
    await expectNoViolations(popup, 'message with a PDF to preview');
    const opened = world.browser.context.waitForEvent('page');
    await popup.getByTestId('attachment-open-pdf').click();
    const tab = await opened;
    await poll(() => tab.url()).toMatch(new RegExp(`^blob:${world.browser.origin}/[0-9a-f-]{36}$`));
    const blob = await popup.evaluate(async (url) => {
      const response = await fetch(url);
      return { type: response.headers.get('content-type'), text: await response.text() };
    }, tab.url());
    expect(blob).toEqual({ type: 'application/pdf', text: PDF_BYTES.toString('latin1') });
    // Opened, not downloaded.
    expect(await popup.getByTestId('attachment-saved').count()).toBe(0);
    await tab.close();
  });

  it('downloads a "PDF" whose bytes are not one instead of opening it', async () => {
    await row('Fake PDF attached').click();
    await popup.getByTestId('attachment').first().waitFor();
    const pages = world.browser.context.pages().length;
    await popup.getByTestId('attachment-open-pdf').click();
    await popup.getByTestId('attachment-saved').waitFor();
    expect(await popup.getByTestId('attachment-saved').textContent()).toContain('Saved as invoice.pdf');
    expect(world.browser.context.pages().length).toBe(pages);
  });
});

describe('prefetch (issue 10)', () => {
  // Last in this file: it stops the relay for a moment.
  it('fetches the message below the open one while it is read: j opens it with the relay down, and it stayed unread', async () => {
    const [account] = world.accounts;
    const [next] = await locate(world.dovecot, account.user, 'Read me next');
    expect(next?.flags).not.toContain('\\Seen');
    const id = {
      accountId: account.id,
      mailbox: 'INBOX',
      uidValidity: await inboxUidValidity(account.user),
      uid: next!.uid,
    };
    const worker = await world.browser.serviceWorker();
    const cached = () => worker.evaluate((m) => tidingsDiagnostics.hasCachedMessage!(m), id);
    expect(await cached()).toBe(false);

    await row('Read me first').click();
    await poll(() => popup.getByTestId('message-frame').getAttribute('data-ready')).toBe('true');
    await poll(cached).toBe(true);
    // Fetched with PEEK: the prefetch did not mark it read.
    expect((await locate(world.dovecot, account.user, 'Read me next'))[0]?.flags).not.toContain('\\Seen');

    await world.relay.stop();
    try {
      await popup.keyboard.press('j');
      await poll(() => popup.getByTestId('message-subject').textContent()).toBe('Read me next');
      await poll(() => popup.getByTestId('message-frame').getAttribute('data-ready')).toBe('true');
      expect(await popup.frameLocator('[data-testid=message-frame]').locator('p').textContent()).toBe(
        'The second letter',
      );
    } finally {
      await world.relay.restart();
    }
  });
});

/** UIDVALIDITY of the user's INBOX, as a message identity carries it. */
async function inboxUidValidity(user: PopupWorld['accounts'][0]['user']): Promise<string> {
  await using client = await connectImap(world.dovecot, user);
  const mailbox = await client.mailboxOpen('INBOX', { readOnly: true });
  return String(mailbox.uidValidity);
}
