import { describe, expect, it } from 'vitest';
import { messageKey, type MailAction } from '../../shared/index.js';
import { messageId, row } from '../testing/mail-fakes.js';
import { done, outcome, started, tick } from '../testing/popup-fakes.js';
import { UNDO_WINDOW_MS } from './popup-controller.js';

describe('PopupController actions', () => {
  it('archives optimistically, moves the focus to the next row, and offers undo', async () => {
    const { popup, channel, uids } = await started();
    popup.focusRow(messageKey(messageId(4)));
    channel.actionAnswers.push('hold');
    popup.command('archive');
    expect(uids()).toEqual([5, 3, 2, 1]);
    expect(popup.view.activeKey).toBe(messageKey(messageId(3)));
    expect(popup.view.toast).toMatchObject({ tone: 'info', text: 'popup_toastArchived_one(1)', undo: ['action-0001'] });
    expect(channel.actions()).toEqual([{ actionId: 'action-0001', ids: [messageId(4)], action: { kind: 'archive' } }]);
  });

  it('rolls back a failed action into place and says why', async () => {
    const { popup, channel, uids } = await started();
    popup.focusRow(messageKey(messageId(4)));
    channel.actionAnswers.push({ status: 'failed', error: { code: 'STALE_UIDVALIDITY', message: 'rebuilt' } });
    popup.command('delete');
    await tick();
    expect(uids()).toEqual([5, 4, 3, 2, 1]);
    expect(popup.view.toast).toMatchObject({ tone: 'error', text: 'popup_failDelete(popup_errStale)', undo: null });
  });

  it('rolls back only the messages whose outcome failed', async () => {
    const { popup, channel, uids } = await started();
    popup.toggleSelected(messageKey(messageId(2)));
    popup.toggleSelected(messageKey(messageId(4)));
    const action: MailAction = { kind: 'junk' };
    channel.actionAnswers.push({
      status: 'done',
      outcomes: [outcome(messageId(4), action), outcome(messageId(2), action, false)],
    });
    popup.command('junk');
    await tick();
    expect(uids()).toEqual([5, 3, 2, 1]);
    expect(popup.view.toast?.text).toBe('popup_failJunk(popup_errNotFound)');
    expect(popup.view.selected.size).toBe(0);
  });

  it('keeps a queued action applied and settles it when the background reports back', async () => {
    const { popup, channel, uids } = await started();
    popup.focusRow(messageKey(messageId(5)));
    channel.actionAnswers.push({ status: 'queued' });
    popup.command('flag');
    await tick();
    expect(popup.view.list.rows[0]?.flagged).toBe(true);
    channel.push({
      type: 'action',
      actionId: 'action-0001',
      result: { status: 'failed', error: { code: 'NOT_FOUND', message: 'gone' } },
    });
    expect(popup.view.list.rows[0]?.flagged).toBe(false);
    expect(uids()).toEqual([5, 4, 3, 2, 1]);
    expect(popup.view.toast?.text).toBe('popup_failFlag(popup_errNotFound)');
  });

  it('keeps an unanswered read/unread on top of flag events, which apply as they are once answered', async () => {
    const { popup, channel } = await started();
    const id = messageId(5);
    const flagsEvent = (flags: string[]) =>
      channel.push({ type: 'event', event: { event: 'message.flags', seq: 9, payload: { id, flags } } });
    const row5 = () => popup.view.list.rows.find((r) => messageKey(r.id) === messageKey(id))!;
    popup.focusRow(messageKey(id));
    channel.actionAnswers.push('hold');
    popup.command('markRead');
    await tick();
    expect(row5().seen).toBe(true);
    expect(channel.held).toHaveLength(1);
    // The server's state from before the STORE, reported while it runs: the read stays, and
    // what else the event says (starred elsewhere) is taken.
    flagsEvent(['\\Flagged']);
    expect(row5()).toMatchObject({ seen: true, flagged: true });
    channel.held[0]!.resolve({ ok: true, result: done([id], { kind: 'seen', value: true }) });
    await tick();
    // Answered: an event is the server's word again (marked unread on another device).
    flagsEvent(['\\Flagged']);
    expect(row5()).toMatchObject({ seen: false, flagged: true });
  });

  it('toggles read for a selection with the button: set unless all have it, then clear', async () => {
    const { popup, channel } = await started({ listRows: [row(2, { seen: true, flags: ['\\Seen'] }), row(1)] });
    popup.toggleSelected(messageKey(messageId(1)));
    popup.toggleSelected(messageKey(messageId(2)));
    popup.toggleRead();
    expect(channel.actions().at(-1)?.action).toEqual({ kind: 'seen', value: true });
    expect(popup.view.list.rows.every((r) => r.seen)).toBe(true);
    popup.toggleRead();
    expect(channel.actions().at(-1)?.action).toEqual({ kind: 'seen', value: false });
  });

  it('marks read with Shift+I and unread with Shift+U, sending only the rows that change', async () => {
    const { popup, channel } = await started({ listRows: [row(2, { seen: true, flags: ['\\Seen'] }), row(1)] });
    popup.toggleSelected(messageKey(messageId(1)));
    popup.toggleSelected(messageKey(messageId(2)));
    popup.command('markRead');
    expect(channel.actions().at(-1)).toMatchObject({ ids: [messageId(1)], action: { kind: 'seen', value: true } });
    const sent = channel.actions().length;
    popup.command('markRead');
    expect(channel.actions().length).toBe(sent);
    popup.command('markUnread');
    expect(channel.actions().at(-1)).toMatchObject({ action: { kind: 'seen', value: false } });
    expect(channel.actions().at(-1)?.ids).toHaveLength(2);
    expect(popup.view.list.rows.every((r) => !r.seen)).toBe(true);
  });

  it('u goes back to the list from a message and does nothing on the list', async () => {
    const { popup } = await started();
    expect(popup.command('list')).toBe(false);
    await popup.openMessage(messageKey(messageId(3)));
    expect(popup.view.screen.kind).toBe('message');
    expect(popup.command('list')).toBe(true);
    expect(popup.view.screen.kind).toBe('list');
  });

  it('the arrows move in the list but are left to the browser on a message (they scroll it)', async () => {
    const { popup } = await started();
    popup.focusRow(messageKey(messageId(4)));
    expect(popup.command('down')).toBe(true);
    expect(popup.view.activeKey).toBe(messageKey(messageId(3)));
    await popup.openMessage(messageKey(messageId(3)));
    expect(popup.command('down')).toBe(false);
    expect(popup.command('up')).toBe(false);
    expect(popup.view.screen.kind).toBe('message');
  });

  it('selects every loaded row with Ctrl+A (list only) and clears with Esc', async () => {
    const { popup } = await started();
    expect(popup.command('selectAll')).toBe(true);
    expect(popup.view.selected.size).toBe(5);
    expect(popup.command('back')).toBe(true);
    expect(popup.view.selected.size).toBe(0);
    await popup.openMessage(messageKey(messageId(3)));
    expect(popup.command('selectAll')).toBe(false);
  });

  it('sends one action per account for a unified selection', async () => {
    const list = [row(3), row(2, { id: { accountId: 'home' } }), row(1)];
    const { popup, channel } = await started({ listRows: list });
    for (const r of list) popup.toggleSelected(messageKey(r.id));
    popup.command('archive');
    await tick();
    expect(channel.actions().map((a) => a.ids.map((id) => `${id.accountId}:${id.uid}`))).toEqual([
      ['work:3', 'work:1'],
      ['home:2'],
    ]);
    expect(popup.view.list.rows).toHaveLength(0);
    // Move needs one account's folders.
    for (const r of list)
      channel.push({
        type: 'event',
        event: {
          event: 'message.new',
          seq: 9,
          payload: { accountId: r.id.accountId, mailbox: 'INBOX', rows: [r], notify: false },
        },
      });
    for (const r of list) popup.toggleSelected(messageKey(r.id));
    popup.command('move');
    expect(popup.view.dialog).toBeNull();
    expect(popup.view.toast?.text).toBe('popup_errMoveAccounts');
  });

  it('undo moves the messages back by their new identities and fixes the restored rows', async () => {
    const { popup, channel, uids, clock } = await started();
    popup.focusRow(messageKey(messageId(4)));
    popup.command('archive');
    await tick();
    expect(uids()).toEqual([5, 3, 2, 1]);
    popup.command('undo');
    expect(uids()).toEqual([5, 4, 3, 2, 1]);
    await tick();
    const undo = channel.actions().at(-1)!;
    expect(undo.action).toEqual({ kind: 'move', to: 'INBOX' });
    expect(undo.ids).toEqual([{ ...messageId(4), mailbox: 'Archive', uid: 1004 }]);
    // The move back gave the message a new UID in INBOX; the row carries it now.
    const restored = popup.view.list.rows[1]!;
    expect(restored.id).toEqual({ ...messageId(4), mailbox: 'INBOX', uid: 2004 });
    expect(restored.subject).toBe('Subject 4');
    expect(popup.view.toast).toBeNull();
    clock.advance(UNDO_WINDOW_MS);
  });

  it('undo pressed before the action was answered waits for its outcome', async () => {
    const { popup, channel, uids } = await started();
    popup.focusRow(messageKey(messageId(2)));
    channel.actionAnswers.push('hold');
    popup.command('delete');
    await tick();
    popup.undo();
    expect(uids()).toEqual([5, 4, 3, 2, 1]);
    expect(channel.actions()).toHaveLength(1);
    const held = channel.held[0]!;
    held.resolve({ ok: true, result: done([messageId(2)], { kind: 'delete' }) });
    await tick();
    expect(channel.actions()).toHaveLength(2);
    expect(channel.actions()[1]?.action).toEqual({ kind: 'move', to: 'INBOX' });
    // A restored row never appears twice, even when message.new for its new UID came first.
    channel.push({
      type: 'event',
      event: {
        event: 'message.new',
        seq: 1,
        payload: { accountId: 'work', mailbox: 'INBOX', rows: [row(2, { id: { uid: 3002 } })], notify: false },
      },
    });
    expect(uids().filter((u) => u === 2 || u === 3002)).toHaveLength(1);
  });

  it('the undo toast lasts 10 s, then z says there is nothing to undo', async () => {
    expect(UNDO_WINDOW_MS).toBe(10_000);
    const { popup, clock } = await started();
    popup.command('archive');
    await tick();
    expect(popup.view.toast?.undo).not.toBeNull();
    clock.advance(UNDO_WINDOW_MS - 1);
    expect(popup.view.toast?.undo).not.toBeNull();
    clock.advance(2);
    expect(popup.view.toast).toBeNull();
    // `z` now says that nothing is left to undo (issue 8).
    expect(popup.command('undo')).toBe(true);
    expect(popup.view.toast).toMatchObject({ tone: 'info', text: 'popup_nothingToUndo', undo: null });
  });
});
