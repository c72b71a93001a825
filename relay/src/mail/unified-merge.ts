import { ErrorCode, TidingsError, type MessageRow } from '../../../shared/index.js';
import type { Logger } from '../log.js';
import type { FetchedRow } from '../imap/message-rows.js';

/** One account's page as a source of the unified merge. */
export interface SourcePage<P> {
  rows: FetchedRow[];
  /** Position after the whole page, or null when the account has no older rows. */
  next: P | null;
  /** Position before the page's first row (where an account none of whose rows were taken stays). */
  start: P | null;
  total: number;
}

export interface MergeSource<P> {
  accountId: string;
  /** Current position: null = from the newest, 0 = exhausted. */
  position: P | null | 0;
  /** Total from an earlier page, for exhausted accounts (not fetched again). */
  lastTotal: number;
  fetch: (position: P | null) => Promise<SourcePage<P>>;
  /** The position just after a row: the next page starts below it. */
  after: (row: FetchedRow) => P;
}

export interface MergeResult<P> {
  rows: MessageRow[];
  /** Per account: new position (0 = exhausted) and total. Null when every account is exhausted. */
  entries: Record<string, { p: P | 0; t: number }> | null;
  total: number;
}

/**
 * The unified inbox: a k-way merge of each account's newest-first stream by arrival time
 * (INTERNALDATE; ties by account), taking `limit` rows. Each account contributes at most
 * `limit` rows per page, so a page is O(limit × accounts). An account's position only advances past
 * the rows that were taken, so no row is shown twice or skipped across pages, and mail that
 * arrives between pages never shifts older pages.
 *
 * An account that fails (unreachable, auth) is left out of this and later pages so the others
 * still show; when every account fails the first error is thrown. A stale UIDVALIDITY anywhere
 * fails the whole page: the client starts again from the first page.
 */
export async function mergeNewestFirst<P>(
  sources: MergeSource<P>[],
  limit: number,
  log: Logger,
): Promise<MergeResult<P>> {
  const active = sources.filter((s) => s.position !== 0);
  const settled = await Promise.allSettled(active.map((s) => s.fetch(s.position === 0 ? null : s.position)));
  const pages = new Map<string, SourcePage<P>>();
  let firstError: unknown = null;
  settled.forEach((result, i) => {
    const source = active[i]!;
    if (result.status === 'fulfilled') return void pages.set(source.accountId, result.value);
    if (result.reason instanceof TidingsError && result.reason.code === ErrorCode.STALE_UIDVALIDITY)
      throw result.reason;
    firstError ??= result.reason;
    log.warn('unified list: account left out', { accountId: source.accountId, err: result.reason });
  });
  if (active.length > 0 && pages.size === 0) throw firstError;

  // A true k-way merge over the streams' heads (not a sort of all candidates): each stream is in
  // UID order, and arrival times within a mailbox are not strictly monotonic in UIDs, so taking
  // rows out of a stream's order could skip one for good.
  const heads = [...pages].map(([accountId, page]) => ({ accountId, rows: page.rows, next: 0 }));
  const taken: { accountId: string; row: FetchedRow }[] = [];
  while (taken.length < limit) {
    let best: (typeof heads)[number] | null = null;
    for (const head of heads) {
      const row = head.rows[head.next];
      if (!row) continue;
      const bestRow = best?.rows[best.next];
      if (
        !bestRow ||
        row.arrival > bestRow.arrival ||
        (row.arrival === bestRow.arrival && head.accountId.localeCompare(best!.accountId) < 0)
      )
        best = head;
    }
    if (!best) break;
    taken.push({ accountId: best.accountId, row: best.rows[best.next]! });
    best.next += 1;
  }

  const entries: Record<string, { p: P | 0; t: number }> = {};
  let total = 0;
  let anyLeft = false;
  for (const source of sources) {
    const page = pages.get(source.accountId);
    if (!page) {
      // Exhausted earlier, or failed now: stays out.
      entries[source.accountId] = { p: 0, t: source.lastTotal };
      total += source.lastTotal;
      continue;
    }
    total += page.total;
    const mine = taken.filter((c) => c.accountId === source.accountId);
    let position: P | 0;
    if (mine.length === page.rows.length) position = page.next ?? 0;
    else if (mine.length > 0) position = source.after(mine.at(-1)!.row);
    else position = source.position === null ? (page.start ?? 0) : source.position;
    if (position !== 0) anyLeft = true;
    entries[source.accountId] = { p: position, t: page.total };
  }
  return { rows: taken.map((c) => c.row.row), entries: anyLeft ? entries : null, total };
}
