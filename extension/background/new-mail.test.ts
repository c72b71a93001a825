import { describe, expect, it } from 'vitest';
import type { MessageId, MessageRow, ServerEvent } from '../../shared/index.js';
import { computeBadge } from './badge.js';
import { NewMailTracker } from './new-mail.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';
import { account } from '../testing/fakes.js';
import { testTranslator } from '../testing/translator.js';

const t = testTranslator();

function id(uid: number, accountId = 'work', mailbox = 'INBOX'): MessageId {
  return { accountId, mailbox, uidValidity: '7', uid };
}

function row(uid: number, options: { accountId?: string; seen?: boolean } = {}): MessageRow {
  return {
    id: id(uid, options.accountId),
    from: [{ name: 'Ada', address: 'ada@example.com' }],
    to: [],
    subject: `message ${uid}`,
    date: 1,
    flags: options.seen ? ['\\Seen'] : [],
    seen: options.seen ?? false,
    flagged: false,
    answered: false,
    size: 100,
    hasAttachments: false,
    preview: '',
  };
}

let seq = 0;
function newMail(rows: MessageRow[], accountId = 'work'): ServerEvent {
  return { event: 'message.new', seq: ++seq, payload: { accountId, mailbox: 'INBOX', rows, notify: true } };
}

const accounts = [account({ id: 'work', name: 'Work', unread: 10 }), account({ id: 'home', name: 'Home', unread: 10 })];

describe('NewMailTracker', () => {
  it('counts unread arrivals per account and ignores ones already read', () => {
    const tracker = new NewMailTracker();
    expect(tracker.apply(newMail([row(1), row(2), row(3, { seen: true })]))).toBe(true);
    expect(tracker.apply(newMail([row(9, { accountId: 'home' })], 'home'))).toBe(true);
    // A replayed event (same messages) changes nothing.
    expect(tracker.apply(newMail([row(1)]))).toBe(false);
    expect(Object.fromEntries(tracker.counts(accounts))).toEqual({ work: 2, home: 1 });
  });

  it('drops messages read or expunged elsewhere, and accounts that left', () => {
    const tracker = new NewMailTracker();
    tracker.apply(newMail([row(1), row(2), row(3)]));
    tracker.apply(newMail([row(9, { accountId: 'home' })], 'home'));
    expect(tracker.apply({ event: 'message.flags', seq: ++seq, payload: { id: id(1), flags: ['\\Flagged'] } })).toBe(
      false,
    );
    expect(tracker.apply({ event: 'message.flags', seq: ++seq, payload: { id: id(1), flags: ['\\Seen'] } })).toBe(true);
    expect(
      tracker.apply({
        event: 'message.expunged',
        seq: ++seq,
        payload: { accountId: 'work', mailbox: 'INBOX', uidValidity: '7', uids: [2, 44] },
      }),
    ).toBe(true);
    expect(tracker.counts(accounts).get('work')).toBe(1);
    expect(tracker.apply({ event: 'accounts.changed', seq: ++seq, payload: { accounts: [accounts[0]!] } })).toBe(true);
    expect(tracker.size).toBe(1);
  });

  it('is cleared when the popup opens', () => {
    const tracker = new NewMailTracker();
    expect(tracker.reset()).toBe(false);
    tracker.apply(newMail([row(1)]));
    expect(tracker.reset()).toBe(true);
    expect(tracker.counts(accounts).get('work')).toBe(0);
  });

  it('never counts more than the account has unread (a missed read after a resync)', () => {
    const tracker = new NewMailTracker();
    tracker.apply(newMail([row(1), row(2), row(3)]));
    expect(tracker.counts([account({ id: 'work', unread: 1 })]).get('work')).toBe(1);
  });

  it('stays bounded, dropping the oldest', () => {
    const tracker = new NewMailTracker({ max: 3 });
    tracker.apply(newMail([row(1), row(2), row(3), row(4), row(5)]));
    expect(tracker.size).toBe(3);
    tracker.apply({ event: 'message.flags', seq: ++seq, payload: { id: id(1), flags: ['\\Seen'] } });
    expect(tracker.size).toBe(3);
    tracker.apply({ event: 'message.flags', seq: ++seq, payload: { id: id(5), flags: ['\\Seen'] } });
    expect(tracker.size).toBe(2);
  });

  it('survives a worker restart through toJSON/restore and drops garbage', () => {
    const tracker = new NewMailTracker();
    tracker.apply(newMail([row(1), row(2)]));
    const copy = new NewMailTracker();
    copy.restore(structuredClone(tracker.toJSON()));
    expect(copy.counts(accounts).get('work')).toBe(2);
    copy.restore({ entries: 'nope' });
    expect(copy.size).toBe(0);
    copy.restore(undefined);
    expect(copy.size).toBe(0);
  });
});

describe("the badge in 'new' mode", () => {
  const snap: Snapshot = {
    relayUrl: 'ws://127.0.0.1:8787',
    pairing: { status: 'paired', deviceId: 'd' },
    connection: { status: 'open', since: 1 },
    accounts,
    accountsAt: 1,
  };

  it('shows the arrivals since the popup was opened, with the unread total in the tooltip', () => {
    const badge = computeBadge(snap, {
      t,
      settings: { countMode: 'new', hideAtZero: true },
      newCounts: new Map([
        ['work', 2],
        ['home', 1],
      ]),
    });
    expect(badge.text).toBe('3');
    expect(badge.title).toBe(
      'Tidings — 3 new since you last opened it (20 unread)\nWork: 2 new · 10 unread\nHome: 1 new · 10 unread',
    );
  });

  it('is empty at zero, or shows 0 when the user turned hiding off', () => {
    const none = new Map<string, number>();
    expect(computeBadge(snap, { t, settings: { countMode: 'new', hideAtZero: true }, newCounts: none }).text).toBe('');
    const shown = computeBadge(snap, { t, settings: { countMode: 'new', hideAtZero: false }, newCounts: none });
    expect(shown.text).toBe('0');
    expect(shown.title).toMatch(/^Tidings — nothing new since you last opened it \(20 unread\)/);
    expect(computeBadge(snap, { t, settings: { countMode: 'all', hideAtZero: false } }).text).toBe('20');
    const zero = { ...snap, accounts: [account({ id: 'work', unread: 0 })] };
    expect(computeBadge(zero, { t, settings: { countMode: 'all', hideAtZero: false } }).text).toBe('0');
  });

  it('speaks Spanish', () => {
    const badge = computeBadge(snap, {
      t: testTranslator('es'),
      formatNumber: (n) => new Intl.NumberFormat('es').format(n),
      settings: { countMode: 'new', hideAtZero: true },
      newCounts: new Map([['work', 2]]),
    });
    expect(badge.title.split('\n')[0]).toBe('Tidings: 2 nuevos desde la última vez que lo abriste (20 sin leer)');
  });
});
