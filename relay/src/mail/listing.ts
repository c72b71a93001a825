import { ErrorCode, TidingsError, type RequestParams, type RequestResult } from '../../../shared/index.js';
import type { AccountRegistry } from '../accounts/account-registry.js';
import type { AccountRuntime } from '../accounts/account-runtime.js';
import { listMailboxPage, type PagePosition } from '../imap/operations/list-messages.js';
import { searchMailboxPage, type SearchPosition } from '../imap/operations/search-messages.js';
import type { Logger } from '../log.js';
import {
  decodeCursor,
  encodeCursor,
  queryHash,
  type ListPositionWire,
  type SearchPositionWire,
  type UnifiedEntries,
} from './cursor.js';
import { mergeNewestFirst, type MergeSource } from './unified-merge.js';

/** The unified inbox is every account's INBOX (RFC 3501 §5.1: the name is case-insensitive). */
const INBOX = 'INBOX';

export interface ListingContext {
  accounts: AccountRegistry;
  userId: string;
  log: Logger;
  signal: AbortSignal;
}

const toListWire = (p: PagePosition): ListPositionWire => ({ uv: p.uidValidity, u: p.beforeUid, s: p.seqHint });
const fromListWire = (p: ListPositionWire): PagePosition => ({ uidValidity: p.uv, beforeUid: p.u, seqHint: p.s });
const toSearchWire = (p: SearchPosition): SearchPositionWire => ({ uv: p.uidValidity, u: p.beforeUid });
const fromSearchWire = (p: SearchPositionWire): SearchPosition => ({ uidValidity: p.uv, beforeUid: p.u });

function entry<P>(entries: UnifiedEntries<P> | null, accountId: string): { p: P | null | 0; t: number } {
  if (!entries) return { p: null, t: 0 };
  // An account added after the first page is not part of this listing.
  return entries[accountId] ?? { p: 0, t: 0 };
}

/** `messages.list`: one mailbox, or the unified inbox; newest first; opaque cursor. */
export async function listMessages(
  ctx: ListingContext,
  params: RequestParams<'messages.list'>,
): Promise<RequestResult<'messages.list'>> {
  const { scope, limit } = params;
  if (scope.kind === 'mailbox') {
    const runtime = ctx.accounts.runtime(ctx.userId, scope.accountId);
    const cursor = params.cursor ? decodeCursor(params.cursor, 'm') : null;
    if (cursor && (cursor.a !== scope.accountId || cursor.m !== scope.mailbox)) throw cursorMismatch();
    const page = await runtime.commands.withMailbox(
      scope.mailbox,
      (session) =>
        listMailboxPage(
          session,
          { accountId: scope.accountId, mailbox: session.mailbox.path },
          cursor ? fromListWire(cursor.p) : null,
          limit,
        ),
      // Every page must see what the server reported since this connection's last command, or
      // sequence windows would show expunged messages: a NOOP when push heard of a change.
      { signal: ctx.signal, refresh: 'push', op: 'messages.list' },
    );
    return {
      rows: page.rows.map((r) => r.row),
      nextCursor: page.next
        ? encodeCursor({ k: 'm', a: scope.accountId, m: scope.mailbox, p: toListWire(page.next) })
        : null,
      total: page.total,
    };
  }
  const cursor = params.cursor ? decodeCursor(params.cursor, 'u') : null;
  const sources = ctx.accounts.runtimesOf(ctx.userId).map((runtime): MergeSource<ListPositionWire> => {
    const e = entry(cursor?.e ?? null, runtime.account.id);
    return {
      accountId: runtime.account.id,
      position: e.p,
      lastTotal: e.t,
      after: (row) => ({ uv: row.row.id.uidValidity, u: row.row.id.uid, s: row.seq }),
      fetch: async (position) => {
        const page = await runtime.commands.withMailbox(
          INBOX,
          (session) =>
            listMailboxPage(
              session,
              { accountId: runtime.account.id, mailbox: session.mailbox.path },
              position ? fromListWire(position) : null,
              limit,
            ),
          { signal: ctx.signal, refresh: 'push', op: 'messages.list unified' },
        );
        return {
          rows: page.rows,
          next: page.next ? toListWire(page.next) : null,
          start: toListWire(page.start),
          total: page.total,
        };
      },
    };
  });
  const merged = await mergeNewestFirst(sources, limit, ctx.log);
  return {
    rows: merged.rows,
    nextCursor: merged.entries ? encodeCursor({ k: 'u', e: merged.entries }) : null,
    total: merged.total,
  };
}

/** `messages.search`: server-side SEARCH in one mailbox or every INBOX; same rows and paging. */
export async function searchMessages(
  ctx: ListingContext,
  params: RequestParams<'messages.search'>,
): Promise<RequestResult<'messages.search'>> {
  const { scope, limit, query } = params;
  const q = queryHash(query);
  if (scope.kind === 'mailbox') {
    const runtime = ctx.accounts.runtime(ctx.userId, scope.accountId);
    const cursor = params.cursor ? decodeCursor(params.cursor, 'sm') : null;
    if (cursor && (cursor.a !== scope.accountId || cursor.m !== scope.mailbox || cursor.q !== q))
      throw cursorMismatch();
    const page = await runtime.commands.withMailbox(
      scope.mailbox,
      (session) =>
        searchMailboxPage(
          session,
          { accountId: scope.accountId, mailbox: session.mailbox.path },
          query,
          cursor ? fromSearchWire(cursor.p) : null,
          limit,
        ),
      { signal: ctx.signal, refresh: 'push', op: 'messages.search' },
    );
    return {
      rows: page.rows.map((r) => r.row),
      nextCursor: page.next
        ? encodeCursor({ k: 'sm', a: scope.accountId, m: scope.mailbox, q, p: toSearchWire(page.next) })
        : null,
      total: page.total,
    };
  }
  const cursor = params.cursor ? decodeCursor(params.cursor, 'su') : null;
  if (cursor && cursor.q !== q) throw cursorMismatch();
  const sources = ctx.accounts
    .runtimesOf(ctx.userId)
    .map((runtime: AccountRuntime): MergeSource<SearchPositionWire> => {
      const e = entry(cursor?.e ?? null, runtime.account.id);
      return {
        accountId: runtime.account.id,
        position: e.p,
        lastTotal: e.t,
        after: (row) => ({ uv: row.row.id.uidValidity, u: row.row.id.uid }),
        fetch: async (position) => {
          const page = await runtime.commands.withMailbox(
            INBOX,
            (session) =>
              searchMailboxPage(
                session,
                { accountId: runtime.account.id, mailbox: session.mailbox.path },
                query,
                position ? fromSearchWire(position) : null,
                limit,
              ),
            { signal: ctx.signal, refresh: 'push', op: 'messages.search unified' },
          );
          const first = page.rows[0];
          return {
            rows: page.rows,
            next: page.next ? toSearchWire(page.next) : null,
            // Matches that arrive later sit above the first page's newest row and stay out.
            start: first ? { uv: first.row.id.uidValidity, u: first.row.id.uid + 1 } : null,
            total: page.total,
          };
        },
      };
    });
  const merged = await mergeNewestFirst(sources, limit, ctx.log);
  return {
    rows: merged.rows,
    nextCursor: merged.entries ? encodeCursor({ k: 'su', q, e: merged.entries }) : null,
    total: merged.total,
  };
}

function cursorMismatch(): TidingsError {
  return new TidingsError(
    ErrorCode.BAD_REQUEST,
    'this cursor belongs to another list: start again from the first page',
  );
}
