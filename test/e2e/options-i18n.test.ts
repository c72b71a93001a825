// End to end in real Chromium: the options page in Spanish (Chromium's --lang / LANGUAGE decide
// chrome.i18n's language), localized numbers and badge tooltip, and the screenshots of the page in
// English and Spanish in a realistic state (paired, two accounts, one with a storage quota).
// TIDINGS_UPDATE_SCREENSHOTS=1 also copies them to docs/screenshots/options-{en,es}.png.
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionBrowser } from '../harness/chromium.js';
import { startDovecot, type Dovecot } from '../harness/dovecot.js';
import { appendMessage } from '../harness/mail.js';
import { pairFromOptions } from '../harness/options-page.js';
import { repoRoot } from '../harness/paths.js';
import { TestClient, TEST_ORIGIN } from '../harness/protocol-client.js';
import {
  addAccountViaCli,
  pairingCodeFrom,
  runRelayCli,
  startRelayProcess,
  type RelayProcess,
} from '../harness/relay.js';
import { pairToken, trustTestCaEnv } from '../harness/setup-fixtures.js';

let withQuota: Dovecot;
let plain: Dovecot;
let relay: RelayProcess;
let client: TestClient;
let workId: string;
const browsers: ExtensionBrowser[] = [];

beforeAll(async () => {
  withQuota = await startDovecot({ quota: true });
  plain = await startDovecot();
  relay = await startRelayProcess({ env: trustTestCaEnv(withQuota) });
  const work = await withQuota.addUser();
  // About 1.4 MB stored, so the meter shows a real share of the 10 MB limit.
  const line = `${'x'.repeat(98)}\r\n`;
  await appendMessage(withQuota, work, {
    raw: `Subject: Q3 report\r\nFrom: Finance <finance@example.com>\r\nTo: me@example.com\r\n\r\n${line.repeat(14_000)}`,
  });
  for (const subject of ['Standup notes', 'Lunch on Friday?', 'Re: deployment plan'])
    await appendMessage(withQuota, work, { subject, from: 'Ada <ada@example.com>' });
  const personal = await plain.addUser();
  for (let i = 0; i < 12; i++) await appendMessage(plain, personal, { subject: `newsletter ${i}` });
  workId = await addAccountViaCli(relay.dataDir, withQuota, work, { name: 'Work' });
  const personalId = await addAccountViaCli(relay.dataDir, plain, personal, { name: 'Personal', caPem: plain.caPem });
  ({ client } = await TestClient.connect(relay.url, await pairToken(relay)));
  await client.request('accounts.update', { id: workId, patch: { color: '#2563eb' } });
  await client.request('accounts.update', { id: personalId, patch: { color: '#16a34a' } });
  const { settings } = await client.request('settings.get', {});
  settings.notifications.quietHours = {
    enabled: true,
    start: '22:00',
    end: '07:00',
    days: [1, 2, 3, 4, 5],
    timeZone: 'UTC',
  };
  await client.request('settings.set', { settings });
  // One more browser of the user, with a label of its own.
  const pair = await runRelayCli(['pair'], { dataDir: relay.dataDir });
  await fetch(`${relay.httpUrl}/v1/pair`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: TEST_ORIGIN },
    body: JSON.stringify({ code: pairingCodeFrom(pair.stdout), label: 'Chrome on mac' }),
  });
});

afterAll(async () => {
  client?.close();
  for (const b of browsers) await b.close();
  await relay?.stop();
  await plain?.stop();
  await withQuota?.stop();
});

async function open(lang: 'en' | 'es'): Promise<{ browser: ExtensionBrowser; page: Page }> {
  const browser = await launchExtension({ lang });
  browsers.push(browser);
  const page = await browser.openPage('options.html');
  return { browser, page };
}

/** The page as a user sees it after pairing: both accounts, the quota, settings and devices loaded. */
async function settle(browser: ExtensionBrowser, page: Page): Promise<void> {
  await page.getByTestId('quota-meter').waitFor({ timeout: 20_000 });
  await page.getByTestId('device-row').nth(1).waitFor({ timeout: 10_000 });
  await page.getByTestId('quiet-summary').waitFor({ timeout: 10_000 });
  await browser.waitForBadge((t) => t === '16', 15_000);
}

async function screenshot(browser: ExtensionBrowser, page: Page, name: string, toDocs = true): Promise<void> {
  await page.evaluate('window.scrollTo(0, 0)');
  const file = await browser.screenshot(page, name);
  if (toDocs && process.env['TIDINGS_UPDATE_SCREENSHOTS'] === '1') {
    const dir = join(repoRoot, 'docs', 'screenshots');
    mkdirSync(dir, { recursive: true });
    copyFileSync(file, join(dir, `${name}.png`));
  }
}

