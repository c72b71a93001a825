// Issue 13, "Open in webmail": message.get carries the Message-ID header, cleaned by the relay
// (shared/message-id-header.ts) — a real id as `<id>`, and null for a missing one or one a sender
// shaped to break out of a URL (spaces, quotes, several ids), so the extension never builds a
// link from it. Real Dovecot, real relay; results parsed with the shared schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requests, type MessageId } from '../../shared/index.js';
import { appendMessage } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';

let mail: MailRelay;

beforeAll(async () => {
  mail = await startMailRelay();
});

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

describe('message.get messageId', () => {
  it('is the cleaned Message-ID, or null when it is not one plain id', async () => {
    const { user, accountId } = await mail.addAccount();
    const client = await mail.connect();
    using _c = client;
    const cases: [string, string | undefined, string | null][] = [
      ['plain id', '<CAF+x=y/z_1@mail.gmail.com>', '<CAF+x=y/z_1@mail.gmail.com>'],
      ['spaces', '<a b@example.org>', null],
      ['quotes and a second id', '<"x"@example.org> <y@example.org>', null],
    ];
    const ids: MessageId[] = [];
    for (const [subject, messageId] of cases) {
      const { uid } = await appendMessage(mail.dovecot, user, { subject, ...(messageId ? { messageId } : {}) });
      ids.push({ accountId, mailbox: 'INBOX', uidValidity: '', uid });
    }
    const { rows } = await client.request('messages.list', {
      scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
      cursor: null,
      limit: 50,
    });
    for (const [i, [subject, , expected]] of cases.entries()) {
      const id = rows.find((r) => r.id.uid === ids[i]!.uid)!.id;
      const got = requests['message.get'].result.parse(await client.request('message.get', { id }));
      expect(got.messageId, subject).toBe(expected);
    }
  });
});
