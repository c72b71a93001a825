// Issue 3, listing against real Dovecot and the real relay process: folders with roles, counts
// and hierarchy; newest-first pages with opaque cursors that survive new mail and expunges
// between pages; stale UIDVALIDITY refused; another user's account NOT_FOUND; the unified inbox
// merged by date across two accounts; search; and 1k/10k/100k-message mailboxes paged without
// duplicates, each page costing the same IMAP commands whatever the size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../relay/src/mail/cursor.js';
import type { MessageRow, RequestResult } from '../../shared/index.js';
import { appendMessage, seedMaildir, withImap } from '../harness/mail.js';
import { startMailRelay, waitForAccount, type MailRelay } from '../harness/mail-relay.js';
import { ProtocolError, TestClient, type TestClient as Client, rejection } from '../harness/protocol-client.js';
import { startRecordingProxy } from '../harness/recording-proxy.js';
import { addAccountViaCli } from '../harness/relay.js';
import { pairTokenForNewUser } from '../harness/setup-fixtures.js';

let mail: MailRelay;

beforeAll(async () => {
  mail = await startMailRelay();
});

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

/** Every page of a scope, following cursors. */
async function allPages(
  client: Client,
  scope: { kind: 'mailbox'; accountId: string; mailbox: string } | { kind: 'unified' },
  limit = 50,
): Promise<RequestResult<'messages.list'>[]> {
  const pages: RequestResult<'messages.list'>[] = [];
  let cursor: string | null = null;
  do {
    const page: RequestResult<'messages.list'> = await client.request('messages.list', { scope, cursor, limit });
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor && pages.length < 10_000);
  return pages;
}

const subjects = (rows: MessageRow[]) => rows.map((r) => r.subject);

describe('mailboxes.list', () => {
  it('lists folders with special-use roles, counts, hierarchy and decoded names', async () => {
    const user = await mail.dovecot.addUser();
    await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxCreate('Projects');
      await c.mailboxCreate(['Projects', 'Alpha']);
      await c.mailboxCreate('Café ☕');
    });
    await appendMessage(mail.dovecot, user, { subject: 'u1' });
    await appendMessage(mail.dovecot, user, { subject: 'u2' });
    await appendMessage(mail.dovecot, user, { subject: 'r1', flags: ['\\Seen'] });
    await appendMessage(mail.dovecot, user, { subject: 'alpha', mailbox: 'Projects.Alpha' });
    const { accountId } = await mail.addAccount({ user });
    const client = await mail.connect();
    using _c = client;
    const { mailboxes } = await client.request('mailboxes.list', { accountId });
    expect(mailboxes[0]).toMatchObject({ path: 'INBOX', role: 'inbox', unread: 2, total: 3, selectable: true });
    const byRole = Object.fromEntries(mailboxes.filter((m) => m.role).map((m) => [m.role, m.path]));
    expect(byRole).toMatchObject({
      inbox: 'INBOX',
      sent: 'Sent',
      drafts: 'Drafts',
      trash: 'Trash',
      junk: 'Junk',
      archive: 'Archive',
    });
    expect(mailboxes.find((m) => m.path === 'Projects.Alpha')).toMatchObject({
      name: 'Alpha',
      parent: 'Projects',
      delimiter: '.',
      unread: 1,
      total: 1,
      role: null,
    });
    expect(mailboxes.find((m) => m.name === 'Café ☕')).toMatchObject({ path: 'Café ☕', parent: null });
  });

  it("answers NOT_FOUND for another user's account on every mail request", async () => {
    const { accountId, user } = await mail.addAccount();
    const { uid } = await appendMessage(mail.dovecot, user, { subject: 'private' });
    const mine = await mail.connect();
    using _m = mine;
    const { rows } = await mine.request('messages.list', {
      scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
      cursor: null,
      limit: 50,
    });
    const id = rows.find((r) => r.id.uid === uid)!.id;

    const otherToken = await pairTokenForNewUser(mail.relay, 'someone else');
    const { client: other } = await TestClient.connect(mail.relay.url, otherToken);
    using _o = other;
    // Settled together, so no rejection waits unobserved while an earlier one is awaited.
    const attempts = await Promise.allSettled([
      other.request('mailboxes.list', { accountId }),
      other.request('messages.list', {
        scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
        cursor: null,
        limit: 5,
      }),
      other.request('messages.search', {
        scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
        query: { subject: 'private' },
        cursor: null,
        limit: 5,
      }),
      other.request('message.get', { id }),
      other.request('message.part', { id, partId: '1' }),
      other.request('messages.action', { actionId: 'other-user-1', ids: [id], action: { kind: 'seen', value: true } }),
    ]);
    for (const attempt of attempts)
      expect(
        attempt.status === 'rejected' && attempt.reason instanceof ProtocolError && attempt.reason.error.code,
      ).toBe('NOT_FOUND');
    // The other user's unified inbox is empty, not the first user's.
    expect(
      (await other.request('messages.list', { scope: { kind: 'unified' }, cursor: null, limit: 50 })).rows,
    ).toEqual([]);
    // Nothing happened to the message.
    expect((await mine.request('message.get', { id })).flags).not.toContain('\\Seen');
  });
});

