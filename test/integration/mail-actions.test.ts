// Issue 3, triage actions against real Dovecot and the real relay: seen/flagged, archive (the
// \Archive folder or the account's override), delete (to Trash, then for good), junk, move;
// movedTo identities from COPYUID for undo; stale identities refused; vanished messages
// NOT_FOUND; idempotent replays by actionId; and the fallbacks for servers without MOVE
// (COPY + UID EXPUNGE) and without UIDPLUS (a plain EXPUNGE only when it cannot touch other
// messages).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailAction, MessageId, RequestResult } from '../../shared/index.js';
import { capabilitiesWithout, type ImapUser } from '../harness/dovecot.js';
import { appendMessage, withImap } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';
import { type TestClient, rejection } from '../harness/protocol-client.js';

let mail: MailRelay;

beforeAll(async () => {
  mail = await startMailRelay();
});

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

/** Appends messages and returns their identities as the relay lists them. */
async function seed(
  relay: MailRelay,
  client: TestClient,
  account: { accountId: string; user: ImapUser },
  subjects: string[],
  mailbox = 'INBOX',
): Promise<MessageId[]> {
  const uids: number[] = [];
  for (const subject of subjects)
    uids.push((await appendMessage(relay.dovecot, account.user, { subject, mailbox })).uid);
  const { rows } = await client.request('messages.list', {
    scope: { kind: 'mailbox', accountId: account.accountId, mailbox },
    cursor: null,
    limit: 50,
  });
  return uids.map((uid) => rows.find((r) => r.id.uid === uid)!.id);
}

function act(client: TestClient, ids: MessageId[], action: MailAction, actionId = randomUUID()) {
  return client.request('messages.action', { actionId, ids, action });
}

/** Subjects in a folder, as another client sees them. */
async function folder(relay: MailRelay, user: ImapUser, mailbox: string): Promise<string[]> {
  return await withImap(relay.dovecot, user, async (c) => {
    await c.mailboxOpen(mailbox);
    const found = await c.fetchAll('1:*', { envelope: true }).catch(() => []);
    return found.map((m) => m.envelope?.subject ?? '').sort();
  });
}

function okOutcomes(result: RequestResult<'messages.action'>) {
  for (const o of result.outcomes) expect(o, JSON.stringify(o.error)).toMatchObject({ ok: true, error: null });
  return result.outcomes;
}

