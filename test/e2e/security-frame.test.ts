// SECURITY.md "frame contract", in the real popup: the message frame is sandboxed without
// allow-scripts (only allow-same-origin), its srcdoc starts with the exact CSP meta, and links open
// only through the extension (a new tab opened by the background), only for https/http/mailto —
// javascript:, data:, file:, smb:, ms-msdt: and friends do nothing, and the popup never navigates.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMime, solidPng } from '../fixtures/hostile/mime.js';
import {
  appendRaw,
  backToList,
  clearInbox,
  messageFrame,
  openMessage,
  openPopup,
  sentinels,
  srcdocHead,
  startLoopbackServer,
  type LoopbackServer,
} from './security-support.js';
import { startPopupWorld, type PopupWorld } from './popup-world.js';

const HTML_SUBJECT = '[frame-contract-html]';
const TEXT_SUBJECT = '[frame-contract-text]';
const BLOCKED = [
  ['javascript', "javascript:top.__pwned='link-js'"],
  ['entity-javascript', 'jav&#x09;ascript:top.__pwned=1'],
  ['data', 'data:text/html,<script>top.__pwned=1</script>'],
  ['file', 'file:///etc/passwd'],
  ['smb', 'smb://attacker.invalid/share'],
  ['ms-msdt', 'ms-msdt:/id PCWDiagnostic /skip force'],
  ['search-ms', 'search-ms:query=invoice'],
  ['relative', 'relative/path'],
  ['credentials', 'https://bank.example@remote.invalid/'],
] as const;

let fixture: PopupWorld;
let server: LoopbackServer;
let page: Page;

beforeAll(async () => {
  fixture = await startPopupWorld({ accounts: ['Hostile'] });
  server = await startLoopbackServer(solidPng(4, 4));
  await clearInbox(fixture);
  const links = BLOCKED.map(([name, href]) => `<p><a href="${href}">blocked ${name}</a></p>`).join('');
  await appendRaw(fixture, [
    buildMime({
      subject: HTML_SUBJECT,
      html:
        `<p><a id="ok" href="${server.url}/allowed-link">allowed link</a></p>` +
        `<p><a href="${server.url}/blank-target" target="_blank">blank target</a></p>` +
        `<p><a href="mailto:someone@example.test?subject=hi">mail link</a></p>${links}`,
    }),
    buildMime({
      subject: TEXT_SUBJECT,
      text: `Plain text link: ${server.url}/from-text and smb://attacker.invalid/x and javascript:alert(1)`,
    }),
  ]);
  page = await openPopup(fixture.browser);
});

afterAll(async () => {
  await fixture?.close();
  await server?.close();
});

/** Pages (tabs) other than the popup and the harness's blank control tab. */
function otherTabs(): string[] {
  return fixture.browser.context
    .pages()
    .filter((p) => p !== page && !p.isClosed())
    .map((p) => p.url())
    .filter((url) => url !== 'about:blank');
}

async function closeOtherTabs(): Promise<void> {
  for (const p of fixture.browser.context.pages()) if (p !== page && p.url() !== 'about:blank') await p.close();
}

/** Clicks a link inside the message frame (a real mouse click at its position). */
async function clickInFrame(text: string): Promise<void> {
  const frame = await messageFrame(page);
  await frame.getByText(text, { exact: true }).click();
}

describe('the message frame', () => {
  it('is sandboxed without allow-scripts and starts with the exact CSP', async () => {
    await openMessage(page, HTML_SUBJECT);
    const frameEl = page.getByTestId('message-frame');
    expect(await frameEl.getAttribute('sandbox')).toBe('allow-same-origin');
    expect(await frameEl.getAttribute('referrerpolicy')).toBe('no-referrer');
    const srcdoc = (await frameEl.getAttribute('srcdoc')) ?? '';
    const head = await srcdocHead(page, srcdoc);
    expect(head).toEqual({
      first: 'meta:Content-Security-Policy',
      csp: "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; font-src 'none'; form-action 'none'; base-uri 'none'",
      referrer: 'no-referrer',
    });
    // The frame document is the srcdoc (it never navigated) and every link lost its target.
    const frame = await messageFrame(page);
    expect(frame.url()).toBe('about:srcdoc');
    expect(await frame.locator('a[target]').count()).toBe(0);
    expect(await frame.locator('a[rel="noopener noreferrer"]').count()).toBeGreaterThan(3);
  });

  it('opens an allowed link in a new tab through the extension, once, without navigating', async () => {
    const popupUrl = page.url();
    const opened = fixture.browser.context.waitForEvent('page', { timeout: 10_000 });
    await clickInFrame('allowed link');
    const tab = await opened;
    await tab.waitForLoadState('domcontentloaded');
    expect(tab.url()).toBe(`${server.url}/allowed-link`);
    expect(server.requests()).toContain('/allowed-link');
    expect(page.url()).toBe(popupUrl);
    expect((await messageFrame(page)).url()).toBe('about:srcdoc');
    await closeOtherTabs();

    // target=_blank in the mail does not open a second, unchecked window.
    const blank = fixture.browser.context.waitForEvent('page', { timeout: 10_000 });
    await clickInFrame('blank target');
    expect((await blank).url()).toBe(`${server.url}/blank-target`);
    await new Promise((r) => setTimeout(r, 500));
    expect(otherTabs()).toEqual([`${server.url}/blank-target`]);
    await closeOtherTabs();
  });

  it('opens a link from the keyboard (Enter on a focused link) the same way', async () => {
    const frame = await messageFrame(page);
    await frame.locator('#ok, [id$="ok"]').first().focus();
    const opened = fixture.browser.context.waitForEvent('page', { timeout: 10_000 });
    await page.keyboard.press('Enter');
    expect((await opened).url()).toBe(`${server.url}/allowed-link`);
    await closeOtherTabs();
  });

  it.each(BLOCKED.map(([name]) => [name]))('does nothing for a %s link', async (name) => {
    const popupUrl = page.url();
    const before = server.requests().length;
    await clickInFrame(`blocked ${name}`);
    // Give a tab or a navigation every chance to appear.
    await new Promise((r) => setTimeout(r, 700));
    expect(otherTabs()).toEqual([]);
    expect(page.url()).toBe(popupUrl);
    expect((await messageFrame(page)).url()).toBe('about:srcdoc');
    expect(await sentinels(page)).toEqual([]);
    expect(server.requests().length).toBe(before);
  });

  it('goes back to the list with Escape, also when focus is inside the frame', async () => {
    const frame = await messageFrame(page);
    await frame.locator('a').first().focus();
    await page.keyboard.press('Escape');
    await page.getByTestId('message-row').first().waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('message-view').count()).toBe(0);
  });
});

describe('links in plain-text bodies', () => {
  it('are real links only for allowed schemes, opened through the extension', async () => {
    await openMessage(page, TEXT_SUBJECT);
    const body = page.getByTestId('message-text');
    const hrefs = await body.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual([`${server.url}/from-text`]);
    expect(await body.textContent()).toContain('smb://attacker.invalid/x and javascript:alert(1)');
    const popupUrl = page.url();
    const opened = fixture.browser.context.waitForEvent('page', { timeout: 10_000 });
    await body.getByText(`${server.url}/from-text`).click();
    expect((await opened).url()).toBe(`${server.url}/from-text`);
    expect(page.url()).toBe(popupUrl);
    await closeOtherTabs();
    await backToList(page);
  });
});
