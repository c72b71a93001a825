// End to end in real Chromium: accounts are added, diagnosed, trusted, edited and removed from the
// options page against real Dovecot instances through the real relay, whose discovery uses
// loopback fakes (autoconfig over HTTP, SRV over DNS) and which trusts the test CA as a system
// store would (NODE_EXTRA_CA_CERTS).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionBrowser } from '../harness/chromium.js';
import { startDnsServer, type LoopbackDnsServer } from '../harness/dns-server.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { appendMessage } from '../harness/mail.js';
import { pairFromOptions, startAddingAccount } from '../harness/options-page.js';
import { runRelayCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { loginCount, trustTestCaEnv } from '../harness/setup-fixtures.js';

/** The part of the extension API evaluated in the service worker (not typed here). */
declare const chrome: { storage: { local: { get(keys: null): Promise<Record<string, unknown>> } } };

let dovecot: Dovecot;
let selfSigned: Dovecot;
let relay: RelayProcess;
let browser: ExtensionBrowser;
let http: Server;
let dns: LoopbackDnsServer;
let page: Page;

beforeAll(async () => {
  dovecot = await startDovecot({ quota: true });
  selfSigned = await startDovecot({ certificate: 'self-signed' });
  // Mozilla autoconfig for auto.test: the ca-signed Dovecot, login = the address's local part.
  const config = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1"><emailProvider id="auto.test"><domain>auto.test</domain>
<incomingServer type="imap"><hostname>127.0.0.1</hostname><port>${dovecot.imapsPort}</port><socketType>SSL</socketType><username>%EMAILLOCALPART%</username><authentication>password-cleartext</authentication></incomingServer>
</emailProvider></clientConfig>`;
  http = createServer((req, res) => {
    const hit = (req.url ?? '').split('?')[0] === '/autoconfig.auto.test/mail/config-v1.1.xml';
    res.writeHead(hit ? 200 : 404, { 'content-type': 'application/xml' });
    res.end(hit ? config : 'not found');
  });
  http.on('error', () => undefined);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  // RFC 6186 SRV for srv.test → localhost (named in the test certificate) on the IMAPS port.
  dns = await startDnsServer({
    srv: { '_imaps._tcp.srv.test': [{ priority: 0, weight: 0, port: dovecot.imapsPort, target: 'localhost' }] },
  });
  relay = await startRelayProcess({
    env: {
      ...trustTestCaEnv(dovecot),
      TIDINGS_AUTOCONFIG_BASE_URL: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      TIDINGS_DNS_SERVER: dns.address,
    },
  });
  browser = await launchExtension();
  page = await pairFromOptions(browser, relay);
});

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  await dns?.close();
  await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
  await selfSigned?.stop();
  await dovecot?.stop();
});

async function accountsOnRelay(): Promise<string> {
  return (await runRelayCli(['accounts', 'list'], { dataDir: relay.dataDir })).stdout;
}

/** Add account → provider → address → Continue; resolves on the server step. */
const startAdding = (email: string, name: string, provider = 'custom') =>
  startAddingAccount(page, { email, name, provider });

async function fillServer(server: Dovecot, user: ImapUser, password: string): Promise<void> {
  await page.getByTestId('server-host').fill('127.0.0.1');
  await page.getByTestId('server-port').fill(String(server.imapsPort));
  await page.getByTestId('server-username').fill(user.username);
  await page.getByTestId('account-password').fill(password);
}

const focusedTestId = () => page.locator(':focus').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 5_000, interval: 50 });

const step = (id: string) => page.locator(`[data-testid="diag-step"][data-step="${id}"]`);

describe('accounts on the options page', () => {
  it('adds an account found by autoconfig: diagnosis, save, badge', async () => {
    const user = await dovecot.addUser();
    await appendMessage(dovecot, user, { subject: 'one' });
    await appendMessage(dovecot, user, { subject: 'two' });
    await startAdding(`${user.username}@auto.test`, 'Work');
    expect(await page.getByTestId('discovery-source').getAttribute('data-source')).toBe('autoconfig');
    expect(await page.getByTestId('server-host').inputValue()).toBe('127.0.0.1');
    expect(await page.getByTestId('server-port').inputValue()).toBe(String(dovecot.imapsPort));
    expect(await page.getByTestId('server-username').inputValue()).toBe(user.username);
    // Discovery filled the server: what is left to type is the password.
    await poll(() => focusedTestId()).toEqual(['account-password']);
    // No Save before a passing diagnosis.
    expect(await page.getByTestId('save-account-button').count()).toBe(0);

    await page.getByTestId('account-password').fill(user.password);
    await page.getByTestId('diagnose-button').click();
    await page.locator('[data-testid="diagnosis"][data-ok="true"]').waitFor({ timeout: 20_000 });
    for (const id of ['dns', 'tcp', 'tls', 'capabilities', 'auth', 'rtt'])
      expect(await step(id).getAttribute('data-status'), id).toBe('ok');
    expect(await step('tls').textContent()).toMatch(/TLSv1\.[23], certificate for .*localhost/);
    const caps = await page.locator('[data-testid="capability"][data-present="true"]').allTextContents();
    expect(caps.map((c) => c.replace(/\s*\(.*\)$/, '').trim())).toEqual(
      expect.arrayContaining(['IDLE', 'CONDSTORE', 'QRESYNC', 'SPECIAL-USE', 'MOVE', 'UIDPLUS', 'QUOTA']),
    );
    await browser.screenshot(page, 'options-diagnosis');

    await page.getByTestId('save-account-button').click();
    await page.getByTestId('accounts-flash').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('add-account').count()).toBe(0);
    const row = page.locator('[data-testid="account-row"]', { hasText: 'Work' });
    await row.waitFor({ timeout: 10_000 });
    expect(await browser.waitForBadge((t) => t === '2', 15_000)).toBe('2');
    // The password never reached the extension's storage.
    const worker = await browser.serviceWorker();
    const stored = await worker.evaluate(async () => JSON.stringify(await chrome.storage.local.get(null)));
    expect(stored).not.toContain(user.password);
    expect(await accountsOnRelay()).toContain('Work');
    // Regression (issue 13): "✓ Added …" stayed forever; it goes after a few seconds.
    await page.getByTestId('accounts-flash').waitFor({ state: 'detached', timeout: 20_000 });
  });

  it('shows storage use where the server has QUOTA', async () => {
    const row = page.locator('[data-testid="account-row"]', { hasText: 'Work' });
    const meter = row.getByTestId('quota-meter');
    await meter.waitFor({ timeout: 20_000 });
    expect(await meter.getByTestId('quota-text').textContent()).toMatch(/^\d+(\.\d)? (kB|byte|MB) of 10 MB$/);
    expect(await meter.getAttribute('data-level')).toBe('ok');
  });

  it('shows the authentication fix for a wrong password and saves nothing', async () => {
    const user = await dovecot.addUser();
    const before = await accountsOnRelay();
    const logins = loginCount(dovecot, user.username);
    await startAdding(`${user.username}@nowhere.test`, 'Wrong');
    expect(await page.getByTestId('discovery-source').getAttribute('data-source')).toBe('none');
    // Regression (issue 13): nothing was discovered, so the server comes first, not the password.
    await poll(() => focusedTestId()).toEqual(['server-host']);
    await fillServer(dovecot, user, 'not-the-password');
    await page.getByTestId('diagnose-button').click();
    await page.locator('[data-testid="diagnosis"][data-ok="false"]').waitFor({ timeout: 20_000 });
    // The results were scrolled into view (the form is taller than the page).
    await poll(() =>
      page
        .getByTestId('diagnosis')
        .evaluate((el) => el.getBoundingClientRect().top < el.ownerDocument.defaultView!.innerHeight),
    ).toBe(true);
    expect(await step('auth').getAttribute('data-status')).toBe('fail');
    expect(await step('auth').getByTestId('diag-hint').textContent()).toMatch(/Check the username and the password/);
    expect(await page.getByTestId('save-account-button').count()).toBe(0);
    expect(await page.getByTestId('account-password').inputValue()).toBe('');
    await browser.screenshot(page, 'options-wrong-password');
    expect(await accountsOnRelay()).toBe(before);
    expect(loginCount(dovecot, user.username)).toBe(logins);
    await page.getByTestId('cancel-add').click();
  });

  it('finds the server through SRV records (RFC 6186)', async () => {
    const user = await dovecot.addUser();
    await startAdding(`${user.username}@srv.test`, 'Srv');
    expect(await page.getByTestId('discovery-source').getAttribute('data-source')).toBe('srv');
    expect(await page.getByTestId('server-host').inputValue()).toBe('localhost');
    expect(await page.getByTestId('server-port').inputValue()).toBe(String(dovecot.imapsPort));
    await page.getByTestId('server-username').fill(user.username);
    await page.getByTestId('account-password').fill(user.password);
    await page.getByTestId('diagnose-button').click();
    await page.locator('[data-testid="diagnosis"][data-ok="true"]').waitFor({ timeout: 20_000 });
    await page.getByTestId('cancel-add').click();
  });

  it('accepts a self-signed server only after its certificate is pinned', async () => {
    const user = await selfSigned.addUser();
    await startAdding(`${user.username}@nowhere.test`, 'Home server');
    await fillServer(selfSigned, user, user.password);
    await page.getByTestId('diagnose-button').click();
    await page.locator('[data-testid="diagnosis"][data-ok="false"]').waitFor({ timeout: 20_000 });
    expect(await step('tls').getAttribute('data-status')).toBe('fail');
    expect(await step('auth').getAttribute('data-status')).toBe('skipped');
    expect(await page.getByTestId('cert-fingerprint').textContent()).toContain(selfSigned.fingerprint256);
    // The fingerprint wraps between bytes only: every line box starts with a whole byte.
    const bytes = await page.getByTestId('cert-fingerprint').locator('span').allTextContents();
    expect(bytes).toHaveLength(32);
    for (const byte of bytes) expect(byte).toMatch(/^[0-9A-F]{2}$/);
    expect(await page.getByTestId('save-account-button').count()).toBe(0);
    // The password was not sent to an untrusted server.
    expect(loginCount(selfSigned, user.username)).toBe(0);
    expect(await page.getByTestId('trust-button').isDisabled()).toBe(true);
    await browser.screenshot(page, 'options-trust');
    await page.getByTestId('trust-confirm').check();
    await page.getByTestId('trust-button').click();
    await page.locator('[data-testid="diagnosis"][data-ok="true"]').waitFor({ timeout: 20_000 });
    expect(await step('tls').textContent()).toMatch(/that you trusted/);
    await page.getByTestId('save-account-button').click();
    await page.locator('[data-testid="account-row"]', { hasText: 'Home server' }).waitFor({ timeout: 20_000 });
    expect(await accountsOnRelay()).toContain('Home server');
  });

  it('edits an account (name, watched folders) and removes it after an inline confirmation', async () => {
    const row = page.locator('[data-testid="account-row"]', { hasText: 'Home server' });
    await row.getByTestId('edit-account-button').click();
    const editor = page.getByTestId('account-editor');
    await editor.getByTestId('edit-name').waitFor();
    expect(await editor.getByTestId('edit-name').inputValue()).toBe('Home server');
    await editor.locator('[data-testid="watch-folder"][data-path="Archive"]').check();
    await editor.getByTestId('edit-name').fill('Home');
    await editor.getByTestId('edit-save-button').click();
    await editor.locator('[data-testid="edit-save-status"][data-state="saved"]').waitFor({ timeout: 20_000 });
    await expect
      .poll(() => page.getByTestId('account-row').allTextContents(), { timeout: 10_000 })
      .toEqual(expect.arrayContaining([expect.stringMatching(/^\s*Home\s/)]));
    expect(await accountsOnRelay()).toMatch(/Home\b/);
    await browser.screenshot(page, 'options-edit');

    await editor.getByTestId('remove-account-button').click();
    // Nothing happens until the inline confirmation.
    expect(await page.locator('[data-testid="account-row"]', { hasText: 'Home' }).count()).toBe(1);
    await editor.getByTestId('confirm-remove-button').click();
    await page.getByTestId('accounts-flash').filter({ hasText: 'Removed Home' }).waitFor({ timeout: 20_000 });
    await expect
      .poll(() => page.locator('[data-testid="account-row"]', { hasText: 'Home' }).count(), { timeout: 10_000 })
      .toBe(0);
    expect(await accountsOnRelay()).not.toMatch(/\bHome\b/);
  });
});
