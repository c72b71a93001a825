/**
 * Pure operations on a list of message rows, shared by the background cache and the popup:
 * scope keys, merging pages, applying relay events, and optimistic changes with their inverse.
 * No I/O, no Svelte; every function returns a new array and never mutates its input.
 */
import {
  messageKey,
  type EventPayload,
  type ListScope,
  type MailAction,
  type MessageId,
  type MessageRow,
} from '../../shared/index.js';

/** Stable key of a list scope, for maps and storage. */
export function scopeKey(scope: ListScope): string {
  return scope.kind === 'unified' ? 'unified' : `m\u0000${scope.accountId}\u0000${scope.mailbox}`;
}

export function sameScope(a: ListScope, b: ListScope): boolean {
  return scopeKey(a) === scopeKey(b);
}

/** RFC 3501 §5.1: INBOX is case-insensitive; every other name is case-sensitive. */
export function isInbox(mailbox: string): boolean {
  return mailbox.toUpperCase() === 'INBOX';
}

/** Whether a message in `accountId`/`mailbox` belongs to the list `scope`. */
export function scopeHolds(scope: ListScope, accountId: string, mailbox: string): boolean {
  if (scope.kind === 'unified') return isInbox(mailbox);
  return scope.accountId === accountId && (scope.mailbox === mailbox || (isInbox(scope.mailbox) && isInbox(mailbox)));
}

/** Newest first; ties (same second) by UID, higher first, so the order is total and stable. */
export function compareRows(a: MessageRow, b: MessageRow): number {
  return b.date - a.date || b.id.uid - a.id.uid || (a.id.accountId < b.id.accountId ? -1 : 1);
}

/** Appends an older page, skipping rows already present (a row can move between pages). */
export function appendPage(rows: readonly MessageRow[], page: readonly MessageRow[]): MessageRow[] {
  const seen = new Set(rows.map((r) => messageKey(r.id)));
  return [...rows, ...page.filter((r) => !seen.has(messageKey(r.id)))];
}

/**
 * Inserts rows that arrived (message.new), replacing any with the same identity. Each new row goes
 * before the first older row; existing rows keep their order (the relay's order is authoritative).
 */
export function insertRows(rows: readonly MessageRow[], added: readonly MessageRow[]): MessageRow[] {
  if (added.length === 0) return [...rows];
  const incoming = new Map(added.map((r) => [messageKey(r.id), r]));
  const out = rows.filter((r) => !incoming.has(messageKey(r.id)));
  for (const row of [...incoming.values()].sort(compareRows)) {
    const at = out.findIndex((r) => compareRows(row, r) < 0);
    out.splice(at === -1 ? out.length : at, 0, row);
  }
  return out;
}

/** The flag-derived booleans of a row, from its IMAP flags. */
export function withFlags(row: MessageRow, flags: readonly string[]): MessageRow {
  return {
    ...row,
    flags: [...flags],
    seen: flags.includes('\\Seen'),
    flagged: flags.includes('\\Flagged'),
    answered: flags.includes('\\Answered'),
  };
}

function withFlag(flags: readonly string[], flag: string, value: boolean): string[] {
  const rest = flags.filter((f) => f !== flag);
  return value ? [...rest, flag] : rest;
}

/** The flag a read/unread or star action sets or clears; null for actions that move messages. */
function flagOf(action: MailAction): '\\Seen' | '\\Flagged' | null {
  return action.kind === 'seen' ? '\\Seen' : action.kind === 'flagged' ? '\\Flagged' : null;
}

/** A message's flags once `action` ran on it (unchanged for actions that move messages). */
export function flagsAfter(flags: readonly string[], action: MailAction): string[] {
  const flag = flagOf(action);
  return flag && 'value' in action ? withFlag(flags, flag, action.value) : [...flags];
}

export function applyNew(
  rows: readonly MessageRow[],
  scope: ListScope,
  event: EventPayload<'message.new'>,
): MessageRow[] {
  if (!scopeHolds(scope, event.accountId, event.mailbox)) return [...rows];
  return insertRows(rows, event.rows);
}

export function applyFlags(rows: readonly MessageRow[], event: EventPayload<'message.flags'>): MessageRow[] {
  const key = messageKey(event.id);
  return rows.map((r) => (messageKey(r.id) === key ? withFlags(r, event.flags) : r));
}

export function applyExpunged(rows: readonly MessageRow[], event: EventPayload<'message.expunged'>): MessageRow[] {
  const uids = new Set(event.uids);
  return rows.filter(
    (r) =>
      !(
        r.id.accountId === event.accountId &&
        r.id.mailbox === event.mailbox &&
        r.id.uidValidity === event.uidValidity &&
        uids.has(r.id.uid)
      ),
  );
}

/** Actions that take messages out of the list they are in. */
export function removesFromList(action: MailAction): boolean {
  return action.kind === 'archive' || action.kind === 'delete' || action.kind === 'junk' || action.kind === 'move';
}

/**
 * The optimistic effect of `action` on `rows`: moves remove the rows, flag changes update them.
 * Rows not in `ids` are untouched.
 */
export function applyAction(rows: readonly MessageRow[], ids: readonly MessageId[], action: MailAction): MessageRow[] {
  const keys = new Set(ids.map(messageKey));
  if (removesFromList(action)) return rows.filter((r) => !keys.has(messageKey(r.id)));
  if (!flagOf(action)) return [...rows];
  return rows.map((r) => (keys.has(messageKey(r.id)) ? withFlags(r, flagsAfter(r.flags, action)) : r));
}

/**
 * Undoes an optimistic change for the rows whose action failed: puts removed rows back where they
 * were (after the nearest row that preceded them in `before`, the list as it was) and restores
 * their flags. Changes that arrived since (events, other actions) on other rows are kept.
 */
export function rollback(
  rows: readonly MessageRow[],
  before: readonly MessageRow[],
  failed: readonly MessageId[],
): MessageRow[] {
  const keys = new Set(failed.map(messageKey));
  const out = rows.filter((r) => !keys.has(messageKey(r.id)));
  const present = new Set(out.map((r) => messageKey(r.id)));
  let anchor: string | null = null;
  for (const row of before) {
    const key = messageKey(row.id);
    if (keys.has(key)) {
      const at = anchor === null ? 0 : out.findIndex((r) => messageKey(r.id) === anchor) + 1;
      out.splice(at, 0, row);
      present.add(key);
    }
    if (present.has(key)) anchor = key;
  }
  return out;
}

/** Groups message ids by account, in first-seen order (messages.action takes one account at a time). */
export function groupByAccount(ids: readonly MessageId[]): MessageId[][] {
  const groups = new Map<string, MessageId[]>();
  for (const id of ids) {
    const group = groups.get(id.accountId);
    if (group) group.push(id);
    else groups.set(id.accountId, [id]);
  }
  return [...groups.values()];
}
