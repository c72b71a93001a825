import { describe, expect, it } from 'vitest';
import { RowCache, type FetchedRow } from './message-rows.js';

const identity = { accountId: 'a', mailbox: 'INBOX', uidValidity: '7' };

function row(uid: number): FetchedRow {
  return {
    seq: uid,
    arrival: uid * 1000,
    row: {
      id: { ...identity, uid },
      from: [],
      to: [],
      subject: `s${uid}`,
      date: uid,
      flags: ['\\Seen'],
      seen: true,
      flagged: false,
      answered: false,
      size: 10,
      hasAttachments: false,
      preview: 'p',
    },
  };
}

describe('RowCache', () => {
  it('keeps immutable parts only, per mailbox and UIDVALIDITY', () => {
    const cache = new RowCache(10);
    expect(cache.knows(identity)).toBe(false);
    cache.set(row(1));
    expect(cache.knows(identity)).toBe(true);
    expect(cache.knows({ ...identity, uidValidity: '8' })).toBe(false);
    const cached = cache.get(identity, 1)!;
    expect(cached).toMatchObject({ subject: 's1', arrival: 1000 });
    expect(cached).not.toHaveProperty('flags');
    expect(cache.has({ ...identity, mailbox: 'Archive' }, 1)).toBe(false);
  });

  it("drops a mailbox's rows when its UIDVALIDITY changes, and keeps other mailboxes'", () => {
    const cache = new RowCache(10);
    cache.retain('INBOX', '7');
    cache.set(row(1));
    cache.set(row(2));
    const archive = { ...row(3), row: { ...row(3).row, id: { ...identity, mailbox: 'Archive', uid: 3 } } };
    cache.retain('Archive', '7');
    cache.set(archive);
    cache.retain('INBOX', '7');
    expect(cache.size).toBe(3);
    cache.retain('INBOX', '9');
    expect(cache.size).toBe(1);
    expect(cache.has(identity, 1)).toBe(false);
    expect(cache.knows(identity)).toBe(false);
    expect(cache.has({ ...identity, mailbox: 'Archive' }, 3)).toBe(true);
  });

  it('is bounded, dropping the least recently used', () => {
    const cache = new RowCache(3);
    for (const uid of [1, 2, 3]) cache.set(row(uid));
    cache.get(identity, 1);
    cache.set(row(4));
    expect(cache.size).toBe(3);
    expect([1, 2, 3, 4].map((uid) => cache.has(identity, uid))).toEqual([true, false, true, true]);
  });

  it('holds nothing with size 0, so fetchRows never takes the flags-only path (TIDINGS_ROW_CACHE=off)', () => {
    const cache = new RowCache(0);
    cache.set(row(1));
    expect(cache.size).toBe(0);
    expect(cache.knows(identity)).toBe(false);
    expect(cache.has(identity, 1)).toBe(false);
  });
});
