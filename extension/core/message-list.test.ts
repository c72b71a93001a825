import { describe, expect, it } from 'vitest';
import {
  appendPage,
  applyAction,
  applyExpunged,
  applyFlags,
  applyNew,
  groupByAccount,
  insertRows,
  rollback,
  scopeHolds,
  scopeKey,
} from './message-list.js';
import { messageId, row, rows } from '../testing/mail-fakes.js';

const uids = (list: { id: { uid: number } }[]) => list.map((r) => r.id.uid);

describe('message list operations', () => {
  it('keys scopes so unified and each mailbox differ', () => {
    expect(scopeKey({ kind: 'unified' })).not.toBe(scopeKey({ kind: 'mailbox', accountId: 'a', mailbox: 'INBOX' }));
    expect(scopeKey({ kind: 'mailbox', accountId: 'a', mailbox: 'X' })).not.toBe(
      scopeKey({ kind: 'mailbox', accountId: 'b', mailbox: 'X' }),
    );
  });

  it('treats INBOX case-insensitively and other names exactly (RFC 3501 5.1)', () => {
    expect(scopeHolds({ kind: 'unified' }, 'a', 'inbox')).toBe(true);
    expect(scopeHolds({ kind: 'unified' }, 'a', 'Archive')).toBe(false);
    expect(scopeHolds({ kind: 'mailbox', accountId: 'a', mailbox: 'INBOX' }, 'a', 'Inbox')).toBe(true);
    expect(scopeHolds({ kind: 'mailbox', accountId: 'a', mailbox: 'Work' }, 'a', 'work')).toBe(false);
    expect(scopeHolds({ kind: 'mailbox', accountId: 'a', mailbox: 'Work' }, 'b', 'Work')).toBe(false);
  });

  it('appends pages without duplicating a row that shifted between pages', () => {
    const first = rows(51, 100);
    const second = rows(1, 51);
    const merged = appendPage(first, second);
    expect(merged).toHaveLength(100);
    expect(uids(merged)).toEqual(uids(rows(1, 100)));
  });

  it('inserts new mail by date without reordering the rest, replacing duplicates', () => {
    const list = [row(10), row(3), row(7)]; // the relay's order is kept even where it is not by date
    const out = insertRows(list, [row(12), row(8), row(3, { subject: 'changed' })]);
    expect(uids(out)).toEqual([12, 10, 8, 7, 3]);
    expect(out.find((r) => r.id.uid === 3)?.subject).toBe('changed');
  });

  it('applies message.new only to lists that hold the mailbox', () => {
    const event = { accountId: 'work', mailbox: 'INBOX', rows: [row(50)], notify: true };
    expect(uids(applyNew(rows(1, 3), { kind: 'unified' }, event))).toEqual([50, 3, 2, 1]);
    expect(uids(applyNew(rows(1, 3), { kind: 'mailbox', accountId: 'work', mailbox: 'Archive' }, event))).toEqual([
      3, 2, 1,
    ]);
  });

  it('applies flags and derives seen/flagged/answered from them', () => {
    const out = applyFlags(rows(1, 3), { id: messageId(2), flags: ['\\Seen', '\\Flagged'] });
    const two = out.find((r) => r.id.uid === 2)!;
    expect(two).toMatchObject({ seen: true, flagged: true, answered: false, flags: ['\\Seen', '\\Flagged'] });
    expect(out.find((r) => r.id.uid === 1)?.seen).toBe(false);
  });

  it('removes expunged rows only for the same uidValidity', () => {
    const list = [...rows(1, 3), row(2, { id: { mailbox: 'Other' } })];
    const out = applyExpunged(list, { accountId: 'work', mailbox: 'INBOX', uidValidity: '1', uids: [2, 3] });
    expect(out.map((r) => `${r.id.mailbox}:${r.id.uid}`)).toEqual(['INBOX:1', 'Other:2']);
    const stale = applyExpunged(list, { accountId: 'work', mailbox: 'INBOX', uidValidity: '9', uids: [2] });
    expect(stale).toHaveLength(4);
  });

  it('applies actions optimistically: moves remove, flags toggle', () => {
    const list = rows(1, 5);
    expect(uids(applyAction(list, [messageId(2), messageId(4)], { kind: 'archive' }))).toEqual([5, 3, 1]);
    expect(uids(applyAction(list, [messageId(2)], { kind: 'move', to: 'X' }))).toEqual([5, 4, 3, 1]);
    const read = applyAction(list, [messageId(3)], { kind: 'seen', value: true });
    expect(read.find((r) => r.id.uid === 3)).toMatchObject({ seen: true, flags: ['\\Seen'] });
    const unflag = applyAction([row(1, { flags: ['\\Flagged'], flagged: true })], [messageId(1)], {
      kind: 'flagged',
      value: false,
    });
    expect(unflag[0]).toMatchObject({ flagged: false, flags: [] });
  });

  it('rolls a failed removal back into its old place, keeping changes that came since', () => {
    const before = rows(1, 6);
    let now = applyAction(before, [messageId(2), messageId(5)], { kind: 'delete' });
    // Meanwhile new mail arrived and message 4 was read elsewhere.
    now = insertRows(now, [row(9)]);
    now = applyFlags(now, { id: messageId(4), flags: ['\\Seen'] });
    const back = rollback(now, before, [messageId(5), messageId(2)]);
    expect(uids(back)).toEqual([9, 6, 5, 4, 3, 2, 1]);
    expect(back.find((r) => r.id.uid === 4)?.seen).toBe(true);
  });

  it('rolls a failed flag change back to the old flags in place', () => {
    const before = rows(1, 3);
    const now = applyAction(before, [messageId(2)], { kind: 'flagged', value: true });
    const back = rollback(now, before, [messageId(2)]);
    expect(uids(back)).toEqual([3, 2, 1]);
    expect(back[1]?.flagged).toBe(false);
  });

  it('groups ids by account for one action per account', () => {
    const groups = groupByAccount([messageId(1), messageId(2, { accountId: 'home' }), messageId(3)]);
    expect(groups.map((g) => g.map((id) => `${id.accountId}:${id.uid}`))).toEqual([['work:1', 'work:3'], ['home:2']]);
  });
});
