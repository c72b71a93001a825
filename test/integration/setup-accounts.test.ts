// Issue 4, account management over the socket against real Dovecot and the real relay process:
// add starts the watcher (counts arrive), get never returns secrets, a rename does not reconnect,
// a new password is diagnosed before it is saved, remove stops the watcher, and another user's
// account ids are NOT_FOUND for every request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { appendMessage } from '../harness/mail.js';
import { TestClient, rejection } from '../harness/protocol-client.js';
import { startRelayProcess, type RelayProcess } from '../harness/relay.js';
import {
  eventually,
  loginCount,
  pairToken,
  pairTokenForNewUser,
  serverSettings,
  sessionEndCount,
  trustTestCaEnv,
} from '../harness/setup-fixtures.js';

let dovecot: Dovecot;
let relay: RelayProcess;
let token: string;

beforeAll(async () => {
  dovecot = await startDovecot();
  relay = await startRelayProcess({ env: trustTestCaEnv(dovecot) });
  token = await pairToken(relay);
});

afterAll(async () => {
  await relay?.stop();
  await dovecot?.stop();
});

async function addOnline(client: TestClient, user: ImapUser, name = `Acct ${user.username}`) {
  const { account } = await client.request('accounts.add', {
    settings: serverSettings(dovecot, user),
    password: user.password,
    name,
    color: null,
    watchedMailboxes: ['INBOX'],
  });
  await client.waitFor(() => client.latestState(account.id) === 'online', 10_000, `${name} online`);
  return account;
}

describe('accounts.add', () => {
  it('saves the account, starts its watcher, and counts arrive as events', async () => {
    const user = await dovecot.addUser();
    await appendMessage(dovecot, user, { subject: 'one' });
    await appendMessage(dovecot, user, { subject: 'two' });
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const { account, diagnosis } = await client.request('accounts.add', {
      settings: serverSettings(dovecot, user),
      password: user.password,
      name: '  Work  ',
      color: '#aa5500',
      watchedMailboxes: ['INBOX'],
    });
    expect(diagnosis.ok).toBe(true);
    expect(account).toEqual({
      id: account.id,
      name: 'Work',
      host: dovecot.host,
      port: dovecot.imapsPort,
      security: 'tls',
      username: user.username,
      pinnedFingerprint: null,
      color: '#aa5500',
      watchedMailboxes: ['INBOX'],
      archiveMailbox: null,
      // A password account (issue 9: OAuth2 accounts name their provider).
      oauthProvider: null,
    });
    await client.waitFor(
      () =>
        client.events.some((e) => e.event === 'counts' && e.payload.accountId === account.id && e.payload.unread === 2),
      10_000,
      'counts event with 2 unread',
    );
    expect(
      client.events.some((e) => e.event === 'accounts.changed' && e.payload.accounts.some((a) => a.id === account.id)),
    ).toBe(true);
    await appendMessage(dovecot, user, { subject: 'three' });
    await client.waitFor(() => client.latestUnread(account.id) === 3, 5_000, 'count 3 after APPEND');
    const listed = (await client.request('accounts.list', {})).accounts.find((a) => a.id === account.id);
    expect(listed).toMatchObject({ name: 'Work', color: '#aa5500', unread: 3, quota: null });
  });
});

