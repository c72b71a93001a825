// Regression (issue 12): client input with CR/LF/NUL or `{n}` literal markers in mailbox names or
// search text, and uids of 2^32 or more, reached imapflow and came back as the retryable
// IMAP_ERROR ("Unquotable character…"), HTTP 502 on the attachment route. They are BAD_REQUEST,
// naming the field, before anything reaches IMAP; the account stays usable afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayPaths, type MessageId } from '../../shared/index.js';
import { appendMessage } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';
import { rejection, TEST_ORIGIN } from '../harness/protocol-client.js';

let mail: MailRelay;
let accountId: string;
let id: MessageId;

beforeAll(async () => {
  mail = await startMailRelay();
  const added = await mail.addAccount();
  accountId = added.accountId;
  await appendMessage(mail.dovecot, added.user, { subject: 'still here' });
  using client = await mail.connect();
  const page = await client.request('messages.list', {
    scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
    cursor: null,
    limit: 50,
  });
  id = page.rows[0]!.id;
});

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

describe('regression: client input reached IMAP as IMAP_ERROR', () => {
  it('answers BAD_REQUEST naming the field for hostile mailbox names, search text and uids', async () => {
    using client = await mail.connect();
    const inbox = { kind: 'mailbox' as const, accountId, mailbox: 'INBOX' };
    const cases: [Promise<unknown>, RegExp][] = [
      [
        client.request('messages.list', { scope: { ...inbox, mailbox: 'INBOX\r\nA1 LOGOUT' }, cursor: null, limit: 5 }),
        /scope\.mailbox/,
      ],
      [
        client.request('messages.list', { scope: { ...inbox, mailbox: 'x {5}' }, cursor: null, limit: 5 }),
        /scope\.mailbox/,
      ],
      [
        client.request('messages.search', { scope: inbox, query: { text: 'a\r\nb' }, cursor: null, limit: 5 }),
        /query\.text/,
      ],
      [
        client.request('messages.search', { scope: inbox, query: { from: 'a\u0000' }, cursor: null, limit: 5 }),
        /query\.from/,
      ],
      [
        client.request('messages.search', { scope: inbox, query: { subject: 'x {99+}' }, cursor: null, limit: 5 }),
        /query\.subject/,
      ],
      [client.request('message.get', { id: { ...id, uid: 2 ** 32 } }), /id\.uid/],
      [client.request('message.part', { id, partId: '1.0' }), /partId/],
      [
        client.request('messages.action', {
          actionId: 'regression-1',
          ids: [id],
          action: { kind: 'move', to: 'Trash\r\n' },
        }),
        /action\.to/,
      ],
    ];
    for (const [promise, field] of cases) {
      const err = await rejection(promise);
      expect(err.error.code).toBe('BAD_REQUEST');
      expect(err.error.message).toMatch(field);
    }
    // Nothing was sent to the server, and the account still answers.
    const page = await client.request('messages.search', {
      scope: inbox,
      query: { subject: 'still here' },
      cursor: null,
      limit: 5,
    });
    expect(page.rows.map((r) => r.subject)).toEqual(['still here']);
  });

  it('answers 400 BAD_REQUEST (not 502) on the attachment route, naming the field', async () => {
    const get = async (query: Record<string, string>) => {
      const u = new URL(`${mail.relay.httpUrl}${RelayPaths.attachment}`);
      const all = { accountId, mailbox: id.mailbox, uidValidity: id.uidValidity, uid: String(id.uid), partId: '1' };
      for (const [k, v] of Object.entries({ ...all, ...query })) u.searchParams.set(k, v);
      const res = await fetch(u, { headers: { origin: TEST_ORIGIN, authorization: `Bearer ${mail.token}` } });
      return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
    };
    for (const [query, field] of [
      [{ mailbox: 'INBOX\r\nX' }, /mailbox/],
      [{ mailbox: 'x{3}' }, /mailbox/],
      [{ uid: String(2 ** 32) }, /uid/],
      [{ uid: '1e3' }, /uid/],
      [{ partId: '0.1' }, /partId/],
    ] as const) {
      const res = await get(query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
      expect(res.body.error.message).toMatch(field);
    }
  });
});
