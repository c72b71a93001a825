// Issue 8: undo brought messages back out of date order, with the focus on a neighbour.
import { describe, expect, it } from 'vitest';
import { messageKey, type MessageId } from '../../shared/index.js';
import { messageId, row, rows } from '../testing/mail-fakes.js';
import { done, started, tick } from '../testing/popup-fakes.js';

const key = (uid: number, overrides: Partial<MessageId> = {}) => messageKey(messageId(uid, overrides));

describe('undo puts messages back at their date, with the focus on them', () => {
  it.each([
    ['archive', 'archive'],
    ['delete', 'delete'],
  ] as const)('one message (%s): back in the middle, focused, nothing selected', async (_name, command) => {
    const { popup, uids } = await started({ listRows: rows(1, 7) });
    popup.focusRow(key(4));
    popup.command(command);
    await tick();
    expect(uids()).toEqual([7, 6, 5, 3, 2, 1]);
    expect(popup.view.activeKey).toBe(key(3));
    popup.command('undo');
    expect(uids()).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(popup.view.activeKey).toBe(key(4));
    await tick();
    // The move back landed: the row has its new identity (UID 2004 in the fake) and keeps the focus.
    expect(uids()).toEqual([7, 6, 5, 2004, 3, 2, 1]);
    expect(popup.view.activeKey).toBe(key(2004));
    expect(popup.view.selected.size).toBe(0);
  });

  it('several messages (move): each at its date, the selection and the focus back on them', async () => {
    const { popup, channel, uids } = await started({ listRows: rows(1, 8) });
    popup.focusRow(key(6));
    for (const uid of [6, 3, 2]) popup.toggleSelected(key(uid));
    channel.on('mailboxes.list', () => ({ mailboxes: [] }));
    popup.openMove();
    popup.moveTo('Projects');
    await tick();
    expect(uids()).toEqual([8, 7, 5, 4, 1]);
    popup.undo();
    expect(uids()).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(popup.view.activeKey).toBe(key(6));
    expect([...popup.view.selected].sort()).toEqual([key(6), key(3), key(2)].sort());
    await tick();
    const back = [2006, 2003, 2002];
    expect(uids()).toEqual([8, 7, 2006, 5, 4, 2003, 2002, 1]);
    expect(popup.view.activeKey).toBe(key(2006));
    expect([...popup.view.selected].sort()).toEqual(back.map((u) => key(u)).sort());
  });

  it('keeps the restored row and its focus when the expunge of its old UID arrives before the move back', async () => {
    const { popup, channel, uids } = await started({ listRows: rows(1, 5) });
    popup.focusRow(key(3));
    channel.actionAnswers.push('hold');
    popup.command('archive');
    await tick();
    popup.undo();
    expect(popup.view.activeKey).toBe(key(3));
    // The relay's watcher reports the archive (UID 3 left INBOX) while the undo waits for the outcome.
    channel.push({
      type: 'event',
      event: {
        event: 'message.expunged',
        seq: 1,
        payload: { accountId: 'work', mailbox: 'INBOX', uidValidity: '1', uids: [3] },
      },
    });
    expect(uids()).toEqual([5, 4, 3, 2, 1]);
    expect(popup.view.activeKey).toBe(key(3));
    channel.held[0]!.resolve({ ok: true, result: done([messageId(3)], { kind: 'archive' }) });
    await tick();
    expect(uids()).toEqual([5, 4, 2003, 2, 1]);
    expect(popup.view.activeKey).toBe(key(2003));
  });

  it('a list refreshed after the undo keeps the message at its date though the relay lists it first', async () => {
    const restored = row(2003, { date: row(3).date });
    const { popup, channel, uids } = await started({ listRows: rows(1, 5) });
    channel.on('messages.list', () => ({
      rows: [restored, row(5), row(4), row(2), row(1)],
      nextCursor: null,
      total: 5,
    }));
    popup.reload();
    await tick();
    expect(uids()).toEqual([5, 4, 2003, 2, 1]);
  });

  it('the list total follows: one less on archive, back on undo, back on failure', async () => {
    const { popup, channel } = await started({ listRows: rows(1, 5) });
    expect(popup.view.list.total).toBe(5);
    popup.focusRow(key(2));
    popup.command('archive');
    expect(popup.view.list.total).toBe(4);
    popup.undo();
    expect(popup.view.list.total).toBe(5);
    await tick();
    expect(popup.view.list.total).toBe(5);
    channel.actionAnswers.push({ status: 'failed', error: { code: 'NOT_FOUND', message: 'gone' } });
    popup.focusRow(key(5));
    popup.command('delete');
    expect(popup.view.list.total).toBe(4);
    await tick();
    expect(popup.view.list.total).toBe(5);
  });
});
