/**
 * Unread counts that follow the user's actions at once (issue 8: "totals follow actions"). An
 * action changes what the popup shows now; the relay's counts (the snapshot, pushed by `counts`
 * events) catch up a moment later. The ledger holds the changes the counts do not show yet:
 *
 * - a change is added when the action is made (marking read, archiving an unread message, undo);
 * - it is consumed when the relay's count for that folder moves the same way (the server did it);
 * - it is dropped when its action fails (the count goes back to the truth) and, once the action
 *   is done, after the time the folder's counts take to follow (IDLE for INBOX, polling for
 *   other watched folders), so a count never stays off when the counts did not move.
 *
 * Pure: no timers, no view; counts-controller.ts drives it.
 */
import {
  Limits,
  messageKey,
  type AccountSummary,
  type MailAction,
  type MailboxInfo,
  type MessageRow,
} from '../../shared/index.js';
import { isInbox, removesFromList } from '../core/message-list.js';

/** A change of one folder's unread count that the relay's counts may not show yet. */
export interface CountChange {
  accountId: string;
  mailbox: string;
  unread: number;
}

/** A change made for one message (its messageKey), so part of an action can fail alone. */
export interface MessageCountChange extends CountChange {
  key: string;
}

interface Entry extends MessageCountChange {
  group: string;
  /** When the action was known done, or null while it is on its way. */
  settledAt: number | null;
}

/** INBOX counts follow IDLE push within a second or so. */
export const INBOX_FOLLOW_MS = 10_000;

/** How long a done change waits for the folder's counts to show it before it is dropped. */
export function followWindowMs(mailbox: string): number {
  return isInbox(mailbox) ? INBOX_FOLLOW_MS : Limits.folderPollMs + 5_000;
}

function folderKey(accountId: string, mailbox: string): string {
  return `${accountId}\u0000${isInbox(mailbox) ? 'INBOX' : mailbox}`;
}

/**
 * What an action does to unread counts where its messages are: marking read or unread changes
 * the rows whose state changes; taking unread rows out of a folder lowers its count. Where moved
 * messages land is known only from the outcome (`landed`).
 */
export function actionCountChanges(action: MailAction, rows: readonly MessageRow[]): MessageCountChange[] {
  const change = (r: MessageRow, unread: number): MessageCountChange => ({
    accountId: r.id.accountId,
    mailbox: r.id.mailbox,
    unread,
    key: messageKey(r.id),
  });
  if (action.kind === 'seen')
    return rows.filter((r) => r.seen !== action.value).map((r) => change(r, action.value ? -1 : 1));
  if (removesFromList(action)) return rows.filter((r) => !r.seen).map((r) => change(r, -1));
  return [];
}

/** The same changes the other way (an undo puts unread messages back). */
export function reversed(changes: readonly MessageCountChange[]): MessageCountChange[] {
  return changes.map((c) => ({ ...c, unread: -c.unread }));
}

/**
 * @example
 * ledger.add('a1', actionCountChanges({ kind: 'seen', value: true }, rows));
 * ledger.observe(snapshot.accounts); // the relay's counts moved: the change is shown by them now
 * withPending(snapshot.accounts, ledger.pending());
 */
export class UnreadLedger {
  #entries: Entry[] = [];
  #truth = new Map<string, number>();
  readonly #now: () => number;

  constructor(options: { now: () => number }) {
    this.#now = options.now;
  }

  /** Changes of one action (`group`); `settled` when the server has made them already. */
  add(group: string, changes: readonly MessageCountChange[], settled = false): void {
    const at = settled ? this.#now() : null;
    for (const c of changes) if (c.unread !== 0) this.#entries.push({ ...c, group, settledAt: at });
  }

