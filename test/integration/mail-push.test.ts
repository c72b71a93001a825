// Issue 3, per-message push against real Dovecot and the real relay: another client's APPEND,
// flag change and delete arrive as message.new (with rows and `notify`), message.flags and
// message.expunged; what happened while the relay was disconnected arrives after it reconnects
// (QRESYNC); and a UIDVALIDITY change arrives as mailbox.reset.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, ServerEvent } from '../../shared/index.js';
import { appendMessage, setSeen, withImap } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';
import type { TestClient } from '../harness/protocol-client.js';

let mail: MailRelay;

beforeAll(async () => {
  mail = await startMailRelay();
});

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

type Of<T extends ServerEvent['event']> = Extract<ServerEvent, { event: T }>;

function eventsOf<T extends ServerEvent['event']>(client: TestClient, type: T, from = 0): EventPayload<T>[] {
  return client.events
    .slice(from)
    .filter((e): e is Of<T> => e.event === type)
    .map((e) => e.payload as EventPayload<T>);
}

// Dovecot delays IDLE pushes by ~0.5 s (TEST-INFRA.md): wait generously.
const PUSH_TIMEOUT = 8_000;

/**
 * A new account with one new message, and two devices: `actor` (which has listed the message)
 * and `watcher` (which has had its message.new, unflagged).
 */
async function actingDevices(subject: string) {
  const { accountId, user } = await mail.addAccount();
  const actor = await mail.connect();
  const watcher = await mail.connect();
  const { uid } = await appendMessage(mail.dovecot, user, { subject });
  // Changes made before the watcher heard of the message arrive in its message.new row instead.
  await watcher.waitFor(
    () => eventsOf(watcher, 'message.new').some((e) => e.rows.some((r) => r.id.uid === uid && !r.flagged)),
    PUSH_TIMEOUT,
    'message.new',
  );
  const { rows } = await actor.request('messages.list', {
    scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
    cursor: null,
    limit: 5,
  });
  const id = rows.find((r) => r.id.uid === uid)!.id;
  return { user, actor, watcher, uid, id };
}

