/**
 * What the popup's one live region says when the list changes: search result counts, new mail,
 * and flag/read changes. Pure: compares two snapshots of the list and returns a sentence or null.
 */
import { messageKey } from '../../shared/index.js';
import type { Translate } from '../i18n/i18n.js';
import type { ListView } from './popup-view.js';

export interface ListSnapshot {
  /** Scope and search, as one comparable string. */
  where: string;
  searching: boolean;
  ready: boolean;
  total: number;
  rows: ReadonlyMap<string, { seen: boolean; flagged: boolean }>;
}

export function listSnapshot(list: ListView): ListSnapshot {
  return {
    where: JSON.stringify([list.scope, list.search]),
    searching: list.search !== null,
    ready: list.status === 'ready',
    total: list.total,
    rows: new Map(list.rows.map((r) => [messageKey(r.id), { seen: r.seen, flagged: r.flagged }])),
  };
}

/**
 * @example
 * announceListChange(before, after, t, String); // "3 new messages", "2 results", "Flagged" or null
 */
export function announceListChange(
  prev: ListSnapshot | null,
  next: ListSnapshot,
  t: Translate,
  formatNumber: (n: number) => string,
): string | null {
  if (!next.ready) return null;
  const count = (one: string, many: string, n: number) => (n === 1 ? t(one) : t(many, formatNumber(n)));
  if (!prev || prev.where !== next.where || !prev.ready) {
    return next.searching ? count('popup_announceResultsOne', 'popup_announceResultsMany', next.total) : null;
  }
  let fresh = 0;
  const changes = { flagged: 0, unflagged: 0, read: 0, unread: 0 };
  for (const [key, row] of next.rows) {
    const before = prev.rows.get(key);
    if (!before) {
      if (!row.seen) fresh++;
      continue;
    }
    if (row.flagged !== before.flagged) changes[row.flagged ? 'flagged' : 'unflagged']++;
    if (row.seen !== before.seen) changes[row.seen ? 'read' : 'unread']++;
  }
  if (fresh > 0 && !next.searching) return count('popup_announceNewOne', 'popup_announceNewMany', fresh);
  if (changes.flagged) return count('popup_announceFlaggedOne', 'popup_announceFlaggedMany', changes.flagged);
  if (changes.unflagged) return count('popup_announceUnflaggedOne', 'popup_announceUnflaggedMany', changes.unflagged);
  if (changes.read) return count('popup_announceReadOne', 'popup_announceReadMany', changes.read);
  if (changes.unread) return count('popup_announceUnreadOne', 'popup_announceUnreadMany', changes.unread);
  return null;
}
