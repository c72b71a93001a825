/**
 * "Mark all read" for a whole folder, or for the unified inbox (every account's INBOX): not only
 * the loaded rows (issue 13). The loaded rows turn read at once; the background sends one
 * `mailbox.markAllRead` per folder through its durable outbox (replayed by actionId); the relay
 * answers with the UIDs it marked, and Undo marks exactly those unread again with ordinary
 * `messages.action` requests (seen:false, MARK_ALL_CHUNK ids each, through the outbox too).
 * More than MARK_ALL_CONFIRM_OVER unread messages ask first (ListToolbar).
 */
import type { MessageId, MessageRow } from '../../shared/index.js';
import { applyAction as applyToRows, scopeKey } from '../core/message-list.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';
import { actionResultSchema, type ActionResult } from '../ui-protocol/data-messages.js';
import type { ListController } from './list-controller.js';
import type { PopupChannel, PopupStore } from './popup-store.js';
import type { PopupTexts } from './popup-texts.js';
import { UNDO_WINDOW_MS, type Toasts } from './popup-toasts.js';

/** More unread messages than this: the toolbar asks before marking them all read. */
export const MARK_ALL_CONFIRM_OVER = 50;
/** Ids per undo request: the most `messages.action` takes. */
export const MARK_ALL_CHUNK = 500;

export interface MarkAllReadOptions {
  store: PopupStore;
  channel: PopupChannel;
  texts: PopupTexts;
  toasts: Toasts;
  list: ListController;
  newId: () => string;
  formatNumber: (n: number) => string;
  /** The background's latest snapshot (accounts and their folder counts). */
  snapshot: () => Snapshot | null;
}

type Folder = { accountId: string; mailbox: string };
type Marked = NonNullable<Extract<ActionResult, { status: 'done' }>['marked']>;

/** One "Mark all read" press: a request per folder, and what Undo needs. */
interface Run {
  /** The undo toast's id for this run. */
  id: string;
  scope: string;
  /** Rows as they were before, to put back when a folder's request fails. */
  before: readonly MessageRow[];
  folders: { folder: Folder; actionId: string; result: Marked | 'pending' | 'failed' }[];
  undoRequested: boolean;
}

/**
 * @example
 * const unread = markAll.unread(); // for the toolbar (and its confirmation)
 * void markAll.run();
 * markAll.undo(); // from the toast
 */
export class MarkAllRead {
  readonly #o: MarkAllReadOptions;
  #last: Run | null = null;

  constructor(options: MarkAllReadOptions) {
    this.#o = options;
  }

  /** The folders the current list shows: one mailbox, or every account's INBOX. */
  folders(): Folder[] {
    const { scope } = this.#o.store.view.list;
    if (scope.kind === 'mailbox') return [{ accountId: scope.accountId, mailbox: scope.mailbox }];
    return (this.#o.snapshot()?.accounts ?? []).map((a) => ({ accountId: a.id, mailbox: 'INBOX' }));
  }

  /**
   * Unread messages in those folders, from the relay's counts (watched folders) or the folder
   * list; at least the loaded unread rows.
   */
  unread(): number {
    const { view } = this.#o.store;
    const loaded = view.list.rows.filter((r) => !r.seen).length;
    let known = 0;
    for (const { accountId, mailbox } of this.folders()) {
      const account = this.#o.snapshot()?.accounts.find((a) => a.id === accountId);
      const counted = account?.mailboxes.find((m) => m.path === mailbox)?.unread;
      const listed = view.mailboxes[accountId];
      known += counted ?? (listed?.status === 'ready' ? (listed.data.find((m) => m.path === mailbox)?.unread ?? 0) : 0);
    }
    return Math.max(known, loaded);
  }

  /** Marks the folders read: the loaded rows now, the server through the outbox. */
  async run(): Promise<void> {
    const { store, list, toasts, texts, newId, formatNumber } = this.#o;
    const folders = this.folders();
    if (folders.length === 0) return;
    const count = this.unread();
    const before = store.view.list.rows;
    list.setRows(markRead(before, folders, true));
    const run: Run = {
      id: newId(),
      scope: scopeKey(store.view.list.scope),
      before,
      folders: folders.map((folder) => ({ folder, actionId: newId(), result: 'pending' })),
      undoRequested: false,
    };
    this.#last = run;
    toasts.show('info', texts.t('popup_markedAllRead', formatNumber(count)), [run.id], UNDO_WINDOW_MS);
    await Promise.all(run.folders.map((f) => this.#send(run, f)));
  }

  /** True when the toast's undo belongs to a mark-all-read (PopupController routes Undo here). */
  owns(undo: readonly string[] | null | undefined): boolean {
    return !!this.#last && !!undo?.includes(this.#last.id);
  }

  /** A queued request settled later (the background's push). */
  settle(actionId: string, result: ActionResult): void {
    const run = this.#last;
    const entry = run?.folders.find((f) => f.actionId === actionId);
    if (!run || !entry || entry.result !== 'pending' || result.status === 'queued') return;
    this.#finish(run, entry, result);
  }

  /** Undo: every message the relay marked becomes unread again (now in the list, then on the server). */
  undo(): void {
    const run = this.#last;
    if (!run) return;
    this.#o.toasts.dismiss();
    run.undoRequested = true;
    if (scopeKey(this.#o.store.view.list.scope) === run.scope) {
      // The UIDs the relay marked, where it answered; else the rows that were unread before.
      const unread = new Set<string>();
      for (const { folder, result } of run.folders) {
        if (typeof result === 'object') {
          for (const uid of result.uids) unread.add(keyOf({ ...folder, uidValidity: result.uidValidity, uid }));
        } else {
          for (const r of run.before) if (!r.seen && inFolders(r.id, [folder])) unread.add(keyOf(r.id));
        }
      }
      const rows = this.#o.store.view.list.rows.map((r) =>
        unread.has(keyOf(r.id)) ? { ...r, ...seenPatch(r, false) } : r,
      );
      this.#o.list.setRows(rows);
    }
    for (const entry of run.folders) if (entry.result !== 'pending') this.#undoFolder(entry);
  }

  async #send(run: Run, entry: Run['folders'][number]): Promise<void> {
    const reply = await this.#o.channel.send({
      type: 'markAllRead',
      params: { actionId: entry.actionId, ...entry.folder },
    });
    const parsed = reply.ok ? actionResultSchema.safeParse(reply.result) : null;
    const result: ActionResult = parsed?.success
      ? parsed.data
      : {
          status: 'failed',
          error: reply.ok
            ? { code: 'INTERNAL', message: 'unexpected reply' }
            : { code: reply.error.code ?? 'INTERNAL', message: reply.error.message },
        };
    if (result.status !== 'queued') this.#finish(run, entry, result);
  }

