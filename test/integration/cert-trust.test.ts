// Issue 13: an account pinned to a self-signed certificate whose server got a NEW self-signed
// certificate. The relay reports cert_changed; the saved account's diagnosis shows the new
// certificate; accounts.trustCertificate re-pins only the fingerprint the server presents now
// (a stale or made-up one is refused and changes nothing), and the account goes live again.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSelfSignedPair, type CertificatePair } from '../harness/certs.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { makeTempDir } from '../harness/paths.js';
import { rejection, TestClient } from '../harness/protocol-client.js';
import { startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken, serverSettings } from '../harness/setup-fixtures.js';

let dir: string;
let first: CertificatePair;
let dovecot: Dovecot;
let relay: RelayProcess;
let client: TestClient;
let user: ImapUser;

/** Dovecot serves whatever is in served.crt/key (read again on restart). */
function serve(pair: CertificatePair): void {
  writeFileSync(join(dir, 'served.crt'), pair.certPem);
  writeFileSync(join(dir, 'served.key'), pair.keyPem, { mode: 0o600 });
}

beforeAll(async () => {
  dir = makeTempDir('cert-trust');
  first = await newSelfSignedPair(dir, 'first');
  serve(first);
  dovecot = await startDovecot({
    certificate: 'self-signed',
    extraConfig: `ssl_cert = <${join(dir, 'served.crt')}\nssl_key = <${join(dir, 'served.key')}\n`,
  });
  user = await dovecot.addUser();
  // No test CA for the relay: only a pin makes these certificates trusted.
  relay = await startRelayProcess();
  client = (await TestClient.connect(relay.url, await pairToken(relay))).client;
});

afterAll(async () => {
  client?.close();
  await relay?.stop();
  await dovecot?.stop();
});

describe('trusting a changed self-signed certificate', () => {
  it('shows the new certificate, refuses a fingerprint the server does not present, and re-pins the right one', async () => {
    const { account } = await client.request('accounts.add', {
      settings: serverSettings(dovecot, user, { pinnedFingerprint: first.fingerprint256 }),
      password: user.password,
      name: 'Pinned',
      color: null,
      watchedMailboxes: ['INBOX'],
    });
    await client.waitFor(() => client.latestState(account.id) === 'online', 15_000, 'online with the first pin');

    const next = await newSelfSignedPair(dir, 'next');
    serve(next);
    await dovecot.restart();
    await client.waitFor(
      () => client.latestHealth(account.id)?.state === 'cert_changed',
      20_000,
      'cert_changed after the new certificate',
    );

    // The saved account's checklist names the new certificate beside the pinned one.
    const d = await client.request('accounts.diagnose', { accountId: account.id });
    expect(d.steps.find((s) => s.id === 'tls')).toMatchObject({ status: 'fail', code: 'TLS_FAILED' });
    expect(d.certificate).toMatchObject({ fingerprint256: next.fingerprint256, trusted: false, selfSigned: true });
    expect(d.steps.find((s) => s.id === 'auth')?.status).toBe('skipped');

    // The old fingerprint (or any other) is not what the server presents: refused, pin unchanged.
    for (const wrong of [first.fingerprint256, 'AB'.repeat(32)]) {
      const err = await rejection(client.request('accounts.trustCertificate', { id: account.id, fingerprint: wrong }));
      expect(err.error.code).toBe('TLS_FAILED');
    }
    expect((await client.request('accounts.get', { id: account.id })).account.pinnedFingerprint).toBe(
      first.fingerprint256,
    );
    const bad = await rejection(client.request('accounts.trustCertificate', { id: account.id, fingerprint: 'nope' }));
    expect(bad.error.code).toBe('BAD_REQUEST');

    // The right one, in any spelling, is checked against the server, stored, and the account goes live.
    const trusted = await client.request('accounts.trustCertificate', {
      id: account.id,
      fingerprint: next.fingerprint256.replaceAll(':', '').toLowerCase(),
    });
    expect(trusted.account.pinnedFingerprint).toBe(next.fingerprint256);
    expect(trusted.diagnosis.ok).toBe(true);
    await client.waitFor(() => client.latestHealth(account.id)?.state === 'live', 20_000, 'live with the new pin');
    expect((await client.request('accounts.get', { id: account.id })).account.pinnedFingerprint).toBe(
      next.fingerprint256,
    );
  });
});
