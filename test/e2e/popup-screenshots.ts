// Takes the popup screenshots in docs/screenshots/ from the real popup in headless Chromium,
// against a private Dovecot with realistic mail and the real relay:
//
//   npm run screenshots     (build first: npm run build:test)
//
//   popup-list.png                the unified inbox, light theme
//   popup-message.png             an opened HTML message
//   popup-attachments.png         a message with an attachment
//   popup-dark.png                the list in dark mode
//   popup-compact-list.png        the list in the compact popup (options → This browser)
//   popup-compact-message.png     a message in the compact popup
//   options-this-browser.png      the options page's "This browser" section
//   options-add-account.png       the options page's add-account form, server step
//   options-checklist.png         the diagnosis checklist after a wrong password
//   options-es-add-account.png    the add-account form in Spanish
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { launchExtension } from '../harness/chromium.js';
import { pairFromOptions } from '../harness/options-page.js';
import { repoRoot } from '../harness/paths.js';
import { POPUP_DIMENSIONS } from '../../extension/core/device-settings.js';
import { pairDevice, TestClient } from '../harness/protocol-client.js';
import { pairingCodeFrom, runRelayCli } from '../harness/relay.js';
import { personalInbox, TINY_PNG_BASE64, withAttachment, workInbox } from './popup-seed.js';
import { extensionDir, seedMessages, startPopupWorld } from './popup-world.js';

const outDir = join(repoRoot, 'docs', 'screenshots');
mkdirSync(outDir, { recursive: true });

await using world = await startPopupWorld({
  accounts: ['Work', 'Personal'],
  seed: async (dovecot, [work, personal]) => {
    const now = Date.now();
    await seedMessages(dovecot, work!, workInbox('Alex Doe <alex@northwind.example>', now));
    const photos = new Date(now - 2 * 60_000);
    await seedMessages(dovecot, work!, [
      {
        date: photos,
        raw: withAttachment({
          from: 'Jonas Weber <jonas@contoso.example>',
          to: 'Alex Doe <alex@northwind.example>',
          subject: 'Site visit photos',
          text: 'Here is the photo from this morning. The scaffolding is up on the east side.',
          filename: 'east-side.png',
          contentType: 'image/png',
          base64: TINY_PNG_BASE64,
          date: photos,
        }),
      },
    ]);
    await seedMessages(dovecot, personal!, personalInbox(now));
  },
});

// Account colours, as a user would pick them in the options page.
const code = pairingCodeFrom((await runRelayCli(['pair'], { dataDir: world.relay.dataDir })).stdout);
const paired = await pairDevice(world.relay.httpUrl, code);
const token = (paired.body as { token?: string } | null)?.token;
if (!token) throw new Error(`pairing the helper client failed: ${JSON.stringify(paired.body)}`);
const { client } = await TestClient.connect(world.relay.url, token);
const colors = ['#2563eb', '#16a34a'];
for (const [i, account] of world.accounts.entries()) {
  await client.request('accounts.update', { id: account.id, patch: { color: colors[i] ?? null } });
}
client.close();

const shoot = async (
  name: string,
  colorScheme: 'light' | 'dark',
  act?: (page: Page) => Promise<void>,
  size?: { width: number; height: number },
) => {
  const page = await world.openPopup({ colorScheme, ...size });
  await page.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
  // Let the fresh list replace the cached one and the account colours arrive.
  await page.waitForTimeout(800);
  await act?.(page);
  const file = join(outDir, `${name}.png`);
  await page.screenshot({ path: file });
  process.stdout.write(`wrote ${file}\n`);
  await page.close();
};

