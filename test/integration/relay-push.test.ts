// The foundation's promise, against a real Dovecot and the real relay process: counts are right
// at start, follow APPEND and \Seen from any other client, survive a Dovecot restart, and
// account errors are typed (AUTH_FAILED without a reconnect storm, TLS_FAILED for an untrusted
// certificate).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../harness/dovecot.js';
import { appendMessage, setSeen } from '../harness/mail.js';
import { TestClient, pairDevice } from '../harness/protocol-client.js';
import {
  addAccountViaCli,
  pairingCodeFrom,
  runRelayCli,
  startRelayProcess,
  type RelayProcess,
} from '../harness/relay.js';

let dovecot: Dovecot;
let relay: RelayProcess;
let token: string;

beforeAll(async () => {
  dovecot = await startDovecot();
  relay = await startRelayProcess();
  const pair = await runRelayCli(['pair'], { dataDir: relay.dataDir });
  const code = pairingCodeFrom(pair.stdout);
  const res = await pairDevice(relay.httpUrl, code!);
  expect(res.status).toBe(200);
  token = (res.body as { token: string }).token;
});

afterAll(async () => {
  await relay?.stop();
  await dovecot?.stop();
});

async function accountWithMail(unread: number, read: number) {
  const user = await dovecot.addUser();
  for (let i = 0; i < unread; i++) await appendMessage(dovecot, user, { subject: `unread ${i}` });
  for (let i = 0; i < read; i++) await appendMessage(dovecot, user, { subject: `read ${i}`, flags: ['\\Seen'] });
  const accountId = await addAccountViaCli(relay.dataDir, dovecot, user);
  return { user, accountId };
}

describe('unread counts pushed from IMAP', () => {
  it('is right at start, rises on APPEND and falls on \\Seen from another client', async () => {
    const { user, accountId } = await accountWithMail(3, 2);
    const { client, hello } = await TestClient.connect(relay.url, token);
    using _c = client;
    await client.waitFor(
      () => client.latestUnread(accountId, hello) === 3 && client.latestState(accountId) !== 'connecting',
      10_000,
      'initial count 3',
    );
    expect(client.latestUnread(accountId, hello)).toBe(3);

    const { uid } = await appendMessage(dovecot, user, { subject: 'new one' });
    await client.waitFor(() => client.latestUnread(accountId) === 4, 5_000, 'count 4 after APPEND');

    await setSeen(dovecot, user, uid, true);
    await client.waitFor(() => client.latestUnread(accountId) === 3, 5_000, 'count 3 after \\Seen');

    // A fresh socket sees the same state from accounts.list.
    const listed = await client.request('accounts.list', {});
    expect(listed.accounts.find((a) => a.id === accountId)).toMatchObject({
      unread: 3,
      state: { status: 'online' },
      mailboxes: [{ path: 'INBOX', unread: 3, total: 6 }],
    });
  });

  it('reconnects after Dovecot crashes and restarts and shows the right count again', async () => {
    const { user, accountId } = await accountWithMail(2, 0);
    const { client, hello } = await TestClient.connect(relay.url, token);
    using _c = client;
    await client.waitFor(
      () => client.latestUnread(accountId, hello) === 2 && client.latestState(accountId) === 'online',
      10_000,
      'online with 2',
    );
    const before = client.events.length;
    // A crash of the whole server (master and its imap processes): the TCP connections drop.
    await dovecot.kill();
    // Mail that arrives while the relay is disconnected must be counted after reconnecting.
    await dovecot.restart();
    await appendMessage(dovecot, user, { subject: 'while you were away' });
    await client.waitFor(
      () =>
        client.events
          .slice(before)
          .some(
            (e) =>
              e.event === 'account.state' &&
              e.payload.accountId === accountId &&
              e.payload.state.status === 'connecting',
          ),
      10_000,
      'the relay noticing the drop',
    );
    await client.waitFor(
      () => client.latestState(accountId) === 'online' && client.latestUnread(accountId) === 3,
      20_000,
      'online again with 3',
    );
  });

  it('reports AUTH_FAILED for a wrong password and does not retry in a storm', async () => {
    const user = await dovecot.addUser();
    const accountId = await addAccountViaCli(relay.dataDir, dovecot, user, {
      noTest: true,
      password: 'wrong-password',
    });
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    await client.waitFor(() => client.latestState(accountId) === 'error:AUTH_FAILED', 10_000, 'AUTH_FAILED');
    const state = (await client.request('accounts.list', {})).accounts.find((a) => a.id === accountId)?.state;
    expect(state).toMatchObject({ status: 'error', code: 'AUTH_FAILED' });
    // The next attempt is scheduled far away (minutes), not in a second.
    expect(state?.status === 'error' && state.retryAt !== null && state.retryAt - Date.now()).toBeGreaterThan(
      10 * 60_000,
    );
    // And no more login attempts happen meanwhile.
    const failures = () => (dovecot.logs().match(new RegExp(`user=<${user.username}>`, 'g')) ?? []).length;
    const seen = failures();
    await new Promise((r) => setTimeout(r, 3_000));
    expect(failures()).toBe(seen);
    expect(client.latestState(accountId)).toBe('error:AUTH_FAILED');
  });

  it('reports TLS_FAILED when the server certificate is not trusted', async () => {
    await using untrusted = await startDovecot({ certificate: 'self-signed' });
    const user = await untrusted.addUser();
    // No --ca-file: the self-signed certificate is not trusted, and nothing falls back to plaintext.
    const accountId = await addAccountViaCli(relay.dataDir, untrusted, user, { noTest: true, caPem: false });
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    await client.waitFor(() => client.latestState(accountId) === 'error:TLS_FAILED', 10_000, 'TLS_FAILED');
  });
});
