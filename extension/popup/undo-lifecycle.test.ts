import { describe, expect, it } from 'vitest';
import { messageKey, type MessageId } from '../../shared/index.js';
import { messageId, row } from '../testing/mail-fakes.js';
import { failedIds, planUndo, restoreIdentities, unrestoredKeys } from './undo-lifecycle.js';

const moved = (id: MessageId, mailbox: string, uid: number): MessageId => ({ ...id, mailbox, uid });

describe('undo lifecycle steps', () => {
  it('plans one move back per account and original mailbox, and names the messages that cannot come back', () => {
    const a = messageId(1);
    const b = messageId(2, { mailbox: 'Lists' });
    const c = messageId(3);
    const lost = messageId(4);
    const plan = planUndo([row(1), row(2, { id: { mailbox: 'Lists' } }), row(3), row(4)], {
      status: 'done',
      outcomes: [
        { id: a, ok: true, movedTo: moved(a, 'Archive', 11), error: null },
        { id: b, ok: true, movedTo: moved(b, 'Archive', 12), error: null },
        { id: c, ok: true, movedTo: moved(c, 'Archive', 13), error: null },
        { id: lost, ok: true, movedTo: null, error: null },
        { id: messageId(5), ok: false, movedTo: null, error: { code: 'NOT_FOUND', message: 'gone' } },
      ],
    });
    expect(plan.lost).toEqual([lost]);
    expect(plan.moves.map((m) => ({ to: m.to, uids: m.ids.map((id) => id.uid) }))).toEqual([
      { to: 'INBOX', uids: [11, 13] },
      { to: 'Lists', uids: [12] },
    ]);
    expect(plan.moves[0]?.restores.get(messageKey(moved(a, 'Archive', 11)))?.subject).toBe('Subject 1');
  });

  it('gives restored rows their new identity, drops a duplicate, and moves the focus along', () => {
    const restores = new Map([
      [messageKey(moved(messageId(1), 'Archive', 11)), row(1)],
      [messageKey(moved(messageId(2), 'Archive', 12)), row(2)],
      [messageKey(moved(messageId(3), 'Archive', 13)), row(3)],
    ]);
    const list = [row(3), row(2), row(1), row(22)];
    const result = {
      status: 'done' as const,
      outcomes: [
        { id: moved(messageId(1), 'Archive', 11), ok: true, movedTo: messageId(21), error: null },
        // message.new for the new UID came first: the old row goes, the new one stays.
        { id: moved(messageId(2), 'Archive', 12), ok: true, movedTo: messageId(22), error: null },
        // No new identity reported: the row stays as it is.
        { id: moved(messageId(3), 'Archive', 13), ok: true, movedTo: null, error: null },
      ],
    };
    const out = restoreIdentities(list, restores, result, messageKey(messageId(1)));
    expect(out.rows.map((r) => r.id.uid)).toEqual([3, 21, 22]);
    expect(out.activeKey).toBe(messageKey(messageId(21)));
  });

  it('finds the rows whose move back failed, by their key in the list', () => {
    const newA = moved(messageId(1), 'Archive', 11);
    const newB = moved(messageId(2), 'Archive', 12);
    const restores = new Map([
      [messageKey(newA), row(1)],
      [messageKey(newB), row(2)],
    ]);
    const partly = {
      status: 'done' as const,
      outcomes: [
        { id: newA, ok: true, movedTo: messageId(21), error: null },
        { id: newB, ok: false, movedTo: null, error: { code: 'NOT_FOUND' as const, message: 'gone' } },
      ],
    };
    expect([...unrestoredKeys([newA, newB], restores, partly)]).toEqual([messageKey(messageId(2))]);
    const failed = { status: 'failed' as const, error: { code: 'TIMEOUT' as const, message: 'slow' } };
    expect(failedIds([newA, newB], failed)).toEqual([newA, newB]);
    expect(unrestoredKeys([newA, newB], restores, failed).size).toBe(2);
  });
});
