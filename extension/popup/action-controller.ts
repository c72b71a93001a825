/**
 * Mail actions from the popup: applied to the list at once (optimistic), sent to the background
 * (which runs them or keeps them in its outbox), rolled back when they fail, and undone on
 * request. Each action's state is one `Lifecycle` (undo-lifecycle.ts).
 */
import {
  messageKey,
  type ActionOutcome,
  type MailAction,
  type MessageId,
  type MessageRow,
} from '../../shared/index.js';
import {
  applyAction,
  flagsAfter,
  groupByAccount,
  insertRows,
  removesFromList,
  rollback,
  scopeKey,
} from '../core/message-list.js';
import { actionResultSchema } from '../ui-protocol/data-messages.js';
import { PAGE, type ListController } from './list-controller.js';
import type { CountsController } from './counts-controller.js';
import type { MessageController } from './message-controller.js';
import type { PopupChannel, PopupStore } from './popup-store.js';
import type { PopupTexts } from './popup-texts.js';
import { UNDO_WINDOW_MS, type Toasts } from './popup-toasts.js';
import { EMPTY_SET, openMessageOf } from './popup-view.js';
import { actionCountChanges, reversed, type MessageCountChange } from './unread-ledger.js';
import {
  failedIds,
  planUndo,
  restoreIdentities,
  restoringKeys,
  unrestoredKeys,
  type FinalResult,
  type Lifecycle,
  type TrackedAction,
} from './undo-lifecycle.js';

export interface ActionOptions {
  store: PopupStore;
  channel: PopupChannel;
  texts: PopupTexts;
  toasts: Toasts;
  list: ListController;
  message: MessageController;
  counts: CountsController;
  /** A fresh action id (8–64 characters). */
  newId: () => string;
}

/**
 * @example
 * void actions.act({ kind: 'archive' }); // the targets leave the list; "Archived" with Undo
 * actions.undo();
 */
export class ActionController {
  readonly #o: ActionOptions;
  readonly #actions = new Map<string, TrackedAction>();

  constructor(options: ActionOptions) {
    this.#o = options;
  }

  /** The rows an action applies to: the open message, else the selection, else the focused row. */
  targets(): MessageRow[] {
    const { store, list } = this.#o;
    const view = store.view;
    const m = openMessageOf(view);
    if (m) {
      const row = list.row(messageKey(m.id)) ?? m.row;
      return row ? [row] : [];
    }
    if (view.selected.size > 0) return view.list.rows.filter((r) => view.selected.has(messageKey(r.id)));
    const row = list.activeRow();
    return row ? [row] : [];
  }

