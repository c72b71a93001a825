// The list-row FETCH (relay/src/imap/row-fetch.ts) reads imapflow's parsed response straight into
// row sources instead of going through imapflow's fetch() (issue 10: its generic message objects
// were most of the relay's overhead). Against real Dovecot, for messages of every shape the rows
// meet (encoded words, multipart, HTML, attachments, base64, a deep nest, flags), it must yield
// exactly what `fetchAll(range, ROW_QUERY)` yields, by sequence range and by UID list.
import type { FetchMessageObject } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROW_QUERY } from '../../relay/src/imap/message-rows.js';
import { Limits } from '../../shared/index.js';
import { fetchRowMessages, markIdleFree, type RowMessage } from '../../relay/src/imap/row-fetch.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { appendMessage, connectImap, type TestImapClient } from '../harness/mail.js';

let dovecot: Dovecot;
let user: ImapUser;

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

function nested(depth: number, text: string): string {
  let body = `Content-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`;
  for (let i = depth - 1; i >= 0; i--)
    body = `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n${body}--n${i}--\r\n`;
  return `From: a@example.test\r\nSubject: nested ${depth}\r\nMIME-Version: 1.0\r\n${body}`;
}

beforeAll(async () => {
  dovecot = await startDovecot();
  user = await dovecot.addUser();
  await appendMessage(dovecot, user, { subject: 'plain', text: 'Hello there.' });
  await appendMessage(dovecot, user, {
    subject: 'Grüße aus Köln – 日本語',
    from: 'Jürgen Müller <juergen@example.test>',
    text: 'Ünïcödé body, long enough to be base64 encoded by the harness.',
    flags: ['\\Seen', '\\Flagged'],
  });
  await appendMessage(dovecot, user, { subject: 'alt', text: 'plain first', html: '<p>then <b>html</b></p>' });
  await appendMessage(dovecot, user, { subject: 'html only', html: '<style>x{}</style><p>Only &amp; HTML</p>' });
  await appendMessage(dovecot, user, {
    raw: crlf(
      'From: Files <files@example.test>\nTo: u@example.test\nSubject: attachment\nMIME-Version: 1.0\n' +
        'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=iso-8859-1\n' +
        'Content-Transfer-Encoding: quoted-printable\n\ncaf=E9 au lait\n--b\nContent-Type: application/pdf; name="a.pdf"\n' +
        'Content-Disposition: attachment; filename="a.pdf"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b--\n',
    ),
    flags: ['\\Answered', '$Label1'],
  });
  await appendMessage(dovecot, user, { raw: nested(150, 'deep text') });
  await appendMessage(dovecot, user, { raw: crlf('Subject: no from, no date, empty body\n\n') });
});

afterAll(async () => {
  await dovecot?.stop();
});

/** A client like the relay's command connection (no IDLE, marked), counting fetchAll calls. */
async function commandLikeClient(): Promise<TestImapClient & { fetchAllCalls: () => number }> {
  const client = await connectImap(dovecot, user, { disableAutoIdle: true });
  markIdleFree(client);
  let calls = 0;
  const fetchAll = client.fetchAll.bind(client);
  client.fetchAll = ((...args: Parameters<typeof fetchAll>) => {
    calls += 1;
    return fetchAll(...args);
  }) as typeof client.fetchAll;
  return Object.assign(client, { fetchAllCalls: () => calls });
}

/** imapflow's message object reduced to the row source fields. */
function viaImapflow(m: FetchMessageObject): RowMessage {
  return {
    seq: m.seq,
    uid: m.uid,
    flags: [...(m.flags ?? [])],
    envelope: m.envelope,
    internalDate: m.internalDate,
    size: m.size,
    bodyStructure: m.bodyStructure,
    part1: m.bodyParts?.get('1'),
  } as RowMessage;
}

function normalise(rows: RowMessage[]): RowMessage[] {
  return rows
    .map((r) => {
      const out: Record<string, unknown> = { ...r, flags: [...(r.flags ?? [])].sort() };
      for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
      return out as unknown as RowMessage;
    })
    .sort((a, b) => a.seq - b.seq);
}

describe('fetchRowMessages', () => {
  it('sends the items ROW_QUERY names: a change to ROW_QUERY must be made in row-fetch.ts too', () => {
    expect(ROW_QUERY).toEqual({
      uid: true,
      flags: true,
      envelope: true,
      internalDate: true,
      size: true,
      bodyStructure: true,
      bodyParts: [{ key: '1', start: 0, maxLength: Limits.previewFetchBytes }],
    });
  });

  it('yields what imapflow fetchAll(ROW_QUERY) yields, by sequence range and by UID list', async () => {
    await using client = await commandLikeClient();
    const lock = await client.getMailboxLock('INBOX');
    try {
      const expected = normalise((await client.fetchAll('1:*', ROW_QUERY)).map(viaImapflow));
      expect(expected).toHaveLength(7);
      const before = client.fetchAllCalls();
      const lean = normalise(await fetchRowMessages(client, '1:*', { uid: false }));
      // The direct path, not imapflow's fetchAll.
      expect(client.fetchAllCalls()).toBe(before);
      expect(lean).toEqual(expected);
      // The cases differ where it matters: decoded words, a preview part, flags.
      expect(lean[1]!.envelope?.subject).toBe('Grüße aus Köln – 日本語');
      expect(lean[1]!.envelope?.from?.[0]?.name).toBe('Jürgen Müller');
      expect(lean[0]!.part1?.toString()).toContain('Hello there.');
      expect([...(lean[4]!.flags ?? [])]).toEqual(expect.arrayContaining(['$Label1', '\\Answered']));

      const uids = expected.map((m) => m.uid);
      const some = [uids[1]!, uids[4]!, uids[6]!].join(',');
      const byUid = normalise(await fetchRowMessages(client, some, { uid: true }));
      expect(byUid).toEqual(normalise((await client.fetchAll(some, ROW_QUERY, { uid: true })).map(viaImapflow)));
      expect(byUid.map((m) => m.uid)).toEqual([uids[1], uids[4], uids[6]]);
    } finally {
      lock.release();
    }
  });

  it('leaves a connection that may IDLE (not marked idle-free) to imapflow fetchAll, which breaks IDLE first', async () => {
    await using client = await connectImap(dovecot, user);
    const lock = await client.getMailboxLock('INBOX');
    try {
      let calls = 0;
      const fetchAll = client.fetchAll.bind(client);
      client.fetchAll = ((...args: Parameters<typeof fetchAll>) => {
        calls += 1;
        return fetchAll(...args);
      }) as typeof client.fetchAll;
      const rows = await fetchRowMessages(client, '1:3', { uid: false });
      expect(calls).toBe(1);
      expect(rows.map((r) => r.seq).sort()).toEqual([1, 2, 3]);
      expect(rows[0]!.part1).toBeInstanceOf(Buffer);
    } finally {
      lock.release();
    }
  });

  it('keeps the selected mailbox usable after it: later commands on the same connection succeed', async () => {
    await using client = await commandLikeClient();
    const lock = await client.getMailboxLock('INBOX');
    try {
      await fetchRowMessages(client, '1:2', { uid: false });
      await fetchRowMessages(client, '1:2', { uid: false });
      const status = await client.status('INBOX', { messages: true });
      expect(status && status.messages).toBe(7);
      // A range with no messages answers with no rows (UID FETCH of a UID that does not exist).
      expect(await fetchRowMessages(client, '999999', { uid: true })).toEqual([]);
      expect(client.fetchAllCalls()).toBe(0);
    } finally {
      lock.release();
    }
  });
});