describe('messages.action', () => {
  it('sets and clears \\Seen and \\Flagged', async () => {
    const account = await mail.addAccount();
    const client = await mail.connect();
    using _c = client;
    const [a, b] = await seed(mail, client, account, ['a', 'b']);
    okOutcomes(await act(client, [a!, b!], { kind: 'seen', value: true }));
    expect((await client.request('message.get', { id: a! })).flags).toContain('\\Seen');
    okOutcomes(await act(client, [a!], { kind: 'seen', value: false }));
    okOutcomes(await act(client, [b!], { kind: 'flagged', value: true }));
    const after = await client.request('messages.list', {
      scope: { kind: 'mailbox', accountId: account.accountId, mailbox: 'INBOX' },
      cursor: null,
      limit: 50,
    });
    expect(after.rows.map((r) => [r.subject, r.seen, r.flagged])).toEqual([
      ['b', true, true],
      ['a', false, false],
    ]);
  });

  it('archives, junks and moves, returning where each message went (COPYUID) for undo', async () => {
    const account = await mail.addAccount();
    await withImap(mail.dovecot, account.user, (c) => c.mailboxCreate('Projects'));
    const client = await mail.connect();
    using _c = client;
    const [a, b, c, d] = await seed(mail, client, account, ['to archive', 'to junk', 'to projects', 'to archive 2']);
    const archived = okOutcomes(await act(client, [a!, d!], { kind: 'archive' }));
    expect(archived.map((o) => o.movedTo?.mailbox)).toEqual(['Archive', 'Archive']);
    const movedTo = archived[0]!.movedTo!;
    expect((await client.request('message.get', { id: movedTo })).subject).toBe('to archive');
    okOutcomes(await act(client, [b!], { kind: 'junk' }));
    const moved = okOutcomes(await act(client, [c!], { kind: 'move', to: 'Projects' }));
    expect(moved[0]!.movedTo).toMatchObject({ accountId: account.accountId, mailbox: 'Projects' });
    expect(await folder(mail, account.user, 'INBOX')).toEqual([]);
    expect(await folder(mail, account.user, 'Archive')).toEqual(['to archive', 'to archive 2']);
    expect(await folder(mail, account.user, 'Junk')).toEqual(['to junk']);
    expect(await folder(mail, account.user, 'Projects')).toEqual(['to projects']);
    // Undo: move it back from where it went.
    okOutcomes(await act(client, [movedTo], { kind: 'move', to: 'INBOX' }));
    expect(await folder(mail, account.user, 'INBOX')).toEqual(['to archive']);
    // A folder that does not exist is NOT_FOUND, and nothing moves.
    const [e] = await seed(mail, client, account, ['stays']);
    const missing = await act(client, [e!], { kind: 'move', to: 'Nowhere' });
    expect(missing.outcomes[0]).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await folder(mail, account.user, 'INBOX')).toEqual(['stays', 'to archive']);
  });

  it("archives to the account's archive folder when one is set", async () => {
    const account = await mail.addAccount();
    await withImap(mail.dovecot, account.user, (c) => c.mailboxCreate('Old mail'));
    const client = await mail.connect();
    using _c = client;
    await client.request('accounts.update', { id: account.accountId, patch: { archiveMailbox: 'Old mail' } });
    // The relay picks the change up from the store.
    const deadline = Date.now() + 10_000;
    const [a] = await seed(mail, client, account, ['keep']);
    let outcome;
    do {
      outcome = (await act(client, [a!], { kind: 'archive' })).outcomes[0]!;
      if (outcome.movedTo?.mailbox === 'Old mail') break;
      if (outcome.ok) await act(client, [outcome.movedTo!], { kind: 'move', to: 'INBOX' });
      await new Promise((r) => setTimeout(r, 200));
    } while (Date.now() < deadline);
    expect(outcome.movedTo?.mailbox).toBe('Old mail');
  });

  it('deletes to Trash, and from Trash for good (UID EXPUNGE of exactly those messages)', async () => {
    const account = await mail.addAccount();
    const client = await mail.connect();
    using _c = client;
    const [a, b] = await seed(mail, client, account, ['delete me', 'keep me']);
    const [trashed] = okOutcomes(await act(client, [a!], { kind: 'delete' }));
    expect(trashed!.movedTo?.mailbox).toBe('Trash');
    expect(await folder(mail, account.user, 'Trash')).toEqual(['delete me']);
    // Another client marked a different Trash message \Deleted: UIDPLUS keeps it.
    const [other] = await seed(mail, client, account, ['marked by another client'], 'Trash');
    await withImap(mail.dovecot, account.user, async (c) => {
      await c.mailboxOpen('Trash');
      await c.messageFlagsAdd(String(other!.uid), ['\\Deleted'], { uid: true });
    });
    const [gone] = okOutcomes(await act(client, [trashed!.movedTo!], { kind: 'delete' }));
    expect(gone!.movedTo).toBeNull();
    expect(await folder(mail, account.user, 'Trash')).toEqual(['marked by another client']);
    expect(await folder(mail, account.user, 'INBOX')).toEqual(['keep me']);
    expect(b).toBeDefined();
  });

  it('refuses stale identities, reports vanished messages, and acts on the rest', async () => {
    const account = await mail.addAccount();
    const client = await mail.connect();
    using _c = client;
    const [a, b] = await seed(mail, client, account, ['live', 'vanishes']);
    await withImap(mail.dovecot, account.user, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageDelete(String(b!.uid), { uid: true });
    });
    const stale = { ...a!, uidValidity: String(BigInt(a!.uidValidity) + 1n) };
    const result = await act(client, [a!, b!, stale], { kind: 'flagged', value: true });
    expect(result.outcomes.map((o) => [o.ok, o.error?.code ?? null])).toEqual([
      [true, null],
      [false, 'NOT_FOUND'],
      [false, 'STALE_UIDVALIDITY'],
    ]);
    expect(result.outcomes[2]!.id).toEqual(stale);
    const mixed = await rejection(
      act(client, [a!, { ...a!, accountId: 'someone-elses' }], { kind: 'seen', value: true }),
    );
    expect(mixed.error.code).toBe('BAD_REQUEST');
  });

  it('answers a replayed actionId with the first outcome instead of acting twice', async () => {
    const account = await mail.addAccount();
    const client = await mail.connect();
    using _c = client;
    const [a] = await seed(mail, client, account, ['once']);
    const actionId = randomUUID();
    const first = await act(client, [a!], { kind: 'archive' }, actionId);
    okOutcomes(first);
    // The same request again (an outbox replay after a reconnect) from another socket.
    const other = await mail.connect();
    using _o = other;
    const replay = await act(other, [a!], { kind: 'archive' }, actionId);
    expect(replay).toEqual(first);
    expect(await folder(mail, account.user, 'Archive')).toEqual(['once']);
    // Without the journal the same ids would now be NOT_FOUND.
    const fresh = await act(client, [a!], { kind: 'archive' });
    expect(fresh.outcomes[0]!.error?.code).toBe('NOT_FOUND');
    // The id cannot be reused for something else.
    expect((await rejection(act(client, [a!], { kind: 'junk' }, actionId))).error.code).toBe('BAD_REQUEST');
  });
});