describe('the options page', () => {
  it('speaks Spanish when the browser does', async () => {
    const { browser, page } = await open('es');
    expect(await page.locator('h1').textContent()).toBe('Ajustes de Tidings');
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toBe(
      'Vincula este navegador con tu relé',
    );
    expect(await page.getByText('Dirección del relé', { exact: true }).count()).toBe(1);
    expect(await page.getByTestId('pair-button').textContent()).toMatch(/Vincular/);
    expect(await browser.badgeTitle()).toBe('Tidings no está vinculado: abre la página de opciones');
    // A wrong code is explained in Spanish, before anything is sent.
    await page.getByTestId('pairing-code').fill('ABC');
    await page.getByTestId('pair-button').click();
    expect(await page.getByTestId('pair-error').textContent()).toMatch(
      /Un código de vinculación tiene 8 letras y cifras/,
    );
    await page.close();

    const paired = await pairFromOptions(browser, relay);
    await settle(browser, paired);
    const headings = await paired.getByRole('heading', { level: 2 }).allTextContents();
    expect(headings).toEqual([
      'Relé',
      'Cuentas',
      'Notificaciones',
      'Contador',
      'Dispositivos',
      'Este navegador',
      'Aplicaciones de inicio de sesión',
    ]);
    expect(await paired.getByTestId('connection-state').textContent()).toMatch(/Conectado/);
    expect(await paired.getByTestId('quota-text').textContent()).toMatch(/^1,\d MB de 10 MB$/);
    expect(await paired.getByTestId('quiet-summary').textContent()).toMatch(/22:00 – 7:00, de lunes a viernes \(UTC\)/);
    expect(await paired.getByTestId('this-browser').textContent()).toBe('Este navegador');
    // This browser paired under a Spanish label (issue 13: "Chrome on linux" was untranslated).
    const thisRow = paired.getByTestId('device-row').filter({ has: paired.getByTestId('this-browser') });
    expect(await thisRow.textContent()).toContain('Chrome en Linux');
    expect(await paired.getByTestId('add-account-button').textContent()).toMatch(/Añadir cuenta/);
    expect(await browser.badgeTitle()).toMatch(/^Tidings: 16 sin leer\n/);
    await screenshot(browser, paired, 'options-es');

    // Special-use folders under their Spanish names, the server's path beside them (issue 13).
    await paired.getByTestId('edit-account-button').first().click();
    const folders = paired.getByTestId('watched-folders');
    await folders.waitFor({ timeout: 10_000 });
    const inbox = folders.locator('li', { has: paired.locator('[data-path="INBOX"]') });
    expect(await inbox.getByTestId('watch-folder-label').textContent()).toBe('Bandeja de entrada');
    expect(await inbox.textContent()).toContain('INBOX');
    const trash = folders.locator('li', { has: paired.locator('[data-path="Trash"]') });
    expect(await trash.getByTestId('watch-folder-label').textContent()).toBe('Papelera');

    // And in the popup's folder picker.
    const popup = await browser.openPage(`popup.html?account=${encodeURIComponent(workId)}`);
    await popup.getByTestId('folder-picker').click();
    const option = (path: string) => popup.getByTestId('folder-option').and(popup.locator(`[data-path="${path}"]`));
    await option('INBOX').waitFor({ timeout: 10_000 });
    expect((await option('INBOX').textContent())?.trim()).toMatch(/^Bandeja de entrada/);
    expect((await option('Archive').textContent())?.trim()).toMatch(/^Archivo/);
    expect(await popup.getByTestId('folder-current').textContent()).toBe('Bandeja de entrada');
    await popup.close();
  });

  it('in English, for comparison (and the screenshot)', async () => {
    const { browser } = await open('en');
    const page = await pairFromOptions(browser, relay);
    await settle(browser, page);
    expect(await page.getByTestId('quota-text').textContent()).toMatch(/^1\.\d MB of 10 MB$/);
    await screenshot(browser, page, 'options-en');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(browser, page, 'options-en-dark', false);
  });

  it('puts the quota meter in the popup, opened on the account as a notification click does', async () => {
    const browser = browsers.at(-1)!;
    const popup = await browser.openPage(`popup.html?account=${encodeURIComponent(workId)}`);
    const meter = popup.getByTestId('popup-quota').getByTestId('quota-meter');
    await meter.waitFor({ timeout: 15_000 });
    expect(await meter.getByTestId('quota-text').textContent()).toMatch(/^1\.\d MB of 10 MB$/);
    await browser.screenshot(popup, 'popup-quota');
  });
});
