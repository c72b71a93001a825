import { ErrorCode, TidingsError } from '../../../../shared/index.js';
import type { MailboxSession } from '../command-connection.js';
import { fetchRows, type FetchedRow, type MailboxIdentity } from '../message-rows.js';

/**
 * Where the next (older) page of one mailbox starts: every message with a UID below `beforeUid`.
 * `seqHint` is the sequence number `beforeUid` had: messages below it can only have moved down
 * since (expunges), never up, so the page is found from there without searching.
 */
export interface PagePosition {
  uidValidity: string;
  beforeUid: number;
  seqHint: number;
}

export interface MailboxPage {
  /** Newest (highest UID) first. */
  rows: FetchedRow[];
  /** Null when the oldest message was reached. */
  next: PagePosition | null;
  /** Messages in the mailbox now. */
  total: number;
  /** Where a listing that has not consumed any row yet stands (for the unified inbox). */
  start: PagePosition;
}

/**
 * One page of a mailbox, newest first, in O(page) regardless of mailbox size: the first page is
 * the sequence window `EXISTS-limit+1 : EXISTS`; later pages walk down from the cursor's
 * sequence hint in windows of `limit` (+1 for the cursor's own message), keeping only UIDs below
 * the cursor. New mail between pages lands above the cursor and cannot shift a page; expunges
 * only cost an extra window when they removed messages below the cursor. Never SEARCH ALL,
 * never a list of all UIDs.
 *
 * A cursor from another UIDVALIDITY is refused with STALE_UIDVALIDITY.
 */
export async function listMailboxPage(
  session: MailboxSession,
  identity: Omit<MailboxIdentity, 'uidValidity'>,
  position: PagePosition | null,
  limit: number,
): Promise<MailboxPage> {
  const { client, mailbox, uidValidity } = session;
  if (position && position.uidValidity !== uidValidity) {
    throw new TidingsError(
      ErrorCode.STALE_UIDVALIDITY,
      `the mailbox "${identity.mailbox.slice(0, 200)}" was reset (UIDVALIDITY changed): reload the list`,
    );
  }
  const total = mailbox.exists;
  const id: MailboxIdentity = { ...identity, uidValidity };
  const start: PagePosition = { uidValidity, beforeUid: Math.max(1, mailbox.uidNext), seqHint: total + 1 };
  const beforeUid = position?.beforeUid ?? Number.POSITIVE_INFINITY;
  let hi = Math.min(position ? position.seqHint : total, total);
  const rows: FetchedRow[] = [];
  let lowestSeq = hi + 1;
  while (hi >= 1 && rows.length < limit) {
    // +1: without expunges the window's top is the cursor's own message, which is skipped.
    const want = limit - rows.length + (position ? 1 : 0);
    const lo = Math.max(1, hi - want + 1);
    // The first page is usually listed again and again (the popup opening); a lower page is
    // likely cached when the row just below the cursor is.
    const likely = position === null || session.rows.has(id, beforeUid - 1);
    const fetched = await fetchRows(client, `${lo}:${hi}`, { uid: false }, id, { rows: session.rows, likely });
    rows.push(...fetched.filter((r) => r.row.id.uid < beforeUid));
    lowestSeq = lo;
    hi = lo - 1;
  }
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  // More exist below when the walk stopped above sequence 1 or the page cut rows it had fetched.
  const more = last !== undefined && (lowestSeq > 1 || rows.length > page.length);
  return {
    rows: page,
    next: more && last ? { uidValidity, beforeUid: last.row.id.uid, seqHint: last.seq } : null,
    total,
    start,
  };
}