describe('servers without MOVE or UIDPLUS', () => {
  it('moves with COPY + \\Deleted + UID EXPUNGE when MOVE is missing, keeping COPYUID', async () => {
    await using relay = await startMailRelay({ dovecot: { capabilities: capabilitiesWithout('MOVE') } });
    const account = await relay.addAccount();
    const client = await relay.connect();
    using _c = client;
    const [a, b] = await seed(relay, client, account, ['move me', 'stay']);
    // A message another client marked \Deleted must survive our expunge.
    await withImap(relay.dovecot, account.user, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageFlagsAdd(String(b!.uid), ['\\Deleted'], { uid: true });
    });
    const [moved] = okOutcomes(await act(client, [a!], { kind: 'archive' }));
    expect(moved!.movedTo).toMatchObject({ mailbox: 'Archive', uid: expect.any(Number) });
    expect(await folder(relay, account.user, 'Archive')).toEqual(['move me']);
    expect(await folder(relay, account.user, 'INBOX')).toEqual(['stay']);
  });

  it('expunges only when safe without UIDPLUS, and otherwise refuses without touching anything', async () => {
    await using relay = await startMailRelay({ dovecot: { capabilities: capabilitiesWithout('UIDPLUS', 'MOVE') } });
    const account = await relay.addAccount();
    const client = await relay.connect();
    using _c = client;
    const [a, b, c] = await seed(relay, client, account, ['one', 'two', 'three'], 'Trash');
    // Nothing else is \Deleted: a plain EXPUNGE removes exactly our message.
    okOutcomes(await act(client, [a!], { kind: 'delete' }));
    expect(await folder(relay, account.user, 'Trash')).toEqual(['three', 'two']);
    // Another client marked "three" \Deleted (maybe to undelete it later): refuse, remove nothing.
    await withImap(relay.dovecot, account.user, async (imap) => {
      await imap.mailboxOpen('Trash');
      await imap.messageFlagsAdd(String(c!.uid), ['\\Deleted'], { uid: true });
    });
    const refused = await rejection(act(client, [b!], { kind: 'delete' }));
    expect(refused.error.code).toBe('IMAP_ERROR');
    expect(refused.error.message).toMatch(/UIDPLUS/);
    expect(await folder(relay, account.user, 'Trash')).toEqual(['three', 'two']);
    // A move (COPY + EXPUNGE without MOVE) is refused before copying: no duplicates appear.
    const refusedMove = await rejection(act(client, [b!], { kind: 'move', to: 'INBOX' }));
    expect(refusedMove.error.code).toBe('IMAP_ERROR');
    expect(await folder(relay, account.user, 'INBOX')).toEqual([]);
    // In INBOX, with nothing else \Deleted, the COPY + EXPUNGE move works.
    const [d] = await seed(relay, client, account, ['four']);
    okOutcomes(await act(client, [d!], { kind: 'junk' }));
    expect(await folder(relay, account.user, 'Junk')).toEqual(['four']);
    expect(await folder(relay, account.user, 'INBOX')).toEqual([]);
  });
});
