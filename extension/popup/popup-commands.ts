/**
 * What a keyboard command does in the popup's current state (popup-keys.ts maps keys to
 * commands). A dialog takes only Esc and `?`; `open`, `first`/`last`, the arrows and `select` act
 * on the list screen only, `w` (open in webmail) on the message screen only; j/k on the message screen open the next or previous message, u goes
 * back to the list.
 */
import type { Command } from './popup-keys.js';
import type { PopupView } from './popup-view.js';

/** The popup operations commands use (PopupController). */
export interface CommandTarget {
  readonly view: PopupView;
  move(delta: number): void;
  openMessage(): Promise<void>;
  back(): void;
  clearSelection(): void;
  clearSearch(): void;
  dismissToast(): void;
  closeDialog(): void;
  archive(): void;
  delete(): void;
  junk(): void;
  toggleFlag(): void;
  setRead(value: boolean): void;
  openMove(): void;
  toggleSelected(): void;
  selectAll(): void;
  undo(): void;
  /** Says that there is nothing left to undo (a toast). */
  nothingToUndo(): void;
  focusSearch(): void;
  openHelp(): void;
  /** Opens the open message in webmail; false when its server has none. */
  openWebmail(): boolean;
}

/**
 * Runs a keyboard command; returns false when it did nothing (the key is left to the browser).
 *
 * @example
 * if (runCommand(popup, 'archive')) event.preventDefault();
 */
export function runCommand(popup: CommandTarget, command: Command): boolean {
  const { dialog, screen } = popup.view;
  if (dialog) {
    if (command === 'back' || (command === 'help' && dialog.kind === 'help')) {
      popup.closeDialog();
      return true;
    }
    return false;
  }
  const onList = screen.kind === 'list';
  switch (command) {
    case 'next':
    case 'prev':
      popup.move(command === 'next' ? 1 : -1);
      if (!onList) void popup.openMessage();
      return true;
    case 'down':
    case 'up':
      // On an open message the arrows scroll it (the browser's own, or MessageFrame's).
      if (!onList) return false;
      popup.move(command === 'down' ? 1 : -1);
      return true;
    case 'first':
    case 'last':
      if (!onList) return false;
      popup.move(command === 'first' ? -Infinity : Infinity);
      return true;
    case 'open':
      if (!onList) return false;
      void popup.openMessage();
      return true;
    case 'back':
      return back(popup);
    case 'list':
      if (onList) return false;
      popup.back();
      return true;
    case 'archive':
      popup.archive();
      return true;
    case 'delete':
      popup.delete();
      return true;
    case 'junk':
      popup.junk();
      return true;
    case 'flag':
      popup.toggleFlag();
      return true;
    case 'markRead':
    case 'markUnread':
      popup.setRead(command === 'markRead');
      return true;
    case 'move':
      popup.openMove();
      return true;
    case 'select':
      if (!onList) return false;
      popup.toggleSelected();
      return true;
    case 'selectAll':
      if (!onList || popup.view.list.rows.length === 0) return false;
      popup.selectAll();
      return true;
    case 'undo':
      // `z` with nothing to undo says so instead of doing nothing (issue 8).
      if (!popup.view.toast?.undo) popup.nothingToUndo();
      else popup.undo();
      return true;
    case 'search':
      popup.focusSearch();
      return true;
    case 'help':
      popup.openHelp();
      return true;
    case 'webmail':
      return !onList && popup.openWebmail();
  }
}

/** Esc steps back one level: the message, the selection, the search, the toast. */
function back(popup: CommandTarget): boolean {
  const { view } = popup;
  if (view.screen.kind === 'message') popup.back();
  else if (view.selected.size > 0) popup.clearSelection();
  else if (view.list.search) popup.clearSearch();
  else if (view.toast) popup.dismissToast();
  else return false;
  return true;
}
