/**
 * Search over the rows the extension already has (the popup's list and the background's cached
 * window), shown at once while the server's search runs, then merged with its results. The
 * server matches what its IMAP SEARCH matches (Dovecot: case-insensitive substrings, accents
 * significant: "reunion" does not find "Reunión"); this search folds case and accents, so
 * "reunion" finds "Reunión" and "reunión", and "n" finds "ñ" (as Gmail does): NFD, then the
 * combining marks (\p{M}) are dropped, then lower case. Both sides are folded the same way.
 *
 * What it looks at: the subject, the senders' names and addresses, and the preview (the first
 * characters of the body) — not the whole body, which the popup does not have. Free text
 * matches when every word is in one of those; `from:` in the senders; `subject:` in the
 * subject; `is:unread` / `is:flagged` by the row's flags.
 */
import { messageKey, type MessageRow, type SearchQuery } from '../../shared/index.js';
import { compareRows } from '../core/message-list.js';
import { mergeByDate } from './date-order.js';

const MARKS = /\p{M}/gu;

/** Text as the local search compares it: no accents (NFD, marks dropped), lower case. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(MARKS, '').toLowerCase();
}

function words(text: string): string[] {
  return fold(text).split(/\s+/).filter(Boolean);
}

function hasAll(haystack: string, needles: readonly string[]): boolean {
  return needles.every((w) => haystack.includes(w));
}

/** A matcher for `query` over rows; compiled once per search. */
export function localMatcher(query: SearchQuery): (row: MessageRow) => boolean {
  const text = words(query.text ?? '');
  const from = words(query.from ?? '');
  const subject = words(query.subject ?? '');
  return (row) => {
    if (query.unread && row.seen) return false;
    if (query.flagged && !row.flagged) return false;
    const senders = fold(row.from.map((a) => `${a.name} ${a.address}`).join(' '));
    const title = fold(row.subject);
    if (!hasAll(senders, from) || !hasAll(title, subject)) return false;
    return text.length === 0 || hasAll(`${title} ${senders} ${fold(row.preview)}`, text);
  };
}

/** The rows of `pool` (maybe with duplicates, any order) that match, newest first, once each. */
export function searchLocally(pool: readonly MessageRow[], query: SearchQuery): MessageRow[] {
  const match = localMatcher(query);
  return mergeByDate([], pool.filter(match));
}

/**
 * The server's first page of results with the local ones it did not return, by date, once
 * each. The total counts a local-only row only where the server's results cover its date (an
 * older one may still be on a later server page).
 */
export function mergeResults(
  local: readonly MessageRow[],
  server: { rows: readonly MessageRow[]; nextCursor: string | null; total: number },
): { rows: MessageRow[]; total: number } {
  const rows = mergeByDate(mergeByDate([], server.rows), local);
  const serverKeys = new Set(server.rows.map((r) => messageKey(r.id)));
  const oldest = server.rows.reduce<MessageRow | null>((o, r) => (o && compareRows(o, r) > 0 ? o : r), null);
  const extra = local.filter(
    (r) => !serverKeys.has(messageKey(r.id)) && (server.nextCursor === null || !oldest || compareRows(r, oldest) < 0),
  ).length;
  return { rows, total: server.total + extra };
}