describe('messages.list in one mailbox', () => {
  it('returns rows newest first with identity, envelope, flags, attachments and a preview', async () => {
    const user = await mail.dovecot.addUser();
    await appendMessage(mail.dovecot, user, {
      from: 'Zoë Example <zoe@example.test>',
      subject: 'Grüße aus Köln',
      text: 'Hallo   Welt,\n\nwie geht es?',
      flags: ['\\Flagged', '\\Answered'],
    });
    const boundary = 'b1';
    const raw = [
      'From: Bob <bob@example.test>',
      'To: you@example.test',
      'Subject: With file',
      'Date: Mon, 1 Dec 2025 10:00:00 +0000',
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: multipart/alternative; boundary="alt"',
      '',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<html><head><style>p{}</style></head><body><p>Only&nbsp;<b>HTML</b> here</p></body></html>',
      '--alt--',
      `--${boundary}`,
      'Content-Type: application/pdf; name="report.pdf"',
      'Content-Disposition: attachment; filename="report.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 fake').toString('base64'),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    await appendMessage(mail.dovecot, user, { raw });
    const { accountId } = await mail.addAccount({ user });
    const client = await mail.connect();
    using _c = client;
    const page = await client.request('messages.list', {
      scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
      cursor: null,
      limit: 50,
    });
    expect(page.total).toBe(2);
    expect(page.nextCursor).toBeNull();
    const [withFile, greeting] = page.rows;
    expect(withFile).toMatchObject({
      subject: 'With file',
      from: [{ name: 'Bob', address: 'bob@example.test' }],
      date: Date.parse('2025-12-01T10:00:00Z'),
      hasAttachments: true,
      seen: false,
      preview: 'Only HTML here',
    });
    expect(greeting).toMatchObject({
      subject: 'Grüße aus Köln',
      from: [{ name: 'Zoë Example', address: 'zoe@example.test' }],
      flagged: true,
      answered: true,
      seen: false,
      hasAttachments: false,
      preview: 'Hallo Welt, wie geht es?',
    });
    expect(greeting!.id).toEqual({
      accountId,
      mailbox: 'INBOX',
      uidValidity: expect.stringMatching(/^\d+$/),
      uid: 1,
    });
    expect(greeting!.flags).toEqual(expect.arrayContaining(['\\Flagged', '\\Answered']));
  });

  it('pages newest first without duplicates, even when mail arrives or leaves between pages', async () => {
    const user = await mail.dovecot.addUser();
    await seedMaildir(mail.dovecot, user, 120);
    const { accountId } = await mail.addAccount({ user });
    const client = await mail.connect();
    using _c = client;
    const scope = { kind: 'mailbox' as const, accountId, mailbox: 'INBOX' };
    const first = await client.request('messages.list', { scope, cursor: null, limit: 50 });
    expect(first.rows.map((r) => r.id.uid)).toEqual(Array.from({ length: 50 }, (_, i) => 120 - i));
    expect(first.rows[0]!.subject).toBe('Seeded message 119');

    // Between pages: new mail arrives, and the cursor's own message plus one below it go away.
    await appendMessage(mail.dovecot, user, { subject: 'arrived between pages' });
    await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageDelete('71,60', { uid: true });
    });
    // The list is as fresh as push: once the relay's watcher has heard of the changes (as the
    // popup has, from the events), the next page reflects them.
    const expunged = () => client.events.flatMap((e) => (e.event === 'message.expunged' ? e.payload.uids : []));
    await client.waitFor(
      () => expunged().includes(60) && expunged().includes(71),
      8_000,
      'message.expunged for 60 and 71',
    );
    const second = await client.request('messages.list', { scope, cursor: first.nextCursor, limit: 50 });
    const expected = Array.from({ length: 70 }, (_, i) => 70 - i).filter((u) => u !== 60);
    expect(second.rows.map((r) => r.id.uid)).toEqual(expected.slice(0, 50));
    const third = await client.request('messages.list', { scope, cursor: second.nextCursor, limit: 50 });
    expect(third.rows.map((r) => r.id.uid)).toEqual(expected.slice(50));
    expect(third.nextCursor).toBeNull();
    expect(third.total).toBe(119);
    // A new first page shows the new message on top.
    const fresh = await client.request('messages.list', { scope, cursor: null, limit: 1 });
    expect(subjects(fresh.rows)).toEqual(['arrived between pages']);
  });

  it('refuses a cursor whose UIDVALIDITY is stale, and a cursor of another list', async () => {
    const { accountId, user } = await mail.addAccount();
    for (let i = 0; i < 3; i++) await appendMessage(mail.dovecot, user, { subject: `m${i}`, mailbox: 'Archive' });
    const client = await mail.connect();
    using _c = client;
    const scope = { kind: 'mailbox' as const, accountId, mailbox: 'Archive' };
    const first = await client.request('messages.list', { scope, cursor: null, limit: 1 });
    expect(first.nextCursor).not.toBeNull();
    // Recreating the folder gives it a new UIDVALIDITY (RFC 3501 §2.3.1.1).
    await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxDelete('Archive');
      await c.mailboxCreate('Archive');
      await c.append('Archive', 'Subject: again\r\n\r\nx\r\n');
      await c.append('Archive', 'Subject: again2\r\n\r\nx\r\n');
    });
    const stale = await rejection(client.request('messages.list', { scope, cursor: first.nextCursor, limit: 1 }));
    expect(stale.error.code).toBe('STALE_UIDVALIDITY');
    const wrongList = await rejection(
      client.request('messages.list', { scope: { ...scope, mailbox: 'INBOX' }, cursor: first.nextCursor, limit: 1 }),
    );
    expect(wrongList.error.code).toBe('BAD_REQUEST');
    const garbage = await rejection(client.request('messages.list', { scope, cursor: 'garbage!', limit: 1 }));
    expect(garbage.error.code).toBe('BAD_REQUEST');
    const missing = await rejection(
      client.request('messages.list', { scope: { ...scope, mailbox: 'No such folder' }, cursor: null, limit: 1 }),
    );
    expect(missing.error.code).toBe('NOT_FOUND');
  });

  it.each([1_000, 10_000, 100_000])(
    'lists the newest 50 of a %i-message mailbox and pages on in order, each page one FETCH of the same width',
    async (count) => {
      const user = await mail.dovecot.addUser();
      await seedMaildir(mail.dovecot, user, count, { seenRatio: 0.5 });
      // The relay reaches Dovecot through a recording proxy, so the test sees the IMAP commands
      // each page sends (plaintext, the harness's explicit opt-in: a proxy cannot read TLS).
      await using proxy = await startRecordingProxy({ host: mail.dovecot.host, port: mail.dovecot.starttlsPort });
      const accountId = await addAccountViaCli(
        mail.relay.dataDir,
        { ...mail.dovecot, starttlsPort: proxy.port },
        user,
        {
          security: 'plain',
        },
      );
      const client = await mail.connect();
      using _c = client;
      await waitForAccount(client, accountId);
      // The command connection is the one that SELECTs (the IDLE watcher EXAMINEs).
      const commandLines = () => proxy.connections().find((lines) => lines.some((l) => / SELECT /i.test(l))) ?? [];
      const list = async (cursor: string | null) => {
        const before = commandLines().length;
        const page = await client.request('messages.list', { scope, cursor, limit: 50 });
        return { page, commands: commandLines().slice(before).map(imapCommand) };
      };
      const scope = { kind: 'mailbox' as const, accountId, mailbox: 'INBOX' };
      const { page: first } = await list(null);
      expect(first.total).toBe(count);
      expect(first.rows[0]).toMatchObject({
        subject: `Seeded message ${count - 1}`,
        preview: `Body of seeded message ${count - 1}.`,
      });
      // The first page again: one FETCH of the newest 50, flags only (the rest is cached; imapflow
      // adds MODSEQ where the server has CONDSTORE).
      const again = await list(null);
      expect(again.commands).toEqual([
        { command: 'FETCH', uid: false, width: 50, items: expect.stringMatching(/^\(UID FLAGS( MODSEQ)?\)$/) },
      ]);
      // A page 90 % down, as the relay's own cursor for it reads (seeded UIDs are sequence numbers).
      const deepSeq = count / 10;
      const deepCursor = encodeCursor({
        k: 'm',
        a: accountId,
        m: 'INBOX',
        p: { uv: first.rows[0]!.id.uidValidity, u: deepSeq + 1, s: deepSeq + 1 },
      });
      const deep = await list(deepCursor);
      expect(deep.page.rows.map((r) => r.id.uid)).toEqual(Array.from({ length: 50 }, (_, i) => deepSeq - i));

      const seen: number[] = first.rows.map((r) => r.id.uid);
      let cursor = first.nextCursor;
      // Before the walk below, which caches rows (this relay's row cache is on).
      const pageCommands: ImapCommand[][] = [deep.commands];
      // 1k: every page to the end; larger: the first 5 pages.
      const maxPages = count === 1_000 ? Infinity : 5;
      for (let pages = 1; cursor && pages < maxPages; pages++) {
        const { page, commands } = await list(cursor);
        if (pages < 5) pageCommands.push(commands);
        seen.push(...page.rows.map((r) => r.id.uid));
        cursor = page.nextCursor;
      }
      const expected = Array.from({ length: seen.length }, (_, i) => count - i);
      expect(seen).toEqual(expected);
      if (count === 1_000) expect(cursor).toBeNull();

      // The work per page must not depend on the mailbox size: every later page (2-5 and the deep
      // one) is exactly one FETCH of a 51-message sequence window (50 + the cursor's own message)
      // with the full row items; never a SEARCH, a list of all UIDs or a window that grows.
      const rowItems = pageCommands[0]![0]?.items ?? '';
      expect(rowItems).toMatch(/ENVELOPE/);
      expect(rowItems).toMatch(/BODY\.PEEK\[1\]<0\.2048>/);
      for (const commands of pageCommands)
        expect(commands).toEqual([{ command: 'FETCH', uid: false, width: 51, items: rowItems }]);
      // Stop the account's connections while the proxy still runs, so the shared relay keeps no
      // account whose server vanished.
      await client.request('accounts.remove', { id: accountId });
    },
    120_000,
  );
});