describe('accounts.get and accounts.update', () => {
  it('returns settings without secrets', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const account = await addOnline(client, user);
    const got = await client.request('accounts.get', { id: account.id });
    expect(got.account).toEqual(account);
    expect(JSON.stringify(got)).not.toContain(user.password);
  });

  it('renames, recolours and sets the archive folder without reconnecting', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const account = await addOnline(client, user);
    const logins = loginCount(dovecot, user.username);
    expect(logins).toBeGreaterThan(0);
    const stateEvents = client.events.filter((e) => e.event === 'account.state').length;

    const updated = await client.request('accounts.update', {
      id: account.id,
      patch: { name: 'Renamed', color: '#123456', archiveMailbox: 'Archive' },
    });
    expect(updated.diagnosis).toBeNull();
    expect(updated.account).toMatchObject({ name: 'Renamed', color: '#123456', archiveMailbox: 'Archive' });
    await client.waitFor(
      () =>
        client.events.some(
          (e) =>
            e.event === 'accounts.changed' &&
            e.payload.accounts.some((a) => a.id === account.id && a.name === 'Renamed'),
        ),
      5_000,
      'accounts.changed with the new name',
    );
    const summary = (await client.request('accounts.list', {})).accounts.find((a) => a.id === account.id);
    expect(summary).toMatchObject({ name: 'Renamed', color: '#123456', state: { status: 'online' } });
    // Let any reconnect that would (wrongly) happen show up in Dovecot's log.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(loginCount(dovecot, user.username)).toBe(logins);
    expect(client.events.filter((e) => e.event === 'account.state').length).toBe(stateEvents);
  });

  it('diagnoses a new password before saving it', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const account = await addOnline(client, user);

    const wrong = await rejection(
      client.request('accounts.update', { id: account.id, patch: { name: 'Not saved' }, password: 'wrong-password' }),
    );
    expect(wrong.error.code).toBe('AUTH_FAILED');
    expect(wrong.error.message).toMatch(/Check the username and password/);
    // Nothing of the failed update was saved, and the account keeps working.
    expect((await client.request('accounts.get', { id: account.id })).account.name).toBe(account.name);
    expect((await client.request('accounts.list', {})).accounts.find((a) => a.id === account.id)?.state.status).toBe(
      'online',
    );

    const logins = loginCount(dovecot, user.username);
    const ok = await client.request('accounts.update', { id: account.id, patch: {}, password: user.password });
    expect(ok.diagnosis?.ok).toBe(true);
    // A re-entered password is a connection change: the watcher reconnects with it.
    await eventually(() => loginCount(dovecot, user.username) >= logins + 2, 10_000, 'diagnosis + watcher login');
    await client.waitFor(() => client.latestState(account.id) === 'online', 10_000, 'online again');
  });

  it('refuses changed server settings that fail the diagnosis, and applies ones that pass', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const account = await addOnline(client, user);
    const bad = await rejection(client.request('accounts.update', { id: account.id, patch: { port: 1 } }));
    expect(bad.error.code).toBe('UNREACHABLE');
    expect((await client.request('accounts.get', { id: account.id })).account.port).toBe(dovecot.imapsPort);

    const moved = await client.request('accounts.update', {
      id: account.id,
      patch: { security: 'starttls', port: dovecot.starttlsPort, watchedMailboxes: ['INBOX', 'Archive'] },
    });
    expect(moved.diagnosis?.ok).toBe(true);
    expect(moved.account).toMatchObject({ security: 'starttls', port: dovecot.starttlsPort });
    await client.waitFor(
      () =>
        client.events.some(
          (e) => e.event === 'counts' && e.payload.accountId === account.id && e.payload.mailboxes.length === 2,
        ),
      10_000,
      'counts for two watched folders',
    );
  });
});

describe('accounts.remove', () => {
  it('deletes the account and stops its watcher', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const account = await addOnline(client, user);
    const ended = sessionEndCount(dovecot, user.username);
    await client.request('accounts.remove', { id: account.id });
    expect((await client.request('accounts.list', {})).accounts.some((a) => a.id === account.id)).toBe(false);
    expect((await rejection(client.request('accounts.get', { id: account.id }))).error.code).toBe('NOT_FOUND');
    await client.waitFor(
      () =>
        client.events.some(
          (e) => e.event === 'accounts.changed' && !e.payload.accounts.some((a) => a.id === account.id),
        ),
      5_000,
      'accounts.changed without the account',
    );
    // The watcher's IMAP session ends on the server.
    await eventually(() => sessionEndCount(dovecot, user.username) > ended, 5_000, 'the watcher session to end');
    // New mail for it no longer produces events.
    const before = client.events.length;
    await appendMessage(dovecot, user, { subject: 'after removal' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(
      client.events.slice(before).some((e) => 'accountId' in e.payload && e.payload.accountId === account.id),
    ).toBe(false);
  });
});

describe('authorization', () => {
  it("answers NOT_FOUND for another user's account, whatever the request", async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const account = await addOnline(client, user);

    const otherToken = await pairTokenForNewUser(relay, 'someone else');
    const { client: other, hello } = await TestClient.connect(relay.url, otherToken);
    using _o = other;
    expect(hello.accounts).toEqual([]);
    // Each request is sent only when awaited, so no rejection waits unobserved.
    for (const attempt of [
      () => other.request('accounts.get', { id: account.id }),
      () => other.request('accounts.update', { id: account.id, patch: { name: 'mine now' } }),
      () => other.request('accounts.update', { id: account.id, patch: {}, password: user.password }),
      () => other.request('accounts.remove', { id: account.id }),
    ])
      expect((await rejection(attempt())).error.code).toBe('NOT_FOUND');
    const myDevices = await client.request('devices.list', {});
    const mine = myDevices.devices.find((d) => d.current)!;
    expect((await rejection(other.request('devices.revoke', { id: mine.id }))).error.code).toBe('NOT_FOUND');
    expect((await other.request('accounts.list', {})).accounts).toEqual([]);
    // Still there, unchanged, for its owner.
    expect((await client.request('accounts.get', { id: account.id })).account.name).toBe(account.name);
  });
});
