/**
 * Mail actions from the popup: applied to the list at once (optimistic), sent to the background
 * (which runs them or keeps them in its outbox), rolled back when they fail, and undone on
 * request. Each action's state is one `Lifecycle` (undo-lifecycle.ts).
 */
import { messageKey, type MailAction, type MessageRow } from '../../shared/index.js';
import { applyAction, groupByAccount, removesFromList, rollback, scopeKey } from '../core/message-list.js';
import { actionResultSchema } from '../ui-protocol/data-messages.js';
import { PAGE, type ListController } from './list-controller.js';
import type { MessageController } from './message-controller.js';
import type { PopupChannel, PopupStore } from './popup-store.js';
import type { PopupTexts } from './popup-texts.js';
import { UNDO_WINDOW_MS, type Toasts } from './popup-toasts.js';
import { EMPTY_SET, openMessageOf } from './popup-view.js';
import {
  failedIds,
  planUndo,
  restoreIdentities,
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
    const oldIndex = list.activeIndex();
    const ids = rows.map((r) => r.id);
    const removing = removesFromList(action);
    // Optimistic: the list and the open message change now; the relay confirms or we roll back.
    list.setRows(applyAction(before, ids, action));
    if (removing) {
      store.set({ selected: EMPTY_SET });
      message.close();
      list.ensureActive(oldIndex);
      if (store.view.list.rows.length < PAGE / 2) void list.loadMore();
    } else {
      const flag = action.kind === 'seen' ? '\\Seen' : '\\Flagged';
      const value = 'value' in action && action.value;
      for (const id of ids)
        message.setFlags(id, (flags) => flags.filter((f) => f !== flag).concat(value ? [flag] : []));
    }

    const scope = scopeKey(store.view.list.scope);
    const tracked: TrackedAction[] = groupByAccount(ids).map((group) => ({
      actionId: this.#o.newId(),
      ids: group,
      action,
      before,
      scope,
      rows: rows.filter((r) => group.some((id) => messageKey(id) === messageKey(r.id))),
      state: { phase: 'sent' },
    }));
    for (const t of tracked) this.#actions.set(t.actionId, t);
    if (removing && !options.quiet) {
      const undo = tracked.map((t) => t.actionId);
      this.#o.toasts.show('info', this.#o.texts.action(action, rows.length), undo, UNDO_WINDOW_MS);
    }
    await Promise.all(tracked.map((t) => this.#send(t)));
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
        this.#finishUndo(tracked, state.restores, result);
        return;
      case 'undo-requested':
        // The rows are back already; move the messages back from where the action put them.
        this.#runUndo(tracked, result);
        return;
      case 'sent':
        this.#setState(tracked, { phase: 'settled', result });
        this.#rollbackFailed(tracked, result);
        // Keep settled actions only as long as Undo can refer to them.
        if (!this.#o.store.view.toast?.undo?.includes(actionId)) this.#actions.delete(actionId);
        return;
    }
  }

  /** Undo of the last archive/delete/junk/move: the rows come back now, the server follows. */
  undo(): void {
    const { store, list, toasts } = this.#o;
    const toast = store.view.toast;
    if (!toast?.undo) return;
    toasts.dismiss();
    for (const actionId of toast.undo) {
      const tracked = this.#actions.get(actionId);
      if (!tracked) continue;
      const { state } = tracked;
      if (state.phase !== 'sent' && state.phase !== 'settled') continue;
      if (scopeKey(store.view.list.scope) === tracked.scope) {
        list.setRows(rollback(store.view.list.rows, tracked.before, tracked.ids));
      }
      if (state.phase === 'settled') this.#runUndo(tracked, state.result);
      else this.#setState(tracked, { phase: 'undo-requested' });
    }
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
      list.setRows(rollback(store.view.list.rows, tracked.before, failed));
    }
    const error = result.status === 'failed' ? result.error : (result.outcomes.find((o) => !o.ok)?.error ?? null);
    toasts.show('error', texts.failure(tracked.action, error));
  }

  /** Moves the messages of a settled action back where they were, by the identities it reported. */
  #runUndo(tracked: TrackedAction, result: FinalResult): void {
    this.#actions.delete(tracked.actionId);
    if (result.status !== 'done') return;
    const { store, list, toasts, texts } = this.#o;
    const { moves, lost } = planUndo(tracked.rows, result);
    if (lost.length > 0) {
      // The server did not say where they went (no UIDPLUS, or deleted for good): they stay gone.
      const keys = new Set(lost.map(messageKey));
      list.setRows(store.view.list.rows.filter((r) => !keys.has(messageKey(r.id))));
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
        state: { phase: 'undoing', restores: move.restores },
      };
      this.#actions.set(undo.actionId, undo);
      void this.#send(undo);
    }
  }

  /** An undo move landed: the restored rows take their new identities (new UIDs after the move). */
  #finishUndo(undo: TrackedAction, restores: ReadonlyMap<string, MessageRow>, result: FinalResult): void {
    const { store, list, toasts, texts } = this.#o;
    if (failedIds(undo.ids, result).length > 0) {
      const oldKeys = unrestoredKeys(undo.ids, restores, result);
      list.setRows(store.view.list.rows.filter((r) => !oldKeys.has(messageKey(r.id))));
      toasts.show('error', texts.t('popup_errUndo'));
    }
    if (result.status !== 'done') return;
    const restored = restoreIdentities(store.view.list.rows, restores, result, store.view.activeKey);
    if (restored.activeKey !== store.view.activeKey) store.set({ activeKey: restored.activeKey });
    list.setRows(restored.rows);
  }

  #setState(tracked: TrackedAction, state: Lifecycle): void {
    this.#actions.set(tracked.actionId, { ...tracked, state });
  }
}