interface ImapCommand {
  command: string;
  uid: boolean;
  /** How many messages the sequence set names (Infinity for `*`); null when the command has none. */
  width: number | null;
  items: string;
}

const SEQUENCE_SET_COMMANDS = new Set(['FETCH', 'STORE', 'COPY', 'MOVE', 'EXPUNGE']);

/** `A12 UID FETCH 951:1000 (UID FLAGS)` → { command: 'FETCH', uid: true, width: 50, items: '(UID FLAGS)' }. */
function imapCommand(line: string): ImapCommand {
  const words = line.split(' ');
  let i = 1;
  const uid = words[i]?.toUpperCase() === 'UID';
  if (uid) i++;
  const command = (words[i++] ?? '').toUpperCase();
  if (!SEQUENCE_SET_COMMANDS.has(command)) return { command, uid, width: null, items: words.slice(i).join(' ') };
  let width = 0;
  for (const range of (words[i++] ?? '').split(',')) {
    const [lo, hi = lo] = range.split(':').map((n) => (n === '*' ? Infinity : Number(n)));
    width += Math.abs((hi ?? 0) - (lo ?? 0)) + 1;
  }
  return { command, uid, width, items: words.slice(i).join(' ') };
}

describe('unified scope', () => {
  it('merges the INBOX of every account by date, paging without duplicates or gaps; search too', async () => {
    // A relay of its own: the unified inbox spans every account of the user.
    await using own = await startMailRelay();
    const a = await own.addAccount({ name: 'A account' });
    const b = await own.addAccount({ name: 'B account' });
    const base = Date.parse('2025-11-01T00:00:00Z');
    // Interleaved arrival times across the two accounts (INTERNALDATE set by APPEND).
    const plan = [
      { acct: a, subject: 'a-1', at: 1 },
      { acct: b, subject: 'b-2', at: 2 },
      { acct: a, subject: 'a-3', at: 3 },
      { acct: a, subject: 'a-4', at: 4 },
      { acct: b, subject: 'b-5 invoice', at: 5 },
      { acct: b, subject: 'b-6', at: 6 },
      { acct: a, subject: 'a-7 invoice', at: 7 },
    ];
    for (const p of plan) {
      const date = new Date(base + p.at * 3_600_000);
      await appendMessage(own.dovecot, p.acct.user, { subject: p.subject, date });
    }
    const client = await own.connect();
    using _c = client;
    const pages = await allPages(client, { kind: 'unified' }, 3);
    expect(pages.map((p) => subjects(p.rows))).toEqual([
      ['a-7 invoice', 'b-6', 'b-5 invoice'],
      ['a-4', 'a-3', 'b-2'],
      ['a-1'],
    ]);
    expect(pages.every((p) => p.total === 7)).toBe(true);
    expect(pages.at(-1)!.nextCursor).toBeNull();

    // New mail between pages does not shift later pages.
    const first = await client.request('messages.list', { scope: { kind: 'unified' }, cursor: null, limit: 4 });
    await appendMessage(own.dovecot, b.user, { subject: 'b-late', date: new Date(base + 8 * 3_600_000) });
    const rest = await client.request('messages.list', {
      scope: { kind: 'unified' },
      cursor: first.nextCursor,
      limit: 4,
    });
    expect([...subjects(first.rows), ...subjects(rest.rows)]).toEqual([
      'a-7 invoice',
      'b-6',
      'b-5 invoice',
      'a-4',
      'a-3',
      'b-2',
      'a-1',
    ]);

    const search = await client.request('messages.search', {
      scope: { kind: 'unified' },
      query: { subject: 'invoice' },
      cursor: null,
      limit: 1,
    });
    expect(subjects(search.rows)).toEqual(['a-7 invoice']);
    expect(search.total).toBe(2);
    const more = await client.request('messages.search', {
      scope: { kind: 'unified' },
      query: { subject: 'invoice' },
      cursor: search.nextCursor,
      limit: 1,
    });
    expect(subjects(more.rows)).toEqual(['b-5 invoice']);
  });
});