describe('push events', () => {
  it('turns another client’s APPEND, flag change and delete into message.new/flags/expunged', async () => {
    const { accountId, user } = await mail.addAccount();
    const client = await mail.connect();
    using _c = client;

    const { uid } = await appendMessage(mail.dovecot, user, {
      from: 'Dana <dana@example.test>',
      subject: 'Hot off the press',
      text: 'First line of the news',
    });
    await client.waitFor(() => eventsOf(client, 'message.new').length > 0, PUSH_TIMEOUT, 'message.new');
    const [news] = eventsOf(client, 'message.new');
    expect(news).toMatchObject({ accountId, mailbox: 'INBOX', notify: true });
    expect(news!.rows).toHaveLength(1);
    expect(news!.rows[0]).toMatchObject({
      id: { accountId, mailbox: 'INBOX', uid },
      subject: 'Hot off the press',
      from: [{ name: 'Dana', address: 'dana@example.test' }],
      seen: false,
      preview: 'First line of the news',
    });
    const uidValidity = news!.rows[0]!.id.uidValidity;

    // Already read when it arrives (e.g. sent from another client): no notification.
    await appendMessage(mail.dovecot, user, { subject: 'Read already', flags: ['\\Seen'] });
    await client.waitFor(() => eventsOf(client, 'message.new').length > 1, PUSH_TIMEOUT, 'second message.new');
    expect(eventsOf(client, 'message.new')[1]).toMatchObject({ notify: false, rows: [{ subject: 'Read already' }] });

    await setSeen(mail.dovecot, user, uid, true);
    await client.waitFor(
      () => eventsOf(client, 'message.flags').some((e) => e.id.uid === uid && e.flags.includes('\\Seen')),
      PUSH_TIMEOUT,
      'message.flags',
    );
    expect(eventsOf(client, 'message.flags').find((e) => e.id.uid === uid)!.id).toEqual({
      accountId,
      mailbox: 'INBOX',
      uidValidity,
      uid,
    });

    await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageDelete(String(uid), { uid: true });
    });
    await client.waitFor(() => eventsOf(client, 'message.expunged').length > 0, PUSH_TIMEOUT, 'message.expunged');
    expect(eventsOf(client, 'message.expunged')).toEqual([{ accountId, mailbox: 'INBOX', uidValidity, uids: [uid] }]);
    // Counts follow as before.
    await client.waitFor(() => client.latestUnread(accountId) === 0, PUSH_TIMEOUT, 'unread 0');
  });

  it('pushes the relay’s own actions too, so every browser converges', async () => {
    const { actor, watcher, uid, id } = await actingDevices('act on me');
    using _a = actor;
    using _w = watcher;
    await actor.request('messages.action', {
      actionId: 'push-own-1',
      ids: [id],
      action: { kind: 'flagged', value: true },
    });
    await watcher.waitFor(
      () => eventsOf(watcher, 'message.flags').some((e) => e.id.uid === uid && e.flags.includes('\\Flagged')),
      PUSH_TIMEOUT,
      'message.flags after our own action',
    );
    await actor.request('messages.action', { actionId: 'push-own-2', ids: [id], action: { kind: 'archive' } });
    await watcher.waitFor(
      () => eventsOf(watcher, 'message.expunged').some((e) => e.uids.includes(uid)),
      PUSH_TIMEOUT,
      'message.expunged after archive',
    );
  });

  it('publishes the state after its own STORE at once, and never an older state after it', async () => {
    const { user, actor, watcher, uid, id } = await actingDevices('read, then unread at once');
    using _a = actor;
    using _w = watcher;
    const from = watcher.events.length;
    const flagsOf = () =>
      eventsOf(watcher, 'message.flags', from)
        .filter((e) => e.id.uid === uid)
        .map((e) => [...e.flags].sort().join(' '));
    // Read, then unread right after: IDLE reports the first change about half a second later,
    // when the message may already be unread again.
    await actor.request('messages.action', {
      actionId: 'order-seen-1',
      ids: [id],
      action: { kind: 'seen', value: true },
    });
    await actor.request('messages.action', {
      actionId: 'order-seen-2',
      ids: [id],
      action: { kind: 'seen', value: false },
    });
    // Both states are published as the STOREs answer, in order. IDLE alone would report the
    // message once, as it is when Dovecot looks (unread): the read state would never be seen.
    await watcher.waitFor(() => flagsOf().length >= 2, PUSH_TIMEOUT, 'both states published');
    expect(flagsOf()).toEqual(['\\Seen', '']);
    // A later change by another client marks the end: everything IDLE reported about the two
    // STOREs came before it on the same connection, and none of it was published again.
    await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true });
    });
    await watcher.waitFor(
      () => flagsOf().includes('\\Flagged'),
      PUSH_TIMEOUT,
      'message.flags of the other client’s change',
    );
    expect(flagsOf()).toEqual(['\\Seen', '', '\\Flagged']);
  });

  it('catches up after a reconnect (QRESYNC) and reports a UIDVALIDITY change as mailbox.reset', async () => {
    await using own = await startMailRelay();
    const { accountId, user } = await own.addAccount();
    const client = await own.connect();
    using _c = client;
    const a = await appendMessage(own.dovecot, user, { subject: 'before' });
    const b = await appendMessage(own.dovecot, user, { subject: 'to be deleted while away' });
    await client.waitFor(() => eventsOf(client, 'message.new').length >= 1, PUSH_TIMEOUT, 'initial message.new');
    await client.waitFor(
      () =>
        eventsOf(client, 'message.new')
          .flatMap((e) => e.rows)
          .some((r) => r.id.uid === b.uid),
      PUSH_TIMEOUT,
      'both messages known',
    );
    const uidValidity = eventsOf(client, 'message.new')[0]!.rows[0]!.id.uidValidity;

    // The server goes away; meanwhile mail arrives, a flag changes and a message is deleted.
    await own.dovecot.stop();
    await own.dovecot.restart();
    const mark = client.events.length;
    await appendMessage(own.dovecot, user, { subject: 'while away' });
    await setSeen(own.dovecot, user, a.uid, true);
    await withImap(own.dovecot, user, async (c) => {
      await c.mailboxOpen('INBOX');
      await c.messageDelete(String(b.uid), { uid: true });
    });
    await client.waitFor(
      () =>
        eventsOf(client, 'message.new', mark).some((e) => e.rows.some((r) => r.subject === 'while away')) &&
        eventsOf(client, 'message.flags', mark).some((e) => e.id.uid === a.uid && e.flags.includes('\\Seen')) &&
        eventsOf(client, 'message.expunged', mark).some((e) => e.uids.includes(b.uid)),
      20_000,
      'catch-up events after the reconnect',
    );
    expect(eventsOf(client, 'mailbox.reset')).toEqual([]);

    // A new UIDVALIDITY (the mailbox's index and UID list are gone, as after a server migration).
    await own.dovecot.stop();
    const maildir = join(own.dovecot.homeOf(user.username), 'Maildir');
    for (const f of readdirSync(maildir))
      if (f.startsWith('dovecot-uidlist') || f.startsWith('dovecot.index') || f.startsWith('dovecot-uidvalidity'))
        rmSync(join(maildir, f), { force: true });
    await new Promise((r) => setTimeout(r, 1_100)); // UIDVALIDITY derives from the clock's seconds.
    await own.dovecot.restart();
    await client.waitFor(() => eventsOf(client, 'mailbox.reset').length > 0, 20_000, 'mailbox.reset');
    const [reset] = eventsOf(client, 'mailbox.reset');
    expect(reset).toMatchObject({ accountId, mailbox: 'INBOX' });
    expect(reset!.uidValidity).not.toBe(uidValidity);
    // The listing agrees with the new UIDVALIDITY.
    const { rows } = await client.request('messages.list', {
      scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
      cursor: null,
      limit: 50,
    });
    expect(rows.every((r) => r.id.uidValidity === reset!.uidValidity)).toBe(true);
  });
});
