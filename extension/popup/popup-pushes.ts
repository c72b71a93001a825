/**
 * What the background pushes to an open popup, applied to the view: the outbox count, outcomes
 * of queued actions, and relay events (new mail, flags changed or messages expunged elsewhere,
 * settings and accounts changed).
 */
import { messageKey, type ServerEvent } from '../../shared/index.js';
import { applyExpunged, applyFlags, applyNew } from '../core/message-list.js';
import type { DataPushMessage } from '../ui-protocol/messages.js';
import type { ActionController } from './action-controller.js';
import type { ListController } from './list-controller.js';
import type { MailboxesController } from './mailboxes-controller.js';
import type { MarkAllRead } from './mark-all-read.js';
import type { MessageController } from './message-controller.js';
import type { PopupStore } from './popup-store.js';

export interface PushTargets {
  store: PopupStore;
  list: ListController;
  message: MessageController;
  actions: ActionController;
  mailboxes: MailboxesController;
  markAll: MarkAllRead;
}

/**
 * @example
 * channel.onPush((push) => applyPush(parts, push));
 */
export function applyPush(parts: PushTargets, push: DataPushMessage): void {
  switch (push.type) {
    case 'outbox':
      if (push.pending !== parts.store.view.pending) parts.store.set({ pending: push.pending });
      return;
    case 'action':
      if (push.result.status !== 'queued') {
        parts.actions.settle(push.actionId, push.result);
        parts.markAll.settle(push.actionId, push.result);
      }
      return;
    case 'event':
      applyEvent(parts, push.event);
      return;
  }
}

function applyEvent({ store, list, message, mailboxes, actions }: PushTargets, event: ServerEvent): void {
  const current = store.view.list;
  switch (event.event) {
    case 'message.new':
      // Search results are what the server matched; new mail does not join them.
      if (!current.search) {
        const rows = applyNew(current.rows, current.scope, event.payload);
        if (rows.length !== current.rows.length)
          list.setRows(rows, current.total + (rows.length - current.rows.length));
      }
      return;
    case 'message.flags': {
      // What the user did a moment ago and the relay has not answered yet stays on top.
      const flags = actions.overPending(event.payload.id, event.payload.flags);
      list.setRows(applyFlags(current.rows, { id: event.payload.id, flags }));
      message.setFlags(event.payload.id, () => flags);
      return;
    }
    case 'message.expunged': {
      const oldIndex = list.activeIndex();
      // A row an undo put back left with its old UID; it stays (its move back gives it a new one).
      const restoring = actions.restoring();
      const { accountId, mailbox, uidValidity } = event.payload;
      const uids = event.payload.uids.filter(
        (uid) => !restoring.has(messageKey({ accountId, mailbox, uidValidity, uid })),
      );
      const rows = applyExpunged(current.rows, { ...event.payload, uids });
      if (rows.length === current.rows.length) return;
      list.setRows(rows, Math.max(0, current.total - (current.rows.length - rows.length)));
      list.pruneSelection();
      list.ensureActive(oldIndex);
      return;
    }
    case 'settings.changed':
      store.set({ settings: event.payload.settings });
      return;
    case 'accounts.changed':
      // Folders may have been renamed with the account; reload them on next use.
      mailboxes.clear();
      return;
    default:
      return;
  }
}
