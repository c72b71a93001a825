// Issue 8: the messages.action journal is durable. A relay killed with SIGKILL after an IMAP MOVE
// reached Dovecot but before its reply came back (the fault proxy drops the server's replies once
// it sees "UID MOVE") answers a replay of the same actionId with the result the first run would
// have given — moved, and where to — and the message is moved exactly once. A replay of an action
// that completed before the crash answers from the store.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageId } from '../../shared/index.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { appendMessage, withImap } from '../harness/mail.js';
import { startMailRelay, waitForAccount, type MailRelay } from '../harness/mail-relay.js';
import { addAccountViaCli } from '../harness/relay.js';

let mail: MailRelay;
let proxy: FaultProxy;

beforeAll(async () => {
  mail = await startMailRelay();
  proxy = await startFaultProxy({ host: mail.dovecot.host, port: mail.dovecot.starttlsPort });
});

afterAll(async () => {
  await proxy?.close();
  await mail?.[Symbol.asyncDispose]();
});

async function uidsIn(mailbox: string, user: { username: string; password: string }): Promise<number[]> {
  return withImap(mail.dovecot, user, async (client) => {
    await client.mailboxOpen(mailbox, { readOnly: true });
    return (await client.search({ all: true }, { uid: true })) || [];
  });
}

describe('durable action journal', () => {
  it('answers a replay after kill -9 between MOVE and its reply like the first run, moving once', async () => {
    const user = await mail.dovecot.addUser();
    // Plain IMAP through the proxy, so it can see the command text (the proxy is the test's only
    // window into the connection; production accounts use TLS).
    const accountId = await addAccountViaCli(mail.relay.dataDir, { ...mail.dovecot, starttlsPort: proxy.port }, user, {
      security: 'plain',
    });
    let client = await mail.connect();
    await waitForAccount(client, accountId);
    await appendMessage(mail.dovecot, user, { subject: 'done before the crash', messageId: '<before@tidings.test>' });
    await appendMessage(mail.dovecot, user, { subject: 'moved during the crash', messageId: '<during@tidings.test>' });
    const { rows } = await client.request('messages.list', {
      scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
      cursor: null,
      limit: 10,
    });
    const idOf = (subject: string): MessageId => rows.find((r) => r.subject === subject)!.id;
    const before = idOf('done before the crash');
    const during = idOf('moved during the crash');

    // 1. An action that completes and is answered.
    const completed = { actionId: randomUUID(), ids: [before], action: { kind: 'archive' as const } };
    const firstAnswer = await client.request('messages.action', completed);
    expect(firstAnswer.outcomes[0]).toMatchObject({ ok: true, movedTo: { mailbox: 'Archive' } });

    // 2. An action whose MOVE reaches Dovecot, but whose reply never comes back: then kill -9.
    const crashed = { actionId: randomUUID(), ids: [during], action: { kind: 'archive' as const } };
    const sent = proxy.dropRepliesAfter('UID MOVE');
    void client.request('messages.action', crashed).catch(() => undefined);
    await sent;
    for (let i = 0; i < 50 && (await uidsIn('Archive', user)).length < 2; i++)
      await new Promise((r) => setTimeout(r, 100));
    const archived = await uidsIn('Archive', user);
    expect(archived).toHaveLength(2);
    await mail.relay.kill();
    client.close();

    await mail.relay.restart();
    client = await mail.connect();
    using _c = client;
    await waitForAccount(client, accountId);

    // The completed action: the same answer, from the store (without it: NOT_FOUND).
    expect(await client.request('messages.action', completed)).toEqual(firstAnswer);
    // The crashed one: moved, and where to, as the first run would have answered.
    const replay = await client.request('messages.action', crashed);
    expect(replay.outcomes).toHaveLength(1);
    expect(replay.outcomes[0]).toMatchObject({ ok: true, error: null, id: during, movedTo: { mailbox: 'Archive' } });
    const movedUid = replay.outcomes[0]!.movedTo!.uid;
    expect(archived).toContain(movedUid);
    expect(movedUid).not.toBe(firstAnswer.outcomes[0]!.movedTo!.uid);
    // Exactly once: INBOX empty, two messages in Archive, and a second replay says the same.
    expect(await uidsIn('INBOX', user)).toEqual([]);
    expect(await uidsIn('Archive', user)).toHaveLength(2);
    expect(await client.request('messages.action', crashed)).toEqual(replay);
  });
});
