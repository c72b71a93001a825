import { describe, expect, it } from 'vitest';
import { Limits, messageKey, type MailboxInfo } from '../../shared/index.js';
import { account } from '../testing/fakes.js';
import { row } from '../testing/mail-fakes.js';
import {
  actionCountChanges,
  foldersWithCounts,
  INBOX_FOLLOW_MS,
  UnreadLedger,
  withPending,
  type MessageCountChange,
} from './unread-ledger.js';

function ledgerAt() {
  let now = 1_000;
  const ledger = new UnreadLedger({ now: () => now });
  return { ledger, advance: (ms: number) => (now += ms) };
}

const work = (inbox: number, lists = 0) =>
  account({
    id: 'work',
    unread: inbox + lists,
    mailboxes: [
      { path: 'INBOX', unread: inbox, total: 20 },
      { path: 'Lists', unread: lists, total: 5 },
    ],
  });

const change = (uid: number, unread: number, mailbox = 'INBOX'): MessageCountChange => ({
  accountId: 'work',
  mailbox,
  unread,
  key: messageKey(row(uid, { id: { mailbox } }).id),
});

describe('what an action does to unread counts', () => {
  it('counts only rows whose state changes, and unread rows taken out of a folder', () => {
    const read = row(1, { seen: true, flags: ['\\Seen'] });
    const unread = row(2);
    expect(actionCountChanges({ kind: 'seen', value: true }, [read, unread]).map((c) => c.unread)).toEqual([-1]);
    expect(actionCountChanges({ kind: 'seen', value: false }, [read, unread]).map((c) => c.unread)).toEqual([1]);
    expect(actionCountChanges({ kind: 'archive' }, [read, unread])).toEqual([change(2, -1)]);
    expect(actionCountChanges({ kind: 'flagged', value: true }, [read, unread])).toEqual([]);
  });
});

describe('UnreadLedger', () => {
  it('shows a change at once and stops adding it when the relay counts show it (no double count)', () => {
    const { ledger } = ledgerAt();
    ledger.observe([work(5)]);
    ledger.add('a1', [change(1, -1)]);
    expect(withPending([work(5)], ledger.pending())[0]).toMatchObject({ unread: 4 });
    expect(ledger.observe([work(4)])).toBe(true);
    expect(ledger.pending()).toEqual([]);
    expect(withPending([work(4)], ledger.pending())[0]).toMatchObject({ unread: 4 });
  });

  it('consumes only as much as the count moved, the same way, oldest first', () => {
    const { ledger } = ledgerAt();
    ledger.observe([work(9)]);
    ledger.add('a1', [change(1, -1), change(2, -1), change(3, -1)]);
    // New mail elsewhere (+1) is not the read: nothing consumed.
    expect(ledger.observe([work(10)])).toBe(false);
    ledger.observe([work(8)]);
    expect(ledger.pending()).toEqual([{ accountId: 'work', mailbox: 'INBOX', unread: -1 }]);
    expect(withPending([work(8)], ledger.pending())[0]?.unread).toBe(7);
  });

  it('drops the failed messages at once and keeps the rest until the counts follow', () => {
    const { ledger } = ledgerAt();
    ledger.add('a1', [change(1, -1), change(2, -1)]);
    expect(ledger.settle('a1', new Set([change(2, -1).key]))).toEqual([change(2, -1)]);
    expect(ledger.pending()).toEqual([{ accountId: 'work', mailbox: 'INBOX', unread: -1 }]);
    ledger.add('a2', [change(3, 1)]);
    ledger.settle('a2', 'all');
    expect(ledger.pending()).toEqual([{ accountId: 'work', mailbox: 'INBOX', unread: -1 }]);
  });

  it('forgets a done change the counts never showed after its folder window; never one on its way', () => {
    const { ledger, advance } = ledgerAt();
    ledger.add('inbox', [change(1, -1)]);
    ledger.add('lists', [change(2, -1, 'Lists')]);
    ledger.add('queued', [change(3, -1)]);
    ledger.settle('inbox', new Set());
    ledger.settle('lists', new Set());
    expect(ledger.nextExpiry()).toBe(1_000 + INBOX_FOLLOW_MS);
    advance(INBOX_FOLLOW_MS);
    expect(ledger.expire()).toBe(true);
    expect(
      ledger
        .pending()
        .map((c) => c.mailbox)
        .sort(),
    ).toEqual(['INBOX', 'Lists']);
    advance(Limits.folderPollMs);
    ledger.expire();
    // The queued action (outbox) waits for its outcome however long it takes.
    expect(ledger.pending()).toEqual([{ accountId: 'work', mailbox: 'INBOX', unread: -1 }]);
  });

  it('adds pending changes to watched folders only, and gives folder lists the live counts', () => {
    const shown = withPending(
      [work(3, 2)],
      [
        { accountId: 'work', mailbox: 'inbox', unread: -1 },
        { accountId: 'work', mailbox: 'Lists', unread: 1 },
        { accountId: 'work', mailbox: 'Archive', unread: 1 },
        { accountId: 'home', mailbox: 'INBOX', unread: -7 },
      ],
    );
    expect(shown[0]).toMatchObject({ unread: 5, mailboxes: [{ unread: 2 }, { unread: 3 }] });
    const folder = (path: string, unread: number): MailboxInfo => ({
      path,
      name: path,
      delimiter: '/',
      parent: null,
      role: null,
      unread,
      total: 10,
      subscribed: true,
      selectable: true,
    });
    const folders = foldersWithCounts([folder('INBOX', 9), folder('Lists', 9), folder('Archive', 4)], shown[0]);
    expect(folders.map((f) => f.unread)).toEqual([2, 3, 4]);
    // Never below zero.
    expect(withPending([work(0)], [{ accountId: 'work', mailbox: 'INBOX', unread: -2 }])[0]?.unread).toBe(0);
  });
});
