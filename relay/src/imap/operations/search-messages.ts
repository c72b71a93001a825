import type { SearchObject } from 'imapflow';
import { ErrorCode, TidingsError, type SearchQuery } from '../../../../shared/index.js';
import type { MailboxSession } from '../command-connection.js';
import { fetchRows, type FetchedRow, type MailboxIdentity } from '../message-rows.js';

/** Where the next page of a search starts: matches with a UID below `beforeUid`. */
export interface SearchPosition {
  uidValidity: string;
  beforeUid: number;
}

export interface SearchPage {
  rows: FetchedRow[];
  next: SearchPosition | null;
  /** All matches in the mailbox. */
  total: number;
}

/** The query's criteria, ANDed (RFC 3501 §6.4.4: a list of search keys is their intersection). */
export function searchCriteria(query: SearchQuery): SearchObject {
  const criteria: SearchObject = {};
  if (query.text) criteria.text = query.text;
  if (query.from) criteria.from = query.from;
  if (query.subject) criteria.subject = query.subject;
  if (query.unread !== undefined) criteria.seen = !query.unread;
  if (query.flagged !== undefined) criteria.flagged = query.flagged;
  return criteria;
}

/**
 * One page of server-side SEARCH results, newest first: UID SEARCH, sort the UIDs descending,
 * fetch rows for the page's UIDs only. The server's matching is the server's cost (Dovecot without
 * FTS reads bodies for TEXT); ours is O(matches) integers plus O(page) rows.
 */
export async function searchMailboxPage(
  session: MailboxSession,
  identity: Omit<MailboxIdentity, 'uidValidity'>,
  query: SearchQuery,
  position: SearchPosition | null,
  limit: number,
): Promise<SearchPage> {
  const { client, uidValidity } = session;
  if (position && position.uidValidity !== uidValidity) {
    throw new TidingsError(
      ErrorCode.STALE_UIDVALIDITY,
      `the mailbox "${identity.mailbox.slice(0, 200)}" was reset (UIDVALIDITY changed): search again`,
    );
  }
  const found = await client.search(searchCriteria(query), { uid: true });
  if (!found) throw new TidingsError(ErrorCode.IMAP_ERROR, 'the IMAP server refused the search');
  const uids = [...found].sort((a, b) => b - a);
  const below = position ? uids.filter((u) => u < position.beforeUid) : uids;
  const pageUids = below.slice(0, limit);
  const rows = pageUids.length
    ? await fetchRows(
        client,
        pageUids.join(','),
        { uid: true },
        { ...identity, uidValidity },
        {
          rows: session.rows,
          likely: pageUids.every((uid) => session.rows.has({ ...identity, uidValidity }, uid)),
        },
      )
    : [];
  const last = pageUids.at(-1);
  return {
    rows,
    next: below.length > pageUids.length && last !== undefined ? { uidValidity, beforeUid: last } : null,
    total: uids.length,
  };
}
