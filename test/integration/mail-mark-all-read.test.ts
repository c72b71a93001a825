// Issue 13, "Mark all read" for a whole folder against real Dovecot and the real relay: every
// unread message is marked read on the server — far more than a page of the list, and more than
// one UID STORE chunk — with the UIDs it marked in the answer, so undo (messages.action seen:false)
// makes exactly those unread again; a replay of the same actionId answers the same and does not
// act twice.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Limits, requests, type MessageId } from '../../shared/index.js';
import type { ImapUser } from '../harness/dovecot.js';
import { seedMaildir, statusUnseen, withImap } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';
import { rejection } from '../harness/protocol-client.js';

let mail: MailRelay;

beforeAll(async () => {
  mail = await startMailRelay();
});

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

/** UIDs of the unread messages of a folder, as another client sees them. */
async function unseenUids(user: ImapUser, mailbox = 'INBOX'): Promise<number[]> {
  return await withImap(mail.dovecot, user, async (c) => {
    await c.mailboxOpen(mailbox);
    return ((await c.search({ seen: false }, { uid: true })) || []).sort((a, b) => a - b);
  });
}

describe('mailbox.markAllRead', () => {
  it('marks every unread message of the folder read, beyond the loaded page and one STORE chunk; undo restores exactly those', async () => {
    const { user, accountId } = await mail.addAccount();
    const seeded = await seedMaildir(mail.dovecot, user, 1_200, { seenRatio: 0.1 });
    expect(seeded.unseen).toBeGreaterThan(Limits.markAllReadChunk);
    const before = await unseenUids(user);
    expect(before).toHaveLength(seeded.unseen);
    const client = await mail.connect();
    using _c = client;

    const actionId = randomUUID();
    const params = { actionId, accountId, mailbox: 'INBOX' };
    const result = await client.request('mailbox.markAllRead', params);
    // What the extension would accept (the test client does not parse results itself).
    requests['mailbox.markAllRead'].result.parse(result);
    expect(result).toMatchObject({ marked: seeded.unseen, undoable: true });
    expect(result.uids).toEqual(before);
    expect(await statusUnseen(mail.dovecot, user)).toBe(0);

    // A replay (the outbox resends after a reconnect) gets the first answer and acts no more.
    const [uidA, uidB] = before as [number, number];
    await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageFlagsRemove(String(uidA), ['\\Seen'], { uid: true });
    });
    expect(await client.request('mailbox.markAllRead', params)).toEqual(result);
    expect(await unseenUids(user)).toEqual([uidA]);
    await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageFlagsAdd(String(uidA), ['\\Seen'], { uid: true });
    });

    // Undo: the recorded UIDs unread again, through messages.action in requests of 500.
    const ids: MessageId[] = result.uids.map((uid) => ({
      accountId,
      mailbox: 'INBOX',
      uidValidity: result.uidValidity,
      uid,
    }));
    for (let i = 0; i < ids.length; i += 500) {
      const undone = await client.request('messages.action', {
        actionId: randomUUID(),
        ids: ids.slice(i, i + 500),
        action: { kind: 'seen', value: false },
      });
      expect(undone.outcomes.every((o) => o.ok)).toBe(true);
    }
    expect(await unseenUids(user)).toEqual(before);
    expect(before).toContain(uidB);
  });

  it('sends no flag event per message for the folder it marked, only for single-message actions', async () => {
    const { user, accountId } = await mail.addAccount();
    const seeded = await seedMaildir(mail.dovecot, user, 40, { mailbox: 'Projects', seenRatio: 0 });
    const client = await mail.connect();
    using _c = client;
    const flagEvents = () =>
      client.events.filter((e) => e.event === 'message.flags' && e.payload.id.mailbox === 'Projects');
    const result = await client.request('mailbox.markAllRead', {
      actionId: randomUUID(),
      accountId,
      mailbox: 'Projects',
    });
    expect(result.marked).toBe(seeded.unseen);
    expect(await unseenUids(user, 'Projects')).toEqual([]);
    // An action on one message afterwards: its own flag event comes after anything the mark-all-read
    // sent, on the same socket, so by then a per-message flood would have arrived.
    const id = { accountId, mailbox: 'Projects', uidValidity: result.uidValidity, uid: result.uids[0]! };
    await client.request('messages.action', {
      actionId: randomUUID(),
      ids: [id],
      action: { kind: 'flagged', value: true },
    });
    await client.waitFor(() => flagEvents().length > 0, 8_000, 'the flag event of the single action');
    expect(flagEvents()).toEqual([
      expect.objectContaining({ payload: { id, flags: expect.arrayContaining(['\\Seen', '\\Flagged']) } }),
    ]);
  });

  it('answers an empty list for a folder with nothing unread, and NOT_FOUND for one that does not exist', async () => {
    const { user, accountId } = await mail.addAccount();
    await seedMaildir(mail.dovecot, user, 3, { seenRatio: 1 });
    const client = await mail.connect();
    using _c = client;
    const result = await client.request('mailbox.markAllRead', { actionId: randomUUID(), accountId, mailbox: 'INBOX' });
    expect(result).toMatchObject({ uids: [], marked: 0, undoable: true });
    const error = await rejection(
      client.request('mailbox.markAllRead', { actionId: randomUUID(), accountId, mailbox: 'No such folder' }),
    );
    expect(error.error.code).toBe('NOT_FOUND');
  });

  it('refuses a reused actionId for another folder', async () => {
    const { accountId } = await mail.addAccount();
    const client = await mail.connect();
    using _c = client;
    const actionId = randomUUID();
    await client.request('mailbox.markAllRead', { actionId, accountId, mailbox: 'INBOX' });
    const error = await rejection(client.request('mailbox.markAllRead', { actionId, accountId, mailbox: 'Archive' }));
    expect(error.error.code).toBe('BAD_REQUEST');
  });
});
