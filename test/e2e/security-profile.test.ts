// SECURITY.md "secrets", the extension's profile (issue 12): after pairing, adding a password
// account with a canary password and an OAuth2 account (Microsoft device code against the local
// provider), and reading mail in the popup, nothing the extension keeps — chrome.storage.local,
// .session, .sync, the origin's localStorage, every IndexedDB database — holds the password (or
// its base64), or any refresh or access token the provider issued. The one secret it does keep
// is the relay device token, as SECURITY.md says ("the extension holds only a revocable device
// token"): once, in storage.local, 32 random bytes, and the relay has only its SHA-256.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchExtension, type ExtensionBrowser } from '../harness/chromium.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { appendMessage } from '../harness/mail.js';
import { startOAuthProvider, type LocalOAuthProvider } from '../harness/oauth-provider.js';
import { pairFromOptions, startAddingAccount } from '../harness/options-page.js';
import { runRelayCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { trustTestCaEnv } from '../harness/setup-fixtures.js';
import { dumpProfile, placesHolding, type ProfileDump } from './profile-dump.js';
import { watchCspViolations } from './popup-world.js';
import { openMessage } from './security-support.js';

const CANARY_PASSWORD = `Canary-pw-${randomBytes(6).toString('hex')}`;

let provider: LocalOAuthProvider;
let dovecot: Dovecot;
let relay: RelayProcess;
let browser: ExtensionBrowser;
let page: Page;
let passwordUser: ImapUser;
let cspViolations: () => string[];

beforeAll(async () => {
  provider = await startOAuthProvider();
  provider.registerClient({ clientId: 'ms-client' });
  dovecot = await startDovecot({ oauth2: { introspectionUrl: provider.endpoints.introspection } });
  relay = await startRelayProcess({
    env: {
      ...trustTestCaEnv(dovecot),
      TIDINGS_OAUTH_ENDPOINTS: JSON.stringify({
        microsoft: { deviceAuthorization: provider.endpoints.deviceAuthorization, token: provider.endpoints.token },
      }),
    },
  });
  const set = await runRelayCli(['oauth', 'set', 'microsoft', '--client-id', 'ms-client'], {
    dataDir: relay.dataDir,
  });
  if (set.code !== 0) throw new Error(set.stderr);
  passwordUser = await dovecot.addUser({ password: CANARY_PASSWORD });
  await appendMessage(dovecot, passwordUser, {
    subject: 'Profile secrets check',
    text: 'Hello from the canary account.',
  });
  browser = await launchExtension();
  cspViolations = await watchCspViolations(browser.context, browser.origin);
  page = await pairFromOptions(browser, relay);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  await dovecot?.stop();
  await provider?.close();
});

/** Add account → custom → address → Continue, then aim the server fields at the test Dovecot. */
const startAdding = (email: string) => startAddingAccount(page, { email, server: dovecot });

async function accountRow(name: string): Promise<void> {
  await page.locator('[data-testid="account-row"]', { hasText: name }).waitFor({ timeout: 20_000 });
}

/** Every place in the profile that holds any of `secrets`, named by a label (never the value). */
function leaks(dump: ProfileDump, secrets: Record<string, string>): string[] {
  return Object.entries(secrets).flatMap(([label, value]) =>
    placesHolding(dump, value).map((where) => `${label} in ${where}`),
  );
}

describe("the extension's profile holds no IMAP or OAuth secret", () => {
  it('after adding a password account and an OAuth2 account and reading mail', async () => {
    // A password account, through the form, with the canary password.
    await startAdding(`${passwordUser.username}@profile.test`);
    await page.getByTestId('server-username').fill(passwordUser.username);
    await page.getByTestId('account-password').fill(CANARY_PASSWORD);
    await page.getByTestId('diagnose-button').click();
    await page.locator('[data-testid="diagnosis"][data-ok="true"]').waitFor({ timeout: 20_000 });
    await page.getByTestId('save-account-button').click();
    await accountRow(`${passwordUser.username}@profile.test`);

    // An OAuth2 account: Microsoft device code, approved at the local provider.
    const oauthUser = `ms-${randomBytes(3).toString('hex')}@hotmail.com`;
    await dovecot.addUser({ username: oauthUser });
    await startAdding(oauthUser);
    await page.getByTestId('oauth-start').click();
    provider.approveDevice((await page.getByTestId('oauth-user-code').textContent())?.trim() ?? '', oauthUser);
    await accountRow(oauthUser);

    // Read mail, so the cache and the outbox have had something to keep.
    const popup = await browser.openPage('popup.html');
    await openMessage(popup, 'Profile secrets check');
    await popup.close();

    // Controls: the dump sees what the extension stores (the message went into the IndexedDB
    // cache), and a value planted in each storage area is found where it was put.
    const plant = `plant-${randomBytes(6).toString('hex')}`;
    await page.evaluate(`Promise.all([
      chrome.storage.local.set({ plant: '${plant}' }),
      chrome.storage.session.set({ plant: '${plant}' }),
      chrome.storage.sync.set({ plant: '${plant}' }),
      localStorage.setItem('plant', '${plant}'),
    ])`);
    expect(placesHolding(await dumpProfile(browser, page), plant)).toEqual([
      'storage.local',
      'storage.session',
      'storage.sync',
      'storage.localStorage',
    ]);
    await page.evaluate(`Promise.all([
      chrome.storage.local.remove('plant'),
      chrome.storage.session.remove('plant'),
      chrome.storage.sync.remove('plant'),
      localStorage.removeItem('plant'),
    ])`);
    const dump = await dumpProfile(browser, page);
    expect(placesHolding(dump, 'Profile secrets check')).toContain('indexedDB tidings-cache/lists');
    expect(placesHolding(dump, plant)).toEqual([]);

    const tokens = provider.issuedTokens;
    expect(tokens.filter((t) => t.startsWith('rt')).length).toBeGreaterThan(0);
    expect(tokens.filter((t) => t.startsWith('at')).length).toBeGreaterThan(0);
    const secrets: Record<string, string> = {
      'the IMAP password': CANARY_PASSWORD,
      'the IMAP password in base64': Buffer.from(CANARY_PASSWORD).toString('base64'),
      'the IMAP password in base64url': Buffer.from(CANARY_PASSWORD).toString('base64url'),
    };
    for (const [i, token] of tokens.entries()) secrets[`OAuth token #${i + 1} (${token.slice(0, 2)})`] = token;
    expect(leaks(dump, secrets)).toEqual([]);
    expect(cspViolations()).toEqual([]);
  });
});

describe('the relay device token', () => {
  it('is kept once, in storage.local; the relay has only its SHA-256, and the pages never see it', async () => {
    const dump = await dumpProfile(browser, page);
    const stored = JSON.parse(dump.storage.local) as { 'tidings.v1'?: { pairing?: { token?: string } } };
    const token = stored['tidings.v1']?.pairing?.token ?? '';
    // 32 random bytes, base64url (relay/src/auth/tokens.ts generateDeviceToken).
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(placesHolding(dump, token)).toEqual(['storage.local']);
    expect(dump.storage.local.split(token).length - 1).toBe(1);

    const db = new Database(join(relay.dataDir, 'tidings.db'), { readonly: true, fileMustExist: true });
    try {
      const hashes = (db.prepare('SELECT token_hash FROM devices').all() as { token_hash: string }[]).map(
        (r) => r.token_hash,
      );
      expect(hashes).toContain(createHash('sha256').update(token, 'utf8').digest('hex'));
      const everything = JSON.stringify(
        (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) =>
          db.prepare(`SELECT * FROM "${t.name}"`).all(),
        ),
      );
      expect(everything).not.toContain(token);
    } finally {
      db.close();
    }

    // Neither page shows it (the snapshot the background sends them leaves it out).
    const popup = await browser.openPage('popup.html');
    await popup.getByTestId('message-row').first().waitFor({ timeout: 20_000 });
    for (const shown of [page, popup]) expect(await shown.content()).not.toContain(token);
    await popup.close();
  });
});
