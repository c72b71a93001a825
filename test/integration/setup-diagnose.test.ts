// Issue 4, account setup: the diagnosis checklist and accounts.add against real Dovecot
// instances (CA-signed and self-signed) and the real relay process. Nothing is saved on failure,
// a self-signed server can be trusted only by pinning its exact certificate, and the password
// never shows up in the relay's output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../shared/index.js';
import { startDovecot, type Dovecot } from '../harness/dovecot.js';
import { TestClient, rejection } from '../harness/protocol-client.js';
import { startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken, serverSettings, trustTestCaEnv } from '../harness/setup-fixtures.js';

let dovecot: Dovecot;
let selfSigned: Dovecot;
let relay: RelayProcess;
let token: string;

beforeAll(async () => {
  [dovecot, selfSigned] = await Promise.all([startDovecot(), startDovecot({ certificate: 'self-signed' })]);
  relay = await startRelayProcess({ env: trustTestCaEnv(dovecot) });
  token = await pairToken(relay);
});

afterAll(async () => {
  await relay?.stop();
  await Promise.all([dovecot?.stop(), selfSigned?.stop()]);
});

const stepsOf = (d: Diagnosis) => Object.fromEntries(d.steps.map((s) => [s.id, s.status]));

describe('accounts.diagnose', () => {
  it('passes every step against a trusted server and lists its capabilities', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const d = await client.request('accounts.diagnose', {
      settings: serverSettings(dovecot, user),
      password: user.password,
    });
    expect(d.ok).toBe(true);
    expect(stepsOf(d)).toEqual({ dns: 'ok', tcp: 'ok', tls: 'ok', capabilities: 'ok', auth: 'ok' });
    expect(d.addresses).toEqual(['127.0.0.1']);
    expect(d.tlsVersion).toMatch(/^TLSv1\.[23]$/);
    expect(d.certificate).toMatchObject({ trusted: true, selfSigned: false, fingerprint256: dovecot.fingerprint256 });
    expect(d.certificate?.issuer).toContain('Tidings Test CA');
    expect(d.capabilities).toEqual(
      expect.arrayContaining(['IDLE', 'CONDSTORE', 'QRESYNC', 'SPECIAL-USE', 'MOVE', 'UIDPLUS']),
    );
    expect(d.steps.find((s) => s.id === 'capabilities')?.detail).toContain('IDLE');
    expect(d.rttMs).toBeGreaterThanOrEqual(0);
    expect(d.error).toBeNull();
    expect(d.steps.find((s) => s.id === 'tcp')?.ms).toBeGreaterThanOrEqual(0);
  });

  it('works over STARTTLS, resolves host names, and warns about plaintext', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const starttls = await client.request('accounts.diagnose', {
      settings: serverSettings(dovecot, user, { security: 'starttls', host: 'localhost' }),
      password: user.password,
    });
    expect(starttls.ok).toBe(true);
    expect(starttls.steps.find((s) => s.id === 'dns')?.detail).toContain('localhost resolves to');
    expect(starttls.steps.find((s) => s.id === 'tls')?.detail).toContain('STARTTLS');

    const plain = await client.request('accounts.diagnose', {
      settings: serverSettings(dovecot, user, { security: 'plain' }),
      password: user.password,
    });
    expect(plain.ok).toBe(true);
    const tls = plain.steps.find((s) => s.id === 'tls');
    expect(tls?.status).toBe('warn');
    expect(tls?.hint).toMatch(/readable/);
    expect(plain.certificate).toBeNull();
  });

  it('says where it failed when nothing listens on the port', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const d = await client.request('accounts.diagnose', {
      settings: serverSettings(dovecot, user, { port: 1 }),
      password: user.password,
    });
    expect(d.ok).toBe(false);
    expect(stepsOf(d)).toEqual({ dns: 'ok', tcp: 'fail', tls: 'skipped', capabilities: 'skipped', auth: 'skipped' });
    expect(d.steps.find((s) => s.id === 'tcp')?.hint).toMatch(/993/);
    expect(d.steps.find((s) => s.id === 'tcp')?.code).toBe('UNREACHABLE');
  });

  it('reports a wrong password with a hint, and accounts.add then saves nothing', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const before = await client.request('accounts.list', {});
    const d = await client.request('accounts.diagnose', {
      settings: serverSettings(dovecot, user),
      password: 'not-the-password',
    });
    expect(d.ok).toBe(false);
    expect(stepsOf(d)).toMatchObject({ tls: 'ok', auth: 'fail' });
    expect(d.steps.find((s) => s.id === 'auth')?.hint).toMatch(/Check the username and password/);
    // The failed step names its code, so the options page shows the right fix.
    expect(d.steps.find((s) => s.id === 'auth')?.code).toBe('AUTH_FAILED');

    const err = await rejection(
      client.request('accounts.add', {
        settings: serverSettings(dovecot, user),
        password: 'not-the-password',
        name: 'Wrong',
        color: null,
        watchedMailboxes: ['INBOX'],
      }),
    );
    expect(err.error.code).toBe('AUTH_FAILED');
    expect((await client.request('accounts.list', {})).accounts).toEqual(before.accounts);
  });

  it('refuses a folder that does not exist, saving nothing', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const before = await client.request('accounts.list', {});
    const err = await rejection(
      client.request('accounts.add', {
        settings: serverSettings(dovecot, user),
        password: user.password,
        name: 'No folder',
        color: null,
        watchedMailboxes: ['INBOX', 'No Such Folder'],
      }),
    );
    expect(err.error.code).toBe('NOT_FOUND');
    expect(err.error.message).toContain('No Such Folder');
    expect((await client.request('accounts.list', {})).accounts).toEqual(before.accounts);
  });
});

