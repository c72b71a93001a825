import { describe, expect, it } from 'vitest';
import type { AccountSummary } from '../../shared/index.js';
import { messageId, row, rows } from '../testing/mail-fakes.js';
import { started, tick, type FakeChannel } from '../testing/popup-fakes.js';
import type { ActionResult } from '../ui-protocol/data-messages.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';
import { MARK_ALL_CHUNK } from './mark-all-read.js';

function account(id: string, inboxUnread: number): AccountSummary {
  return {
    id,
    name: id,
    username: `${id}@example.org`,
    host: 'mail.example.org',
    unread: inboxUnread,
    mailboxes: [{ path: 'INBOX', unread: inboxUnread, total: inboxUnread + 10 }],
    state: { status: 'online', since: 1 },
    color: null,
    quota: null,
    oauthProvider: null,
  };
}

function snapshot(accounts: AccountSummary[]): Snapshot {
  return {
    relayUrl: 'wss://relay.example.org',
    pairing: { status: 'paired', deviceId: 'device-1' },
    connection: { status: 'open' } as Snapshot['connection'],
    accounts,
    accountsAt: 1,
  };
}

/** Answers `markAllRead` requests with `answer(params)`; returns the params sent. */
function answerMarkAll(channel: FakeChannel, answer: (p: { accountId: string; mailbox: string }) => ActionResult) {
  const sent: { actionId: string; accountId: string; mailbox: string }[] = [];
  const send = channel.send.bind(channel);
  channel.send = async (body) => {
    if (body.type !== 'markAllRead') return await send(body);
    channel.sent.push(body);
    sent.push(body.params);
    await Promise.resolve();
    return { ok: true, result: answer(body.params) };
  };
  return sent;
}

const marked = (uids: number[], undoable = true): ActionResult => ({
  status: 'done',
  outcomes: [],
  marked: { uidValidity: '1', uids, marked: uids.length, undoable },
});

describe('Mark all read (whole folders)', () => {
  it("marks every account's INBOX read in the unified inbox, says how many, and undo marks exactly those unread", async () => {
    const list = [row(3), row(2, { id: { accountId: 'home' } }), row(1, { seen: true, flags: ['\\Seen'] })];
    const { popup, channel } = await started({ listRows: list });
    popup.onSnapshot(snapshot([account('work', 700), account('home', 4)]));
    // What the relay found unread in work's INBOX: row 3 and 699 not loaded; not row 1 (read).
    const workUids = [3, ...Array.from({ length: 699 }, (_, i) => i + 100)];
    const sent = answerMarkAll(channel, (p) => marked(p.accountId === 'work' ? workUids : [2, 40]));
    expect(popup.markAllCount()).toBe(704);
    popup.markAllRead();
    expect(popup.view.list.rows.every((r) => r.seen)).toBe(true);
    expect(popup.view.toast).toMatchObject({ tone: 'info', text: 'popup_markedAllRead(704)' });
    await tick();
    expect(sent.map((p) => [p.accountId, p.mailbox])).toEqual([
      ['work', 'INBOX'],
      ['home', 'INBOX'],
    ]);
    expect(channel.actions()).toEqual([]);

    popup.undo();
    await tick();
    const undone = channel.actions();
    expect(undone.every((a) => a.action.kind === 'seen' && a.action.value === false)).toBe(true);
    expect(undone.every((a) => a.ids.length <= MARK_ALL_CHUNK)).toBe(true);
    expect(undone.flatMap((a) => a.ids)).toHaveLength(702);
    expect(undone.flatMap((a) => a.ids)).toContainEqual(messageId(40, { accountId: 'home' }));
    // In the list: the marked rows unread again; the one read before stays read.
    expect(popup.view.list.rows.map((r) => [r.id.uid, r.seen])).toEqual([
      [3, false],
      [2, false],
      [1, true],
    ]);
  });

  it('waits for a queued request before undoing, then undoes what the relay reports', async () => {
    const { popup, channel } = await started({ listRows: rows(1, 3) });
    popup.onSnapshot(snapshot([account('work', 3)]));
    const sent = answerMarkAll(channel, () => ({ status: 'queued' }));
    popup.markAllRead();
    await tick();
    popup.undo();
    await tick();
    expect(channel.actions()).toEqual([]);
    expect(popup.view.list.rows.every((r) => !r.seen)).toBe(true);
    channel.push({ type: 'action', actionId: sent[0]!.actionId, result: marked([1, 2, 3]) });
    await tick();
    expect(channel.actions().flatMap((a) => a.ids.map((id) => id.uid))).toEqual([1, 2, 3]);
  });

  it('rolls the rows back and says why when the relay refuses', async () => {
    const { popup, channel } = await started({ listRows: rows(1, 3) });
    popup.onSnapshot(snapshot([account('work', 3)]));
    answerMarkAll(channel, () => ({ status: 'failed', error: { code: 'NOT_FOUND', message: 'no such folder' } }));
    popup.markAllRead();
    await tick();
    expect(popup.view.list.rows.every((r) => !r.seen)).toBe(true);
    expect(popup.view.toast).toMatchObject({ tone: 'error', text: 'popup_errMarkAllRead(popup_errNotFound)' });
  });

  it('says when a folder was too big to undo', async () => {
    const { popup, channel } = await started({ listRows: rows(1, 3) });
    popup.onSnapshot(snapshot([account('work', 9000)]));
    answerMarkAll(channel, () => ({
      status: 'done',
      outcomes: [],
      marked: { uidValidity: '1', uids: [], marked: 9000, undoable: false },
    }));
    popup.markAllRead();
    await tick();
    popup.undo();
    await tick();
    expect(channel.actions()).toEqual([]);
    expect(popup.view.toast).toMatchObject({ tone: 'error', text: 'popup_markAllReadNoUndo(9000)' });
  });

  it('marks search results as loaded, in requests of at most MARK_ALL_CHUNK', async () => {
    const many = Array.from({ length: MARK_ALL_CHUNK + 20 }, (_, i) => row(i + 1));
    many.push(row(9001, { seen: true, flags: ['\\Seen'] }), row(9002, { id: { accountId: 'home' } }));
    const { popup, channel } = await started({ listRows: many });
    channel.on('messages.search', () => ({ rows: many, nextCursor: null, total: many.length }));
    popup.search('report');
    await tick();
    popup.markAllRead();
    await tick();
    const sent = channel.actions();
    expect(sent.every((a) => a.action.kind === 'seen' && a.action.value === true)).toBe(true);
    expect(sent.every((a) => a.ids.length <= MARK_ALL_CHUNK)).toBe(true);
    const ids = sent.flatMap((a) => a.ids.map((id) => `${id.accountId}:${id.uid}`));
    expect(ids).toHaveLength(MARK_ALL_CHUNK + 21);
    expect(ids).not.toContain('work:9001');
    expect(ids).toContain('home:9002');
    expect(popup.view.list.rows.every((r) => r.seen)).toBe(true);
  });
});
