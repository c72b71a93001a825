/**
 * What the popup's parts share: the channel to the background, the view they all write, and the
 * injected clock, ids and translator. One `PopupStore` per popup; every part gets the same one.
 */
import type { RequestParams, RequestResult, RequestType } from '../../shared/index.js';
import type { SetTimer } from '../core/timer.js';
import type { Translate } from '../i18n/i18n.js';
import type { DataPushMessage, UiReply } from '../ui-protocol/messages.js';
import type { DataRequestBody, RelayReply } from '../ui/ui-state.svelte.js';
import { initialView, type ListView, type PopupView } from './popup-view.js';

/** What the popup needs from the background (TidingsUi satisfies it). */
export interface PopupChannel {
  relay<T extends RequestType>(type: T, params: RequestParams<T>): Promise<RelayReply<RequestResult<T>>>;
  send(body: DataRequestBody): Promise<UiReply>;
  onPush(listener: (push: DataPushMessage) => void): () => void;
}

export interface PopupDeps {
  channel: PopupChannel;
  t: Translate;
  now: () => number;
  /** A fresh action id (8–64 characters). */
  newId: () => string;
  setTimer: SetTimer;
  onChange: (view: PopupView) => void;
  /** Localized number for counts in messages; default String. */
  formatNumber?: (n: number) => string;
  /**
   * Resolves once what the view shows now has been painted (the popup: the next frame); default
   * at once. Refreshes of what is already on screen wait for it (list-controller.ts).
   */
  afterPaint?: () => Promise<void>;
}

/**
 * The current view and the one way to change it: `set` makes a new view and reports it.
 *
 * @example
 * store.set({ dialog: null });
 * store.setList({ ...store.view.list, rows });
 */
export class PopupStore {
  #view: PopupView = initialView();
  readonly #onChange: (view: PopupView) => void;

  constructor(onChange: (view: PopupView) => void) {
    this.#onChange = onChange;
  }

  get view(): PopupView {
    return this.#view;
  }

  set(patch: Partial<PopupView>): void {
    this.#view = { ...this.#view, ...patch };
    this.#onChange(this.#view);
  }

  setList(list: ListView): void {
    this.set({ list });
  }
}
