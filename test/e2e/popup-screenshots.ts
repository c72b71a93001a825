// Takes the popup screenshots in docs/screenshots/ from the real popup in headless Chromium,
// against a private Dovecot with realistic mail and the real relay:
//
//   node --import tsx test/e2e/popup-screenshots.ts     (build first: npm run build:test)
//
//   popup-list.png     the unified inbox, light theme
//   popup-message.png  an opened HTML message
//   popup-dark.png     the list in dark mode
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { repoRoot } from '../harness/paths.js';
import { pairDevice, TestClient } from '../harness/protocol-client.js';
import { pairingCodeFrom, runRelayCli } from '../harness/relay.js';
import { personalInbox, TINY_PNG_BASE64, withAttachment, workInbox } from './popup-seed.js';
import { seedMessages, startPopupWorld } from './popup-world.js';

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

const shoot = async (name: string, colorScheme: 'light' | 'dark', act?: (page: Page) => Promise<void>) => {
  const page = await world.openPopup({ colorScheme });
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