await shoot('popup-list', 'light', async (page) => {
  // Focus the second message and select two, so the list shows its states.
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await page.keyboard.press('k');
  await page.waitForTimeout(200);
});
await shoot('popup-message', 'light', async (page) => {
  await page.getByTestId('message-row').filter({ hasText: 'Design review: new onboarding flow' }).click();
  await page.getByTestId('message-frame').waitFor();
  await page.waitForTimeout(600);
});
await shoot('popup-dark', 'dark');
await shoot('popup-attachments', 'light', async (page) => {
  await page.getByTestId('message-row').filter({ hasText: 'Site visit photos' }).click();
  await page.getByTestId('attachment').first().waitFor();
  await page.waitForTimeout(600);
});

// The compact popup, chosen in the options page as a user would; then back to wide.
{
  const page = await world.browser.openPage('options.html');
  page.setDefaultTimeout(15_000);
  const stored = () =>
    page.evaluate(`chrome.storage.local.get('tidings.device.v1').then((s) => s['tidings.device.v1']?.popupSize)`);
  await page.getByTestId('popup-size-compact').check();
  while ((await stored()) !== 'compact') await page.waitForTimeout(50);
  const compact = { width: POPUP_DIMENSIONS.compact.width, height: POPUP_DIMENSIONS.compact.height };
  await shoot(
    'popup-compact-list',
    'light',
    async (popup) => {
      // Two selected: the toolbar at its fullest (selection count and Clear selection).
      for (const key of ['j', 'x', 'j', 'x']) await popup.keyboard.press(key);
      await popup.waitForTimeout(200);
    },
    compact,
  );
  await shoot(
    'popup-compact-message',
    'light',
    async (popup) => {
      await popup.getByTestId('message-row').filter({ hasText: 'Site visit photos' }).click();
      await popup.getByTestId('attachment').first().waitFor();
      await popup.waitForTimeout(600);
    },
    compact,
  );
  await page.setViewportSize({ width: 900, height: 700 });
  const section = page.getByTestId('section-this-browser');
  await section.scrollIntoViewIfNeeded();
  const file = join(outDir, 'options-this-browser.png');
  await section.screenshot({ path: file });
  process.stdout.write(`wrote ${file}\n`);
  await page.getByTestId('popup-size-wide').check();
  while ((await stored()) !== 'wide') await page.waitForTimeout(50);
  await page.close();
}

/** The options page's add-account form up to the server step, filled as a user would. */
async function addAccountForm(page: Page): Promise<void> {
  await page.setViewportSize({ width: 900, height: 900 });
  await page.getByTestId('add-account-button').click();
  await page.getByTestId('provider-custom').click();
  await page.getByTestId('account-email').fill('alex@northwind.example');
  await page.getByTestId('discover-button').click();
  await page.getByTestId('server-host').waitFor();
  await page.getByTestId('server-host').fill('127.0.0.1');
  await page.getByTestId('server-port').fill(String(world.dovecot.imapsPort));
  await page.getByTestId('server-username').fill(world.accounts[0].user.username);
  await page.getByTestId('account-password').fill('not the password');
}

const shootPage = async (page: Page, name: string) => {
  // A full-page shot keeps the sticky header where the page is scrolled to: start from the top.
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0));
  await page.waitForTimeout(100);
  const file = join(outDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`wrote ${file}\n`);
};

{
  const page = await world.browser.openPage('options.html');
  await page.getByTestId('account-row').first().waitFor({ timeout: 15_000 });
  await addAccountForm(page);
  await shootPage(page, 'options-add-account');
  await page.getByTestId('diagnose-button').click();
  await page.locator('[data-testid="diagnosis"][data-ok="false"] [data-testid="diag-hint"]').first().waitFor({
    timeout: 20_000,
  });
  await page.waitForTimeout(300);
  await shootPage(page, 'options-checklist');
  await page.close();
}
{
  const spanish = await launchExtension({ extensionDir: extensionDir(), lang: 'es' });
  try {
    const page = await pairFromOptions(spanish, world.relay);
    await page.getByTestId('account-row').first().waitFor({ timeout: 15_000 });
    await addAccountForm(page);
    await shootPage(page, 'options-es-add-account');
  } finally {
    await spanish.close();
  }
}
