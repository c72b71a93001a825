// Issue 9 in real Chromium: the options page's "Sign-in apps" sets the Google client id (no CLI),
// the Google sign-in then uses exactly that client id (the harness OAuth2 provider checks it and
// its secret), and the signed-in account's editor shows the provider and address instead of a
// password and runs the checklist with the token steps against Dovecot's oauth2 passdb.
import { randomBytes } from 'node:crypto';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionBrowser } from '../harness/chromium.js';
import { startDovecot, type Dovecot } from '../harness/dovecot.js';
import { startOAuthProvider, type LocalOAuthProvider } from '../harness/oauth-provider.js';
import { pairFromOptions } from '../harness/options-page.js';
import { startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { trustTestCaEnv } from '../harness/setup-fixtures.js';

const CLIENT_ID = 'set-from-options.apps.googleusercontent.com';
const SECRET = `GOCSPX-${randomBytes(8).toString('hex')}`;
/** The id the manifest key pins (extension/wxt.config.ts). */
const REDIRECT_URI = 'https://oihelfjcondonnbdjhopoammfceepnjd.chromiumapp.org/';

let provider: LocalOAuthProvider;
let dovecot: Dovecot;
let relay: RelayProcess;
let browser: ExtensionBrowser;
let page: Page;

beforeAll(async () => {
  provider = await startOAuthProvider();
  provider.registerClient({ clientId: CLIENT_ID, clientSecret: SECRET });
  dovecot = await startDovecot({ oauth2: { introspectionUrl: provider.endpoints.introspection } });
  relay = await startRelayProcess({
    env: {
      ...trustTestCaEnv(dovecot),
      TIDINGS_OAUTH_ENDPOINTS: JSON.stringify({
        google: { authorization: provider.endpoints.authorization, token: provider.endpoints.token },
      }),
    },
  });
  browser = await launchExtension();
  page = await pairFromOptions(browser, relay);
});

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  await dovecot?.stop();
  await provider?.close();
});

const googleRow = (): Locator => page.locator('[data-testid="oauth-client"][data-provider="google"]');

async function readiness(value: string): Promise<void> {
  await page.locator(`[data-testid="oauth-client"][data-provider="google"][data-readiness="${value}"]`).waitFor();
}

describe('Sign-in apps on the options page', () => {
  it('sets the Google client id and secret; the secret is never shown; the redirect URI and guide are there', async () => {
    await readiness('notSet');
    expect(await googleRow().getByTestId('oauth-redirect-uri').textContent()).toBe(REDIRECT_URI);

    await googleRow().getByTestId('oauth-client-edit').click();
    await googleRow().getByTestId('oauth-client-id-input').fill(CLIENT_ID);
    await googleRow().getByTestId('oauth-client-secret-input').fill(SECRET);
    await googleRow().getByTestId('oauth-client-save').click();
    await readiness('ready');
    expect(await googleRow().getByTestId('oauth-client-id').textContent()).toBe(CLIENT_ID);
    expect(await googleRow().getByTestId('oauth-client-secret').textContent()).toContain('set (never shown)');
    expect(await page.content()).not.toContain(SECRET);

    // The linked guide ships with the build and describes this screen.
    const href = await page.getByTestId('oauth-docs-link').getAttribute('href');
    const guide = await browser.context.newPage();
    await guide.goto(new URL(href ?? '', page.url()).href);
    expect(await guide.locator('body').textContent()).toContain('Sign-in apps');
    await guide.close();
  });

  it('signs in with the client id set there, and the account editor shows the sign-in instead of a password', async () => {
    const username = `g-${randomBytes(3).toString('hex')}@gmail.com`;
    await dovecot.addUser({ username });
    await page.getByTestId('add-account-button').click();
    await page.getByTestId('provider-custom').click();
    await page.getByTestId('account-email').fill(username);
    await page.getByTestId('account-name').fill(username);
    await page.getByTestId('discover-button').click();
    await page.getByTestId('server-host').fill(dovecot.host);
    await page.getByTestId('server-port').fill(String(dovecot.imapsPort));
    await expect(page.getByTestId('oauth-offer').getAttribute('data-provider')).resolves.toBe('google');
    expect(await page.getByTestId('oauth-not-configured').count()).toBe(0);

    const consent = browser.context.waitForEvent('page');
    await page.getByTestId('oauth-start').click();
    const popup = await consent;
    await popup.locator('#allow').waitFor();
    expect(new URL(popup.url()).searchParams.get('client_id')).toBe(CLIENT_ID);
    const redeemsBefore = provider.tokenRequests['authorization_code'] ?? 0;
    await popup.locator('#allow').click();
    const row = page.locator('[data-testid="account-row"]', { hasText: username });
    await row.waitFor({ timeout: 20_000 });
    // The relay redeemed the code with the secret typed on the page (the provider checks both).
    expect(provider.tokenRequests['authorization_code']).toBe(redeemsBefore + 1);

    await row.getByTestId('edit-account-button').click();
    const editor = page.getByTestId('account-editor');
    await editor.getByTestId('edit-oauth').waitFor();
    expect(await editor.getByTestId('edit-oauth-provider').textContent()).toContain('Google');
    expect(await editor.getByTestId('edit-oauth-address').textContent()).toBe(username);
    expect(await editor.getByTestId('edit-password').count()).toBe(0);
    expect(await editor.getByTestId('edit-sign-in-again').isEnabled()).toBe(true);

    await editor.getByTestId('check-connection').click();
    await editor.locator('[data-testid="diagnosis"][data-ok="true"]').waitFor({ timeout: 20_000 });
    const steps = await editor
      .getByTestId('diag-step')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-step')}:${e.getAttribute('data-status')}`));
    expect(steps.slice(0, 2)).toEqual(['token:ok', 'scopes:ok']);
    expect(steps).toContain('auth:ok');
    expect(await editor.textContent()).toContain('Token accepted by the mail server');
  });

  it('a sign-in whose grant lacks the mail scope shows the checklist that says so', async () => {
    await page.reload();
    const username = `scope-${randomBytes(3).toString('hex')}@gmail.com`;
    await dovecot.addUser({ username });
    await page.getByTestId('add-account-button').click();
    await page.getByTestId('provider-custom').click();
    await page.getByTestId('account-email').fill(username);
    await page.getByTestId('account-name').fill(username);
    await page.getByTestId('discover-button').click();
    await page.getByTestId('server-host').fill(dovecot.host);
    await page.getByTestId('server-port').fill(String(dovecot.imapsPort));
    provider.grantScope = 'openid email';
    try {
      const consent = browser.context.waitForEvent('page');
      await page.getByTestId('oauth-start').click();
      await (await consent).locator('#allow').click();
      const panel = page.getByTestId('oauth-sign-in');
      await panel.getByTestId('oauth-error').waitFor({ timeout: 20_000 });
      await panel.locator('[data-testid="diag-step"][data-step="scopes"][data-status="fail"]').waitFor();
      expect(await panel.textContent()).toContain(
        'Mail access was not granted: the sign-in lacks the permission https://mail.google.com/.',
      );
      expect(await panel.locator('[data-step="token"]').getAttribute('data-status')).toBe('ok');
    } finally {
      provider.grantScope = null;
    }
    expect(await page.locator('[data-testid="account-row"]', { hasText: username }).count()).toBe(0);
  });

  it('removes the registration after confirmation', async () => {
    await googleRow().getByTestId('oauth-client-remove').click();
    await googleRow().getByTestId('oauth-client-remove-confirm').click();
    await readiness('notSet');
    expect(await googleRow().getByTestId('oauth-client-id').textContent()).toBe('—');
  });
});
