// Issue 13 in real Chromium: an account pinned to a self-signed certificate whose Dovecot restarts
// on a NEW self-signed certificate. Its editor shows the new fingerprint beside the old one; after
// the user confirms the comparison, "Trust the new certificate" re-pins it on the relay (which
// checks the server presents it) and the account goes live again.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSelfSignedPair, type CertificatePair } from '../harness/certs.js';
import { launchExtension, type ExtensionBrowser } from '../harness/chromium.js';
import { startDovecot, type Dovecot } from '../harness/dovecot.js';
import { pairFromOptions } from '../harness/options-page.js';
import { makeTempDir } from '../harness/paths.js';
import { TestClient } from '../harness/protocol-client.js';
import { startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken, serverSettings } from '../harness/setup-fixtures.js';

let dir: string;
let first: CertificatePair;
let dovecot: Dovecot;
let relay: RelayProcess;
let client: TestClient;
let browser: ExtensionBrowser;
let page: Page;

/** Dovecot serves whatever is in served.crt/key (read again on restart). */
function serve(pair: CertificatePair): void {
  writeFileSync(join(dir, 'served.crt'), pair.certPem);
  writeFileSync(join(dir, 'served.key'), pair.keyPem, { mode: 0o600 });
}

beforeAll(async () => {
  dir = makeTempDir('cert-change-e2e');
  first = await newSelfSignedPair(dir, 'first');
  serve(first);
  dovecot = await startDovecot({
    certificate: 'self-signed',
    extraConfig: `ssl_cert = <${join(dir, 'served.crt')}\nssl_key = <${join(dir, 'served.key')}\n`,
  });
  relay = await startRelayProcess();
  client = (await TestClient.connect(relay.url, await pairToken(relay))).client;
  browser = await launchExtension();
  page = await pairFromOptions(browser, relay);
});

afterAll(async () => {
  client?.close();
  await browser?.close();
  await relay?.stop();
  await dovecot?.stop();
});

describe('a changed self-signed certificate in the account editor', () => {
  it('shows the new fingerprint beside the old one and trusting it brings the account back', async () => {
    const user = await dovecot.addUser();
    const { account } = await client.request('accounts.add', {
      settings: serverSettings(dovecot, user, { pinnedFingerprint: first.fingerprint256 }),
      password: user.password,
      name: 'Home server',
      color: null,
      watchedMailboxes: ['INBOX'],
    });
    await client.waitFor(() => client.latestHealth(account.id)?.state === 'live', 15_000, 'live');

    const next = await newSelfSignedPair(dir, 'next');
    serve(next);
    await dovecot.restart();
    await client.waitFor(() => client.latestHealth(account.id)?.state === 'cert_changed', 20_000, 'cert_changed');

    const row = page.locator('[data-testid="account-row"]', { hasText: 'Home server' });
    await row.getByTestId('edit-account-button').click();
    const editor = page.getByTestId('account-editor');
    // Opening the editor of a cert_changed account fetches the new certificate by itself.
    const trust = editor.getByTestId('certificate-trust');
    await trust.waitFor({ timeout: 20_000 });
    expect(await trust.getByTestId('cert-previous-fingerprint').textContent()).toBe(first.fingerprint256);
    expect(await trust.getByTestId('cert-fingerprint').textContent()).toBe(next.fingerprint256);
    expect(await trust.getByTestId('trust-button').textContent()).toContain('Trust the new certificate');
    expect(await trust.getByTestId('trust-button').isDisabled()).toBe(true);

    await trust.getByTestId('trust-confirm').check();
    await trust.getByTestId('trust-button').click();
    await editor.getByTestId('cert-trusted').waitFor({ timeout: 20_000 });
    await client.waitFor(() => client.latestHealth(account.id)?.state === 'live', 20_000, 'live again');
    expect((await client.request('accounts.get', { id: account.id })).account.pinnedFingerprint).toBe(
      next.fingerprint256,
    );
    expect(await editor.getByTestId('certificate-trust').count()).toBe(0);
  });
});
