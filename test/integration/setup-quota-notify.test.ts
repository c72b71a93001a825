// Issue 4 against real Dovecot and the real relay process: the account's storage quota (RFC 9208,
// Dovecot's quota plugin) in its summary, and the user's notification settings deciding the
// `notify` flag of message.new (muted account, quiet hours, already read).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_SETTINGS, type EventPayload, type UserSettings } from '../../shared/index.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { appendMessage } from '../harness/mail.js';
import { TestClient } from '../harness/protocol-client.js';
import { startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken, serverSettings, trustTestCaEnv } from '../harness/setup-fixtures.js';

let dovecot: Dovecot;
let relay: RelayProcess;
let token: string;

beforeAll(async () => {
  dovecot = await startDovecot({ quota: true });
  relay = await startRelayProcess({ env: trustTestCaEnv(dovecot) });
  token = await pairToken(relay);
});

afterAll(async () => {
  await relay?.stop();
  await dovecot?.stop();
});

async function addAccount(client: TestClient, user: ImapUser) {
  const { account, diagnosis } = await client.request('accounts.add', {
    settings: serverSettings(dovecot, user),
    password: user.password,
    name: `Quota ${user.username}`,
    color: null,
    watchedMailboxes: ['INBOX'],
  });
  return { account, diagnosis };
}

describe('quota', () => {
  it('shows storage use and limit where the server has QUOTA', async () => {
    const user = await dovecot.addUser();
    // A raw message of known size: 2,000 lines of 98 characters + CRLF, plus the headers.
    const raw = `Subject: big\r\nFrom: a@example.test\r\nTo: b@example.test\r\n\r\n${`${'x'.repeat(98)}\r\n`.repeat(2_000)}`;
    // Dovecot's maildir stores lines with bare LF and the quota counts stored bytes.
    const size = Buffer.byteLength(raw.replaceAll('\r\n', '\n'));
    await appendMessage(dovecot, user, { raw });
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    const { account, diagnosis } = await addAccount(client, user);
    expect(diagnosis.capabilities.some((c) => c === 'QUOTA' || c.startsWith('QUOTA='))).toBe(true);
    expect(diagnosis.steps.find((s) => s.id === 'capabilities')?.detail).toContain('QUOTA');
    const quotaOf = async () =>
      (await client.request('accounts.list', {})).accounts.find((a) => a.id === account.id)?.quota ?? null;
    await client.waitFor(
      () =>
        client.events.some(
          (e) =>
            e.event === 'accounts.changed' && e.payload.accounts.some((a) => a.id === account.id && a.quota !== null),
        ),
      10_000,
      'a summary with quota',
    );
    const quota = await quotaOf();
    expect(quota?.limitBytes).toBe(10 * 1024 * 1024);
    // The wire carries KiB (RFC 9208 §5.1: STORAGE in units of 1024 octets), so allow one unit.
    expect(Math.abs(quota!.usedBytes - size)).toBeLessThanOrEqual(1024);
  });
});

describe('message.new notify flag', () => {
  const newEvents = (client: TestClient, accountId: string): EventPayload<'message.new'>[] =>
    client.events.flatMap((e) => (e.event === 'message.new' && e.payload.accountId === accountId ? [e.payload] : []));

  async function setSettings(client: TestClient, patch: (s: UserSettings) => void) {
    const s = structuredClone(DEFAULT_USER_SETTINGS);
    patch(s);
    await client.request('settings.set', { settings: s });
  }

  it('follows mute, quiet hours and the seen flag', async () => {
    const user = await dovecot.addUser();
    const { client } = await TestClient.connect(relay.url, token);
    using _c = client;
    await setSettings(client, () => undefined);
    const { account } = await addAccount(client, user);
    await client.waitFor(() => client.latestState(account.id) === 'online', 10_000, 'online');

    const expectNext = async (subject: string, flags: string[], notify: boolean) => {
      const before = newEvents(client, account.id).length;
      await appendMessage(dovecot, user, { subject, flags });
      await client.waitFor(() => newEvents(client, account.id).length > before, 5_000, `message.new for ${subject}`);
      const event = newEvents(client, account.id).at(-1)!;
      expect(event.rows.map((r) => r.subject)).toContain(subject);
      expect(event.notify, subject).toBe(notify);
    };

    await expectNext('plain unread', [], true);
    await expectNext('already read', ['\\Seen'], false);

    await setSettings(client, (s) => (s.notifications.mutedAccounts = [account.id]));
    await expectNext('while muted', [], false);

    // Quiet all day, every day (start = end), in a non-UTC zone.
    await setSettings(client, (s) => {
      s.notifications.quietHours = {
        enabled: true,
        start: '00:00',
        end: '00:00',
        days: [0, 1, 2, 3, 4, 5, 6],
        timeZone: 'Asia/Tokyo',
      };
    });
    await expectNext('during quiet hours', [], false);

    await setSettings(client, (s) => (s.notifications.enabled = false));
    await expectNext('notifications off', [], false);

    await setSettings(client, () => undefined);
    await expectNext('back to normal', [], true);
  });
});
