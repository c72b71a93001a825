// SECURITY.md "text contexts": subjects, sender names, attachment file names (RFC 2231 encoded)
// and folder names with markup-looking content and bidi overrides are shown literally — as text,
// never as markup — with bidi overrides replaced by a visible U+FFFD; and no source file outside
// the sanitizer inserts markup (the lint rules, checked here as well).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/paths.js';
import { connectImap } from '../harness/mail.js';
import { buildMime, solidPng } from '../fixtures/hostile/mime.js';
import { textContextCases, type HostileCase } from '../fixtures/hostile/index.js';
import { appendRaw, backToList, clearInbox, openMessage, openPopup, sentinels } from './security-support.js';
import { startPopupWorld, type PopupWorld } from './popup-world.js';

/** What the UI shows for a raw one-line string (extension/core/safe-text.ts safeLine, restated). */
function shown(raw: string): string {
  return raw
    .replace(/[\t\r\n\u2028\u2029]+/g, ' ')
    .replace(/[\u202A-\u202E\u2066-\u2069]/g, '\uFFFD')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '\uFFFD') // eslint-disable-line no-control-regex -- restating the rule under test
    .trim();
}

describe('no markup insertion in the extension sources (lint rule, restated)', () => {
  const extensionDir = join(repoRoot, 'extension');
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (name === 'node_modules' || name.startsWith('.')) return [];
      if (statSync(path).isDirectory()) return files(path);
      return /\.(ts|svelte|js)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
    });

  it('uses no {@html}, innerHTML/outerHTML assignment, insertAdjacentHTML or document.write', () => {
    const offenders: string[] = [];
    for (const file of files(extensionDir)) {
      const source = readFileSync(file, 'utf8');
      for (const [pattern, what] of [
        [/\{@html\b/, '{@html}'],
        [/\.(?:inner|outer)HTML\s*=[^=]/, 'innerHTML/outerHTML assignment'],
        [/insertAdjacentHTML\s*\(/, 'insertAdjacentHTML'],
        [/document\.write(?:ln)?\s*\(/, 'document.write'],
        [/createContextualFragment\s*\(/, 'createContextualFragment'],
      ] as const) {
        if (pattern.test(source)) offenders.push(`${relative(repoRoot, file)}: ${what}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('sets srcdoc only in the message frame, to the shell frame-document.ts builds', () => {
    const users = files(extensionDir)
      .filter((file) => /srcdoc\s*[=:{]|\{srcdoc\}/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(repoRoot, file))
      .sort();
    // Always the shell frame-document.ts builds (CSP first, no mail in it): frame-pool.ts loads it
    // in a new or parked frame, MessageFrame again when the CSP changes, then shows the sanitised
    // nodes in it.
    expect(users).toEqual(['extension/components/message/MessageFrame.svelte', 'extension/render/frame-pool.ts']);
  });
});

let fixture: PopupWorld;
let page: Page;
const folderCases = textContextCases.filter((c) => c.folder !== undefined);
const messageCases = textContextCases.filter((c) => c.folder === undefined);

beforeAll(async () => {
  fixture = await startPopupWorld({ accounts: ['Hostile'] });
  await clearInbox(fixture);
  {
    await using client = await connectImap(fixture.dovecot, fixture.accounts[0].user);
    for (const c of folderCases) await client.mailboxCreate(c.folder!);
  }
  await appendRaw(
    fixture,
    messageCases.map((c) =>
      buildMime({
        subject: c.subject ?? `[T:${c.name}]`,
        fromName: c.fromName ?? `Sender ${c.name}`,
        fromAddress: `${c.name}@example.test`,
        text: c.text ?? c.name,
        parts: c.filename ? [{ filename: c.filename, contentType: 'image/png', data: solidPng(6, 6) }] : [],
      }),
    ),
  );
  page = await openPopup(fixture.browser);
});

afterAll(async () => {
  await fixture?.close();
});

/** Text that finds a case's row: its marker subject, or (for hostile subjects) its sender name. */
const rowMarker = (c: HostileCase) => (c.subject ? `Sender ${c.name}` : `[T:${c.name}]`);

async function openCase(c: HostileCase): Promise<void> {
  await openMessage(page, rowMarker(c));
}

describe('hostile strings in the popup', () => {
  it.each(messageCases.filter((c) => c.subject).map((c) => [c.name, c] as const))(
    '%s: the subject shows literally, in the list and the message',
    async (_name, c) => {
      const expected = shown(c.subject!);
      await openCase(c);
      const subject = page.getByTestId('message-subject');
      expect((await subject.textContent())?.trim()).toBe(expected);
      expect(await subject.locator('img, b, i, script, a').count()).toBe(0);
      expect(await sentinels(page)).toEqual([]);
      await backToList(page);
      // The list row (the popup's MessageRow) must show the same text.
      const rowSubject = page
        .getByTestId('message-row')
        .filter({ hasText: rowMarker(c) })
        .getByTestId('row-subject');
      expect((await rowSubject.first().textContent())?.trim()).toBe(expected);
      expect(await rowSubject.first().locator('img, b, script, a').count()).toBe(0);
    },
  );

  it.each(messageCases.filter((c) => c.fromName).map((c) => [c.name, c] as const))(
    '%s: the sender name shows literally',
    async (_name, c) => {
      await openCase(c);
      const name = page.getByTestId('message-from').getByTestId('address-name');
      expect((await name.textContent())?.trim()).toBe(shown(c.fromName!));
      expect(await page.getByTestId('message-from').locator('img, a, b').count()).toBe(0);
      expect(await sentinels(page)).toEqual([]);
      await backToList(page);
      // The list row (the popup's MessageRow) must show the same name.
      const rowSender = page
        .getByTestId('message-row')
        .filter({ hasText: rowMarker(c) })
        .getByTestId('row-sender');
      expect((await rowSender.first().textContent())?.trim()).toBe(shown(c.fromName!));
      expect(await rowSender.first().locator('img, a, b').count()).toBe(0);
    },
  );

  it.each(messageCases.filter((c) => c.filename).map((c) => [c.name, c] as const))(
    '%s: the attachment file name (RFC 2231) shows literally, with a warning for bidi controls',
    async (_name, c) => {
      await openCase(c);
      const attachment = page.getByTestId('attachment').first();
      await attachment.waitFor({ timeout: 10_000 });
      const name = attachment.getByTestId('attachment-name');
      expect((await name.textContent())?.trim()).toBe(shown(c.filename!));
      expect(await attachment.locator('img, b, script').count()).toBe(0);
      const hasBidi = /[\u202A-\u202E\u2066-\u2069]/.test(c.filename!);
      expect(await attachment.getByTestId('attachment-bidi-warning').count()).toBe(hasBidi ? 1 : 0);
      // The name is isolated so a right-to-left run cannot reorder the text around it.
      expect(await name.evaluate((el) => el.tagName.toLowerCase())).toBe('bdi');
      expect(await sentinels(page)).toEqual([]);
      await backToList(page);
    },
  );

  it('shows a plain-text body with markup literally, linking only the allowed URL', async () => {
    const c = messageCases.find((m) => m.name === 'text-body-markup')!;
    await openCase(c);
    const body = page.getByTestId('message-text');
    expect(await body.textContent()).toBe(c.text);
    expect(await body.locator('script, img').count()).toBe(0);
    // The https URLs in the text (the payload's own fetch target included) are links; nothing else is.
    const hrefs = await body.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs).toContain('https://example.com/ok');
    expect(hrefs.filter((h) => !h.startsWith('https://'))).toEqual([]);
    expect(await sentinels(page)).toEqual([]);
    await backToList(page);
  });

  it.each(folderCases.map((c) => [c.name, c] as const))('%s: the folder name shows literally', async (_name, c) => {
    // Folders belong to one account: switch from "all inboxes" to it, then open the folder picker.
    const switcher = page.getByTestId('account-switcher');
    const accountValue = await switcher.locator('option').nth(1).getAttribute('value');
    await switcher.selectOption(accountValue ?? '');
    await page.getByTestId('folder-picker').click();
    const option = page
      .getByTestId('folder-option')
      .and(page.locator(`[data-path="${c.folder!.replace(/["\\]/g, '\\$&')}"]`));
    await option.waitFor({ timeout: 10_000 });
    expect((await option.textContent())?.trim()).toBe(shown(c.folder!));
    expect(await option.locator('img, script, b').count()).toBe(0);
    expect(await sentinels(page)).toEqual([]);
    await page.keyboard.press('Escape');
  });
});