describe('a self-signed server', () => {
  it('fails TLS with the certificate shown; pinning it lets add succeed and the watcher go online', async () => {
    const user = await selfSigned.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const settings = serverSettings(selfSigned, user);

    const d = await client.request('accounts.diagnose', { settings, password: user.password });
    expect(d.ok).toBe(false);
    expect(stepsOf(d)).toEqual({ dns: 'ok', tcp: 'ok', tls: 'fail', capabilities: 'skipped', auth: 'skipped' });
    expect(d.error?.code).toBe('TLS_FAILED');
    expect(d.certificate).toMatchObject({
      trusted: false,
      selfSigned: true,
      fingerprint256: selfSigned.fingerprint256,
      subject: 'CN=localhost',
    });
    expect(d.certificate!.validTo).toBeGreaterThan(Date.now());
    const tls = d.steps.find((s) => s.id === 'tls')!;
    expect(tls.detail).toMatch(/self-signed/);
    expect(tls.hint).toContain(selfSigned.fingerprint256);
    expect(tls.hint).toMatch(/Trust this certificate/);

    const before = await client.request('accounts.list', {});
    const unpinned = await rejection(
      client.request('accounts.add', {
        settings,
        password: user.password,
        name: 'Self',
        color: null,
        watchedMailboxes: ['INBOX'],
      }),
    );
    expect(unpinned.error.code).toBe('TLS_FAILED');
    expect((await client.request('accounts.list', {})).accounts).toEqual(before.accounts);

    // The UI's "Trust this certificate": resend with the fingerprint it was shown (any case, no colons).
    const pin = selfSigned.fingerprint256.replace(/:/g, '').toLowerCase();
    const pinnedDiagnosis = await client.request('accounts.diagnose', {
      settings: { ...settings, pinnedFingerprint: pin },
      password: user.password,
    });
    expect(pinnedDiagnosis.ok).toBe(true);
    expect(pinnedDiagnosis.certificate?.trusted).toBe(true);
    expect(pinnedDiagnosis.steps.find((s) => s.id === 'tls')?.detail).toMatch(/pinned/);

    const added = await client.request('accounts.add', {
      settings: { ...settings, pinnedFingerprint: pin },
      password: user.password,
      name: 'Self-signed',
      color: '#336699',
      watchedMailboxes: ['INBOX'],
    });
    expect(added.account).toMatchObject({
      pinnedFingerprint: selfSigned.fingerprint256,
      color: '#336699',
      name: 'Self-signed',
    });
    expect(added.diagnosis.ok).toBe(true);
    const id = added.account.id;
    await client.waitFor(
      () =>
        client.latestState(id) === 'online' ||
        client.events.some((e) => e.event === 'counts' && e.payload.accountId === id),
      10_000,
      'pinned account online',
    );
    const listed = await client.request('accounts.list', {});
    expect(listed.accounts.find((a) => a.id === id)?.state.status).toBe('online');
  });

  it('refuses a wrong pin with TLS_FAILED', async () => {
    const user = await selfSigned.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const wrong = 'AB:'.repeat(31) + 'AB';
    const settings = serverSettings(selfSigned, user, { pinnedFingerprint: wrong });
    const d = await client.request('accounts.diagnose', { settings, password: user.password });
    expect(d.ok).toBe(false);
    expect(d.error?.code).toBe('TLS_FAILED');
    expect(d.certificate).toMatchObject({ trusted: false, fingerprint256: selfSigned.fingerprint256 });
    expect(stepsOf(d)).toMatchObject({ tls: 'fail', auth: 'skipped' });
    const err = await rejection(
      client.request('accounts.add', {
        settings,
        password: user.password,
        name: 'Wrong pin',
        color: null,
        watchedMailboxes: ['INBOX'],
      }),
    );
    expect(err.error.code).toBe('TLS_FAILED');

    const badFormat = await rejection(
      client.request('accounts.diagnose', {
        settings: { ...settings, pinnedFingerprint: 'not-hex' },
        password: user.password,
      }),
    );
    expect(badFormat.error.code).toBe('BAD_REQUEST');
  });

  it('pins a certificate from a private CA the relay does not know', async () => {
    // A relay that does not trust the test CA: the CA-signed server is "unknown authority", not self-signed.
    await using untrusting = await startRelayProcess();
    const t = await pairToken(untrusting);
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(untrusting.url, t);
    using _c = client;
    const settings = serverSettings(dovecot, user);
    const d = await client.request('accounts.diagnose', { settings, password: user.password });
    expect(d.error?.code).toBe('TLS_FAILED');
    expect(d.certificate).toMatchObject({ trusted: false, selfSigned: false, fingerprint256: dovecot.fingerprint256 });
    expect(d.steps.find((s) => s.id === 'tls')?.detail).toMatch(/not issued by an authority the relay trusts/);
    const added = await client.request('accounts.add', {
      settings: { ...settings, pinnedFingerprint: d.certificate!.fingerprint256 },
      password: user.password,
      name: 'Private CA',
      color: null,
      watchedMailboxes: ['INBOX'],
    });
    await client.waitFor(() => client.latestState(added.account.id) === 'online', 10_000, 'online with the pin');
  });

  it('a pin does not make a CA-signed server with another certificate acceptable', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const d = await client.request('accounts.diagnose', {
      settings: serverSettings(dovecot, user, { pinnedFingerprint: selfSigned.fingerprint256 }),
      password: user.password,
    });
    expect(d.ok).toBe(false);
    expect(d.error?.code).toBe('TLS_FAILED');
  });
});

describe('secrets', () => {
  it('never prints a password the relay was given', async () => {
    const user = await dovecot.addUser({ password: 'canary-Pa55word-7f3a9' });
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    await client.request('accounts.diagnose', { settings: serverSettings(dovecot, user), password: user.password });
    await client.request('accounts.diagnose', {
      settings: serverSettings(dovecot, user),
      password: 'canary-wrong-Pa55-1b2c',
    });
    const added = await client.request('accounts.add', {
      settings: serverSettings(dovecot, user),
      password: user.password,
      name: 'Canary',
      color: null,
      watchedMailboxes: ['INBOX'],
    });
    const got = await client.request('accounts.get', { id: added.account.id });
    expect(JSON.stringify(got)).not.toContain('canary');
    expect(Object.keys(got.account)).not.toContain('secretEnc');
    expect(relay.output()).not.toContain('canary');
  });
});
