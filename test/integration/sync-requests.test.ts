// Issue 8 on a server without QRESYNC (hidden with Dovecot's imap_capability): expunges by
// another client still reach the browser with UIDs (message.expunged, for the newest messages),
// and messages.sync compares the extension's cached window with the server: vanished UIDs,
// current flags, counts, and a reset when UIDVALIDITY changed. Also devices.revokeSelf (unpair):
// the token stops working at once and the socket closes with 4401.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode, PROTOCOL_VERSION } from '../../shared/index.js';
import { capabilitiesWithout } from '../harness/dovecot.js';
import { appendMessage, setSeen, withImap } from '../harness/mail.js';
import { pairToken, startMailRelay, type MailRelay } from '../harness/mail-relay.js';
import { rejection, TestClient } from '../harness/protocol-client.js';

let mail: MailRelay;

beforeAll(async () => {
  mail = await startMailRelay({ dovecot: { capabilities: capabilitiesWithout('QRESYNC') } });
});

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

describe('servers without QRESYNC', () => {
  it('pushes expunges with UIDs and answers messages.sync with vanished UIDs and flags', async () => {
    const { accountId, user } = await mail.addAccount();
    const client = await mail.connect();
    using _c = client;
    const uids: number[] = [];
    for (const subject of ['one', 'two', 'three'])
      uids.push((await appendMessage(mail.dovecot, user, { subject })).uid);
    const { rows } = await client.request('messages.list', {
      scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
      cursor: null,
      limit: 10,
    });
    expect(rows.map((r) => r.id.uid).sort()).toEqual(uids);
    const uidValidity = rows[0]!.id.uidValidity;
    // The server really lacks QRESYNC, so the UIDs below cannot come from VANISHED.
    const caps = await withImap(mail.dovecot, user, async (c) => [...c.capabilities.keys()]);
    expect(caps).not.toContain('QRESYNC');

    // Another client deletes "two" and reads "three".
    const from = client.events.length;
    await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageDelete(String(uids[1]), { uid: true });
    });
    await setSeen(mail.dovecot, user, uids[2]!, true);
    await client.waitFor(
      () =>
        client.events
          .slice(from)
          .some(
            (e) =>
              e.event === 'message.expunged' &&
              e.payload.accountId === accountId &&
              e.payload.uids.includes(uids[1]!) &&
              e.payload.uidValidity === uidValidity,
          ),
      8_000,
      'message.expunged with the UID',
    );

    const sync = await client.request('messages.sync', { accountId, mailbox: 'INBOX', uidValidity, uids });
    expect(sync).toMatchObject({ uidValidity, reset: false, vanished: [uids[1]], unread: 1, total: 2 });
    expect(sync.flags).toEqual([
      { uid: uids[0], flags: [] },
      { uid: uids[2], flags: ['\\Seen'] },
    ]);

    // A cache from another UIDVALIDITY is told to reset, not given a wrong diff.
    const stale = await client.request('messages.sync', { accountId, mailbox: 'INBOX', uidValidity: '1', uids });
    expect(stale).toMatchObject({ reset: true, uidValidity, vanished: [], flags: [] });
    // Another user's account is NOT_FOUND.
    const other = await rejection(
      client.request('messages.sync', { accountId: 'nope', mailbox: 'INBOX', uidValidity, uids }),
    );
    expect(other.error.code).toBe('NOT_FOUND');
  });
});

describe('unpair', () => {
  it('revokes the asking device: the reply comes first, then 4401, and the token is dead', async () => {
    const token = await pairToken(mail.relay);
    const { client, hello } = await TestClient.connect(mail.relay.url, token);
    using _c = client;
    const { client: second } = await TestClient.connect(mail.relay.url, token);
    using _s = second;
    const result = await client.request('devices.revokeSelf', {});
    expect(result).toEqual({ deviceId: hello.deviceId });
    expect((await client.closed).code).toBe(CloseCode.UNAUTHORIZED);
    // Every socket of the device closes, not only the one that asked.
    expect((await second.closed).code).toBe(CloseCode.UNAUTHORIZED);
    const again = await TestClient.open(mail.relay.url);
    using _a = again;
    const refused = await rejection(again.request('hello', { protocol: PROTOCOL_VERSION, token, lastSeq: null }));
    expect(refused.error.code).toBe('UNAUTHORIZED');
    // The other device is untouched and sees this one revoked.
    const main = await mail.connect();
    using _m = main;
    const { devices } = await main.request('devices.list', {});
    expect(devices.find((d) => d.id === hello.deviceId)).toBeUndefined();
  });
});
