/**
 * The popup shows every list newest first by the message's date (compareRows: date, then UID),
 * whatever order its rows came in. The relay pages a folder by UID (arrival), and a message moved
 * back by an undo gets a new, highest UID: without this it would come back at the top of the
 * list instead of at its date (issue 8). Rows arrive sorted within a page almost always, so
 * sorting a page is cheap, and an older page is merged in one pass.
 */
import { messageKey, type MessageRow } from '../../shared/index.js';
import { compareRows } from '../core/message-list.js';

/** The rows newest first by date; ties by UID, as compareRows orders them. */
export function byDate(rows: readonly MessageRow[]): MessageRow[] {
  return [...rows].sort(compareRows);
}

/**
 * An older page joined to a list sorted by date: rows already in the list (or twice in the page)
 * are skipped (a row can move between pages), and a page row newer than some listed rows lands
 * among them.
 */
export function mergeByDate(rows: readonly MessageRow[], page: readonly MessageRow[]): MessageRow[] {
  const seen = new Set(rows.map((r) => messageKey(r.id)));
  const added = byDate(
    page.filter((r) => {
      const key = messageKey(r.id);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  );
  const out: MessageRow[] = [];
  let i = 0;
  let j = 0;
  while (i < rows.length && j < added.length) {
    if (compareRows(added[j]!, rows[i]!) < 0) out.push(added[j++]!);
    else out.push(rows[i++]!);
  }
  while (i < rows.length) out.push(rows[i++]!);
  while (j < added.length) out.push(added[j++]!);
  return out;
}