  /**
   * Applies `action` to `rows` now and sends it, one request per account. Actions that take rows
   * out of the list get an undo toast, unless `quiet` (marking an opened message read).
   */
  async act(action: MailAction, rows: MessageRow[] = this.targets(), options: { quiet?: boolean } = {}): Promise<void> {
    if (rows.length === 0) return;
    const { store, list, message } = this.#o;
    const before = store.view.list.rows;
    const focus = store.view.activeKey;
    const oldIndex = list.activeIndex();
    const ids = rows.map((r) => r.id);
    const removing = removesFromList(action);
    // Optimistic: the list, its total and the open message change now; the relay confirms or we roll back.
    this.#setRows(applyAction(before, ids, action));
    if (removing) {
      store.set({ selected: EMPTY_SET });
      message.close();
      list.ensureActive(oldIndex);
      if (store.view.list.rows.length < PAGE / 2) void list.loadMore();
    } else {
      for (const id of ids) message.setFlags(id, (flags) => flagsAfter(flags, action));
    }

    const scope = scopeKey(store.view.list.scope);
    const tracked: TrackedAction[] = groupByAccount(ids).map((group) => ({
      actionId: this.#o.newId(),
      ids: group,
      action,
      before,
      scope,
      rows: rows.filter((r) => group.some((id) => messageKey(id) === messageKey(r.id))),
      focus,
      state: { phase: 'sent' },
    }));
    for (const t of tracked) {
      this.#actions.set(t.actionId, t);
      this.#o.counts.applied(t.actionId, actionCountChanges(action, t.rows));
    }
    if (removing && !options.quiet) {
      const undo = tracked.map((t) => t.actionId);
      this.#o.toasts.show('info', this.#o.texts.action(action, rows.length), undo, UNDO_WINDOW_MS);
    }
    await Promise.all(tracked.map((t) => this.#send(t)));
  }

  /**
   * A message's flags as an event reports them, with this popup's flag actions on it that have
   * no outcome yet applied on top, in the order they were made. The event may describe the
   * server before those actions ran (the relay answers them after); it must not undo what the
   * user just did. Once an action has its outcome, the relay publishes no older state (its
   * FlagOrder), so events then apply as they are.
   */
  overPending(id: MessageId, flags: readonly string[]): string[] {
    const key = messageKey(id);
    let out = [...flags];
    for (const tracked of this.#actions.values()) {
      if (tracked.state.phase !== 'sent' || removesFromList(tracked.action)) continue;
      if (tracked.ids.some((i) => messageKey(i) === key)) out = flagsAfter(out, tracked.action);
    }
    return out;
  }

  /** An action's outcome, from the reply or later from the background (a queued action). */
  settle(actionId: string, result: FinalResult): void {
    const tracked = this.#actions.get(actionId);
    if (!tracked) return;
    const { state } = tracked;
    switch (state.phase) {
      case 'settled':
        return;
      case 'undoing':
        this.#actions.delete(actionId);
        this.#finishUndo(tracked, state.restores, state.group, result);
        return;
      case 'undo-requested':
        // The rows are back already; move the messages back from where the action put them.
        this.#settleCounts(tracked, result);
        this.#runUndo(tracked, result);
        return;
      case 'sent':
        this.#setState(tracked, { phase: 'settled', result });
        this.#settleCounts(tracked, result);
        this.#rollbackFailed(tracked, result);
        // Keep settled actions only as long as Undo can refer to them.
        if (!this.#o.store.view.toast?.undo?.includes(actionId)) this.#actions.delete(actionId);
        return;
    }
  }

  /**
   * Undo of the last archive/delete/junk/move: the rows come back now, at their date, with the
   * focus (and a selection of several) on them; the counts follow; the server follows.
   */
  undo(): void {
    const { store, toasts, counts } = this.#o;
    const toast = store.view.toast;
    if (!toast?.undo) return;
    toasts.dismiss();
    const back: MessageRow[] = [];
    let focus: string | null = null;
    for (const actionId of toast.undo) {
      const tracked = this.#actions.get(actionId);
      if (!tracked) continue;
      const { state } = tracked;
      if (state.phase !== 'sent' && state.phase !== 'settled') continue;
      if (scopeKey(store.view.list.scope) === tracked.scope) {
        back.push(...tracked.rows);
        focus ??= tracked.focus;
      }
      counts.applied(undoGroup(actionId), reversed(actionCountChanges(tracked.action, tracked.rows)));
      if (state.phase === 'settled') this.#runUndo(tracked, state.result);
      else this.#setState(tracked, { phase: 'undo-requested' });
    }
    if (back.length > 0) this.#putBack(back, focus);
  }

  /** Keys of rows an undo put back whose move back has not landed: an expunge of them is stale. */
  restoring(): Set<string> {
    return restoringKeys(this.#actions.values());
  }

  /** An undo toast went away: its settled actions can no longer be undone. */
  forgetSettled(actionIds: readonly string[]): void {
    for (const actionId of actionIds) {
      if (this.#actions.get(actionId)?.state.phase === 'settled') this.#actions.delete(actionId);
    }
  }

  async #send(tracked: TrackedAction): Promise<void> {
    const { channel, store, toasts, texts } = this.#o;
    const reply = await channel.send({
      type: 'action',
      params: { actionId: tracked.actionId, ids: tracked.ids, action: tracked.action },
    });
    if (!reply.ok) {
      this.settle(tracked.actionId, {
        status: 'failed',
        error: { code: reply.error.code ?? 'INTERNAL', message: reply.error.message },
      });
      return;
    }
    const result = actionResultSchema.safeParse(reply.result);
    if (!result.success) {
      this.settle(tracked.actionId, { status: 'failed', error: { code: 'BAD_REQUEST', message: 'unexpected reply' } });
      return;
    }
    if (result.data.status === 'queued') {
      // Still `sent`: the background pushes the outcome when the relay has run it.
      if (!store.view.toast?.undo) toasts.show('info', texts.t('popup_toastQueued'));
      return;
    }
    this.settle(tracked.actionId, result.data);
  }

  /** The messages whose part failed go back to where they were, and the user hears why. */
  #rollbackFailed(tracked: TrackedAction, result: FinalResult): void {
    const { store, list, toasts, texts } = this.#o;
    const failed = failedIds(tracked.ids, result);
    if (failed.length === 0) return;
    if (scopeKey(store.view.list.scope) === tracked.scope) {
      this.#setRows(rollback(store.view.list.rows, tracked.before, failed));
      list.ensureActive();
    }
    const error = result.status === 'failed' ? result.error : (result.outcomes.find((o) => !o.ok)?.error ?? null);
    toasts.show('error', texts.failure(tracked.action, error));
  }

  /** Moves the messages of a settled action back where they were, by the identities it reported. */
  #runUndo(tracked: TrackedAction, result: FinalResult): void {
    this.#actions.delete(tracked.actionId);
    const { store, list, toasts, texts, counts } = this.#o;
    const group = undoGroup(tracked.actionId);
    // Messages whose action failed never left: the undo has nothing to bring back for them.
    counts.withdrawn(group, result.status === 'done' ? keysOf(failedIds(tracked.ids, result)) : 'all');
    if (result.status !== 'done') return;
    const { moves, lost } = planUndo(tracked.rows, result);
    if (lost.length > 0) {
      // The server did not say where they went (no UIDPLUS, or deleted for good): they stay gone.
      const keys = keysOf(lost);
      this.#setRows(store.view.list.rows.filter((r) => !keys.has(messageKey(r.id))));
      list.ensureActive();
      counts.withdrawn(group, keys);
      toasts.show('error', texts.t('popup_errUndo'));
    }
    for (const move of moves) {
      const undo: TrackedAction = {
        actionId: this.#o.newId(),
        ids: move.ids,
        action: { kind: 'move', to: move.to },
        before: store.view.list.rows,
        scope: scopeKey(store.view.list.scope),
        rows: [],
        focus: null,
        state: { phase: 'undoing', restores: move.restores, group },
      };
      this.#actions.set(undo.actionId, undo);
      void this.#send(undo);
    }
  }

  /** An undo move landed: the restored rows take their new identities (new UIDs after the move). */
  #finishUndo(
    undo: TrackedAction,
    restores: ReadonlyMap<string, MessageRow>,
    group: string,
    result: FinalResult,
  ): void {
    const { store, list, toasts, texts, counts } = this.#o;
    const oldKeys = unrestoredKeys(undo.ids, restores, result);
    counts.settled(group, oldKeys);
    if (oldKeys.size > 0) {
      this.#setRows(store.view.list.rows.filter((r) => !oldKeys.has(messageKey(r.id))));
      list.ensureActive();
      toasts.show('error', texts.t('popup_errUndo'));
    }
    if (result.status !== 'done') return;
    // They left the folder the action had put them in.
    counts.known(group, reversed(landed(result.outcomes, restores, 'from')));
    const { selected } = store.view;
    const restored = restoreIdentities(store.view.list.rows, restores, result, store.view.activeKey);
    const renamedSelection = [...selected].map((k) => restored.renamed.get(k) ?? k);
    store.set({
      activeKey: restored.activeKey,
      selected: restored.renamed.size > 0 && selected.size > 0 ? new Set(renamedSelection) : selected,
    });
    this.#setRows(restored.rows);
  }

  /** The action's counts: failed messages' changes go back; where done moves landed is counted. */
  #settleCounts(tracked: TrackedAction, result: FinalResult): void {
    const { counts } = this.#o;
    counts.settled(tracked.actionId, result.status === 'done' ? keysOf(failedIds(tracked.ids, result)) : 'all');
    if (result.status !== 'done' || !removesFromList(tracked.action)) return;
    const byKey = new Map(tracked.rows.map((r) => [messageKey(r.id), r]));
    counts.known(tracked.actionId, landed(result.outcomes, byKey, 'to'));
  }