  /**
   * The action is known done, except for the messages in `failed` ('all': the whole action
   * failed): their changes go (the count is the truth again), the others wait for the counts.
   */
  settle(group: string, failed: ReadonlySet<string> | 'all'): MessageCountChange[] {
    const dropped = this.withdraw(group, failed);
    const now = this.#now();
    for (const e of this.#entries) if (e.group === group) e.settledAt ??= now;
    return dropped;
  }

  /** Takes back the changes of these messages ('all': the whole group); the others stay as they are. */
  withdraw(group: string, keys: ReadonlySet<string> | 'all'): MessageCountChange[] {
    const dropped: MessageCountChange[] = [];
    this.#entries = this.#entries.filter((e) => {
      if (e.group !== group || (keys !== 'all' && !keys.has(e.key))) return true;
      dropped.push({ accountId: e.accountId, mailbox: e.mailbox, unread: e.unread, key: e.key });
      return false;
    });
    return dropped;
  }

  /**
   * The relay's counts as they are now. Where a watched folder's count moved, the changes that
   * went the same way are shown by it now, oldest first, as many as it moved. Returns whether
   * any change was consumed.
   */
  observe(accounts: readonly AccountSummary[]): boolean {
    const truth = new Map<string, number>();
    for (const a of accounts) for (const m of a.mailboxes) truth.set(folderKey(a.id, m.path), m.unread);
    let changed = false;
    for (const [key, unread] of truth) {
      const before = this.#truth.get(key);
      if (before === undefined || before === unread) continue;
      let left = Math.abs(unread - before);
      const sign = Math.sign(unread - before);
      for (const e of this.#entries) {
        if (left === 0) break;
        if (folderKey(e.accountId, e.mailbox) !== key || Math.sign(e.unread) !== sign) continue;
        const take = Math.min(left, Math.abs(e.unread));
        e.unread -= sign * take;
        left -= take;
        changed = true;
      }
    }
    this.#truth = truth;
    this.#entries = this.#entries.filter((e) => e.unread !== 0);
    return changed;
  }

  /** Drops done changes the counts did not show within their folder's window; true if any went. */
  expire(): boolean {
    const now = this.#now();
    const kept = this.#entries.filter((e) => e.settledAt === null || now < e.settledAt + followWindowMs(e.mailbox));
    const changed = kept.length !== this.#entries.length;
    this.#entries = kept;
    return changed;
  }

  /** When the next done change expires, or null. */
  nextExpiry(): number | null {
    let next: number | null = null;
    for (const e of this.#entries) {
      if (e.settledAt === null) continue;
      const at = e.settledAt + followWindowMs(e.mailbox);
      if (next === null || at < next) next = at;
    }
    return next;
  }

  /** The changes not shown by the counts yet, summed per folder. */
  pending(): CountChange[] {
    const sums = new Map<string, CountChange>();
    for (const e of this.#entries) {
      const key = folderKey(e.accountId, e.mailbox);
      const sum = sums.get(key) ?? { accountId: e.accountId, mailbox: e.mailbox, unread: 0 };
      sums.set(key, { ...sum, unread: sum.unread + e.unread });
    }
    return [...sums.values()].filter((c) => c.unread !== 0);
  }
}

/**
 * The accounts as the popup shows them: each watched folder's count with the pending changes,
 * and the account's unread (the sum over its watched folders) with those of its watched folders.
 */
export function withPending(
  accounts: readonly AccountSummary[],
  pending: readonly CountChange[],
): readonly AccountSummary[] {
  // The same array when nothing is pending: a derived value that did not change stays equal.
  if (pending.length === 0) return accounts;
  return accounts.map((account) => {
    let delta = 0;
    let touched = false;
    const mailboxes = account.mailboxes.map((m) => {
      const d = pending
        .filter((c) => folderKey(c.accountId, c.mailbox) === folderKey(account.id, m.path))
        .reduce((sum, c) => sum + c.unread, 0);
      delta += d;
      touched ||= d !== 0;
      return d === 0 ? m : { ...m, unread: Math.max(0, m.unread + d) };
    });
    return touched ? { ...account, unread: Math.max(0, account.unread + delta), mailboxes } : account;
  });
}

/**
 * One account's folders (mailboxes.list, read once) with the live counts of its watched folders
 * (`account` as withPending gives it). Other folders keep their own count, which the popup
 * changes itself when it moves messages (counts-controller.ts).
 */
export function foldersWithCounts(folders: readonly MailboxInfo[], account: AccountSummary | undefined): MailboxInfo[] {
  if (!account) return [...folders];
  const live = new Map(account.mailboxes.map((m) => [folderKey(account.id, m.path), m.unread]));
  return folders.map((f) => {
    const unread = live.get(folderKey(account.id, f.path));
    return unread === undefined || unread === f.unread ? f : { ...f, unread };
  });
}
