/**
 * The popup's one toast at a time: shows it, replaces it, and takes it down when its time is up.
 * An undo toast names the actions an Undo press reverts; when it is replaced, those actions can no
 * longer be undone and `onUndoDropped` lets the action part forget the settled ones.
 */
import type { SetTimer } from '../core/timer.js';
import type { PopupStore } from './popup-store.js';
import type { Toast } from './popup-view.js';

/** How long the undo toast stays (issue 8: 10 s, long enough to notice a slip). */
export const UNDO_WINDOW_MS = 10_000;
/** Info and error toasts stay a little longer: they are read, not acted on. */
const TOAST_MS = 7_000;

export interface ToastsOptions {
  store: PopupStore;
  setTimer: SetTimer;
  /** Action ids of a replaced undo toast that the new toast does not offer to undo. */
  onUndoDropped: (actionIds: readonly string[]) => void;
}

/**
 * @example
 * toasts.show('info', 'Archived', ['action-1'], UNDO_WINDOW_MS);
 */
export class Toasts {
  readonly #o: ToastsOptions;
  #seq = 0;
  #cancel: (() => void) | null = null;
  /** The toast's time, restarted when the user stops holding it (focus or pointer on it). */
  #ms = TOAST_MS;

  constructor(options: ToastsOptions) {
    this.#o = options;
  }

  show(tone: Toast['tone'], text: string, undo: readonly string[] | null = null, ms = TOAST_MS): void {
    const { store } = this.#o;
    this.#cancel?.();
    const id = ++this.#seq;
    const previous = store.view.toast?.undo ?? [];
    this.#o.onUndoDropped(previous.filter((actionId) => !undo?.includes(actionId)));
    store.set({ toast: { id, tone, text, undo } });
    this.#ms = ms;
    this.#start(id);
  }

  /** Keeps the toast up while it has focus or the pointer (its timer stops). */
  hold(): void {
    this.#cancel?.();
    this.#cancel = null;
  }

  /** Lets a held toast go: its full time starts again. */
  release(): void {
    const toast = this.#o.store.view.toast;
    if (toast && !this.#cancel) this.#start(toast.id);
  }

  #start(id: number): void {
    const { store } = this.#o;
    this.#cancel = this.#o.setTimer(() => {
      this.#cancel = null;
      if (store.view.toast?.id === id) this.dismiss();
    }, this.#ms);
  }

  dismiss(): void {
    this.#cancel?.();
    this.#cancel = null;
    if (this.#o.store.view.toast) this.#o.store.set({ toast: null });
  }

  /** Stops the timer (the popup closes); the toast goes with the popup. */
  stop(): void {
    this.#cancel?.();
  }
}