describe('messages.search', () => {
  it('searches server-side with criteria ANDed, newest first and paged, in a mailbox or every INBOX', async () => {
    const { accountId, user } = await mail.addAccount();
    await appendMessage(mail.dovecot, user, { from: 'Ann <ann@example.test>', subject: 'Invoice 1', text: 'pay soon' });
    await appendMessage(mail.dovecot, user, {
      from: 'Ann <ann@example.test>',
      subject: 'Invoice 2',
      flags: ['\\Seen'],
    });
    await appendMessage(mail.dovecot, user, { from: 'Ben <ben@example.test>', subject: 'Invoice 3' });
    await appendMessage(mail.dovecot, user, {
      from: 'Ann <ann@example.test>',
      subject: 'Invoice 4',
      flags: ['\\Flagged'],
    });
    await appendMessage(mail.dovecot, user, { from: 'Ann <ann@example.test>', subject: 'Lunch', text: 'pay later' });
    const client = await mail.connect();
    using _c = client;
    const scope = { kind: 'mailbox' as const, accountId, mailbox: 'INBOX' };
    const first = await client.request('messages.search', {
      scope,
      query: { from: 'ann', subject: 'invoice' },
      cursor: null,
      limit: 2,
    });
    expect(first.total).toBe(3);
    expect(subjects(first.rows)).toEqual(['Invoice 4', 'Invoice 2']);
    const second = await client.request('messages.search', {
      scope,
      query: { from: 'ann', subject: 'invoice' },
      cursor: first.nextCursor,
      limit: 2,
    });
    expect(subjects(second.rows)).toEqual(['Invoice 1']);
    expect(second.nextCursor).toBeNull();
    // A cursor is bound to its query.
    expect(
      (
        await rejection(
          client.request('messages.search', { scope, query: { from: 'ben' }, cursor: first.nextCursor, limit: 2 }),
        )
      ).error.code,
    ).toBe('BAD_REQUEST');

    const unread = await client.request('messages.search', {
      scope,
      query: { from: 'ann', unread: true },
      cursor: null,
      limit: 50,
    });
    expect(subjects(unread.rows)).toEqual(['Lunch', 'Invoice 4', 'Invoice 1']);
    const flagged = await client.request('messages.search', {
      scope,
      query: { flagged: true },
      cursor: null,
      limit: 50,
    });
    expect(subjects(flagged.rows)).toEqual(['Invoice 4']);
    const text = await client.request('messages.search', { scope, query: { text: 'pay' }, cursor: null, limit: 50 });
    expect(subjects(text.rows)).toEqual(['Lunch', 'Invoice 1']);

    const empty = await rejection(client.request('messages.search', { scope, query: {}, cursor: null, limit: 5 }));
    expect(empty.error.code).toBe('BAD_REQUEST');
  });
});