  /** Rows put back by an undo: at their date, the focus on the one that had it (else the first). */
  #putBack(rows: readonly MessageRow[], focus: string | null): void {
    const { store, list } = this.#o;
    this.#setRows(insertRows(store.view.list.rows, rows));
    const keys = rows.map((r) => messageKey(r.id));
    const first = store.view.list.rows.find((r) => keys.includes(messageKey(r.id)));
    const active = focus !== null && keys.includes(focus) ? focus : first ? messageKey(first.id) : null;
    store.set({ selected: keys.length > 1 ? new Set(keys) : EMPTY_SET });
    if (active) list.focusRow(active);
  }

  /** New rows for the list; its total follows the rows that came or went. */
  #setRows(rows: readonly MessageRow[]): void {
    const { list, store } = this.#o;
    const current = store.view.list;
    list.setRows(rows, Math.max(0, current.total + rows.length - current.rows.length));
  }

  #setState(tracked: TrackedAction, state: Lifecycle): void {
    this.#actions.set(tracked.actionId, { ...tracked, state });
  }
}

/** The count group of an undo of `actionId` (its rows coming back). */
function undoGroup(actionId: string): string {
  return `undo:${actionId}`;
}

function keysOf(ids: readonly MessageId[]): Set<string> {
  return new Set(ids.map(messageKey));
}

/**
 * Unread messages of done outcomes, counted where they are now ('to': movedTo) or were ('from':
 * the outcome's id); `rows` by the key of the outcome's id.
 */
function landed(
  outcomes: readonly ActionOutcome[],
  rows: ReadonlyMap<string, MessageRow>,
  where: 'to' | 'from',
): MessageCountChange[] {
  const out: MessageCountChange[] = [];
  for (const o of outcomes) {
    const row = rows.get(messageKey(o.id));
    if (!o.ok || !o.movedTo || !row || row.seen) continue;
    const at = where === 'to' ? o.movedTo : o.id;
    out.push({ accountId: at.accountId, mailbox: at.mailbox, unread: 1, key: messageKey(row.id) });
  }
  return out;
}