  #finish(run: Run, entry: Run['folders'][number], result: Exclude<ActionResult, { status: 'queued' }>): void {
    if (result.status === 'done' && result.marked) {
      entry.result = result.marked;
      if (run.undoRequested) this.#undoFolder(entry);
      return;
    }
    entry.result = 'failed';
    // Roll the folder's rows back, unless the user has moved on to another list.
    if (scopeKey(this.#o.store.view.list.scope) === run.scope) {
      const wasUnread = run.before.filter((r) => !r.seen && inFolders(r.id, [entry.folder])).map((r) => r.id);
      this.#o.list.setRows(applyToRows(this.#o.store.view.list.rows, wasUnread, { kind: 'seen', value: false }));
    }
    const error = result.status === 'failed' ? result.error : null;
    this.#o.toasts.show('error', this.#o.texts.t('popup_errMarkAllRead', error ? this.#o.texts.error(error) : ''));
  }

  /** Sends the seen:false requests for one folder's marked UIDs (once). */
  #undoFolder(entry: Run['folders'][number]): void {
    const marked = entry.result;
    if (marked === 'pending' || marked === 'failed') return;
    entry.result = 'failed';
    if (!marked.undoable) {
      this.#o.toasts.show('error', this.#o.texts.t('popup_markAllReadNoUndo', this.#o.formatNumber(marked.marked)));
      return;
    }
    const ids: MessageId[] = marked.uids.map((uid) => ({
      ...entry.folder,
      uidValidity: marked.uidValidity,
      uid,
    }));
    for (let i = 0; i < ids.length; i += MARK_ALL_CHUNK) {
      void this.#o.channel.send({
        type: 'action',
        params: {
          actionId: this.#o.newId(),
          ids: ids.slice(i, i + MARK_ALL_CHUNK),
          action: { kind: 'seen', value: false },
        },
      });
    }
  }
}

const keyOf = (id: MessageId) => `${id.accountId}\u0000${id.mailbox}\u0000${id.uidValidity}\u0000${id.uid}`;

function inFolders(id: MessageId, folders: readonly Folder[]): boolean {
  return folders.some((f) => f.accountId === id.accountId && f.mailbox === id.mailbox);
}

function seenPatch(row: MessageRow, seen: boolean): Pick<MessageRow, 'seen' | 'flags'> {
  const flags = row.flags.filter((f) => f !== '\\Seen');
  return { seen, flags: seen ? [...flags, '\\Seen'] : flags };
}

/** The rows of `folders` marked read (or unread). */
export function markRead(rows: readonly MessageRow[], folders: readonly Folder[], seen: boolean): MessageRow[] {
  return rows.map((r) => (inFolders(r.id, folders) && r.seen !== seen ? { ...r, ...seenPatch(r, seen) } : r));
}
