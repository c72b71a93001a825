import { describe, expect, it } from 'vitest';
import { row } from '../testing/mail-fakes.js';
import { announceListChange, listSnapshot } from './announcements.js';
import type { ListView } from './popup-view.js';

const t = (key: string, subs?: string | string[]) => (subs ? `${key}:${String(subs)}` : key);
const list = (rows: ListView['rows'], overrides: Partial<ListView> = {}): ListView =>
  ({
    scope: { kind: 'unified' },
    search: null,
    rows,
    nextCursor: null,
    total: rows.length,
    fromCache: false,
    status: 'ready',
    loadingMore: false,
    ...overrides,
  }) as ListView;
const say = (before: ListView | null, after: ListView) =>
  announceListChange(before && listSnapshot(before), listSnapshot(after), t, String);

describe('announceListChange', () => {
  it('says the result count when a search is ready, and nothing for the plain list', () => {
    expect(say(null, list([row(1), row(2)], { search: { text: 'x' } as never }))).toBe('popup_announceResultsMany:2');
    expect(say(null, list([row(1)], { search: { text: 'x' } as never }))).toBe('popup_announceResultsOne');
    expect(say(null, list([row(1)]))).toBeNull();
  });

  it('says how many unread messages arrived', () => {
    expect(say(list([row(1)]), list([row(3), row(2), row(1)]))).toBe('popup_announceNewMany:2');
  });

  it('says flag and read changes of rows already shown', () => {
    expect(say(list([row(1)]), list([row(1, { flagged: true })]))).toBe('popup_announceFlaggedOne');
    expect(say(list([row(1, { flagged: true })]), list([row(1)]))).toBe('popup_announceUnflaggedOne');
    expect(say(list([row(1), row(2)]), list([row(1, { seen: true }), row(2, { seen: true })]))).toBe(
      'popup_announceReadMany:2',
    );
  });

  it('says nothing while loading or when nothing changed', () => {
    expect(say(list([row(1)]), list([row(1)]))).toBeNull();
    expect(say(list([row(1)]), list([row(2), row(1)], { status: 'loading' } as never))).toBeNull();
  });
});
