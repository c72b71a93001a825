import { browser } from 'wxt/browser';
import { parseResult, type RequestParams, type RequestResult, type RequestType } from '../../shared/index.js';
import type { DataRequest } from '../ui-protocol/data-messages.js';
import {
  parseBackgroundMessage,
  type DataPushMessage,
  type UiError,
  type UiReply,
  type UiRequest,
} from '../ui-protocol/messages.js';
import { UI_PORT_NAME, type PortLike } from '../ui-protocol/port.js';
import { takeEarlyPort, type SentEarly } from './early-port.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type UiRequestBody = DistributiveOmit<UiRequest, 'id'>;
/** A mail data request without its id (data-messages.ts). */
export type DataRequestBody = DistributiveOmit<DataRequest, 'id'>;
/** A relay request's checked result, or what went wrong (with the relay's code when it answered). */
export type RelayReply<T> = { ok: true; value: T } | { ok: false; error: UiError };

/** Longer than the background's own pairing timeout (15 s), so its message wins. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Wait before reopening the Port after the worker went away (it restarts on connect). */
const RECONNECT_PORT_MS = 300;

export interface TidingsUiDeps {
  /** A new Port; the early script's (early-port.ts) also says which requests it already sent. */
  connect: () => PortLike & { sentEarly?: readonly SentEarly[] };
  openOptionsPage: () => Promise<void>;
}

/**
 * The popup's and options page's view of the background: the latest snapshot and what the user
 * is waiting for. The only UI-side code that talks to the extension runtime; components receive
 * its fields as props and call its methods through callbacks.
 *
 * The Port is reopened when it drops (the MV3 worker was stopped and restarts on connect).
 */
export class TidingsUi {
  /** Latest state from the background; null until the first push. */
  snapshot = $state<Snapshot | null>(null);
  /** Which request is running, for busy states. */
  busy = $state<UiRequestBody['type'] | null>(null);
  /** The last failed pairing attempt, shown beside the form. */
  pairError = $state<UiError | null>(null);
  /** The last failure of another action (unpair, reconnect). */
  actionError = $state<string | null>(null);

  #port: PortLike | null = null;
  #nextId = 0;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- reply callbacks are bookkeeping, never rendered
  #pending = new Map<string, (reply: UiReply) => void>();
  /**
   * Replies to the requests the early script sent (early-port.ts), by request. The page's first
   * request takes the one that is the same request instead of asking again; then the rest are
   * dropped, so a later request never gets an old answer.
   */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  #early = new Map<string, Promise<UiReply>>();
  #closed = false;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- listeners are bookkeeping, never rendered
  #pushListeners = new Set<(push: DataPushMessage) => void>();
  readonly #deps: TidingsUiDeps;

  constructor(deps: TidingsUiDeps) {
    this.#deps = deps;
  }

  /** Opens the channel to the background; call once when the page mounts. */
  open(): void {
    this.#closed = false;
    this.#openPort();
  }

  /** Closes the channel (page unmount). */
  close(): void {
    this.#closed = true;
    this.#port?.disconnect();
    this.#port = null;
  }

  /** Pairs with the relay; true on success. Errors land in `pairError`. */
  async pair(relayUrl: string, code: string): Promise<boolean> {
    this.pairError = null;
    const reply = await this.#run({ type: 'pair', relayUrl, code });
    if (!reply.ok) this.pairError = reply.error;
    return reply.ok;
  }

  async unpair(): Promise<void> {
    const reply = await this.#run({ type: 'unpair' });
    this.actionError = reply.ok ? null : reply.error.message;
  }

  async reconnect(): Promise<void> {
    const reply = await this.#run({ type: 'reconnect' });
    this.actionError = reply.ok ? null : reply.error.message;
  }

  /**
   * Tells the background the popup is open, so the badge's "new since the popup was last opened"
   * count starts again. The popup calls this once on mount; failures only cost a stale badge.
   */
  async popupOpened(): Promise<void> {
    await this.#request({ type: 'popupOpened' });
  }

  /**
   * Sends one protocol request to the relay through the background (pages never talk to the relay
   * themselves) and checks the result against the shared schema.
   *
   * @example
   * const reply = await ui.relay('settings.get', {});
   * if (reply.ok) show(reply.value.settings);
   */
  async relay<T extends RequestType>(type: T, params: RequestParams<T>): Promise<RelayReply<RequestResult<T>>> {
    const reply = await this.#request({ type: 'relay', request: { type, params } });
    if (!reply.ok) return reply;
    const checked = parseResult(type, reply.result);
    if (checked.ok) return { ok: true, value: checked.value };
    return { ok: false, error: { message: checked.error.message, code: checked.error.code } };
  }

  /** Sends one mail data request (cache, action, link, download; data-messages.ts). */
  send(body: DataRequestBody): Promise<UiReply> {
    return this.#request(body);
  }

  /** Calls `listener` with every data push (relay events, settled actions, outbox size). */
  onPush(listener: (push: DataPushMessage) => void): () => void {
    this.#pushListeners.add(listener);
    return () => this.#pushListeners.delete(listener);
  }

  async openOptions(): Promise<void> {
    await this.#deps.openOptionsPage();
  }

  // ------------------------------------------------------------ channel

  #openPort(): void {
    let port: ReturnType<TidingsUiDeps['connect']>;
    try {
      port = this.#deps.connect();
    } catch (error) {
      // The extension was reloaded or removed under this page; nothing to reconnect to.
      this.actionError = `Lost the connection to the extension (${error instanceof Error ? error.message : String(error)}). Reopen this page.`;
      return;
    }
    this.#port = port;
    for (const { id, body } of port.sentEarly ?? []) this.#early.set(JSON.stringify(body), this.#awaitReply(id));
    port.onMessage.addListener((raw) => this.#onMessage(raw));
    port.onDisconnect.addListener(() => {
      if (this.#port !== port) return;
      this.#port = null;
      this.#early.clear();
      this.#failPending('The extension restarted; try again.');
      if (!this.#closed) setTimeout(() => this.#openPort(), RECONNECT_PORT_MS);
    });
  }

  #onMessage(raw: unknown): void {
    const message = parseBackgroundMessage(raw);
    if (!message) {
      console.warn('[tidings:ui] ignored an invalid message from the background');
      return;
    }
    if (message.type === 'event' || message.type === 'action' || message.type === 'outbox') {
      for (const listener of this.#pushListeners) {
        try {
          listener(message);
        } catch (error) {
          console.error('[tidings:ui] a push listener threw', error);
        }
      }
      return;
    }
    this.snapshot = message.snapshot;
    if (message.type === 'reply') {
      this.#settle(message.id, message.ok ? { ok: true, result: message.result } : { ok: false, error: message.error });
    }
  }

  async #run(body: UiRequestBody): Promise<UiReply> {
    this.busy = body.type;
    try {
      return await this.#request(body);
    } finally {
      this.busy = null;
    }
  }

  #request(body: UiRequestBody | DataRequestBody): Promise<UiReply> {
    if (this.#early.size > 0) {
      const early = this.#early.get(JSON.stringify(body));
      this.#early.clear();
      if (early) return early;
    }
    const port = this.#port;
    if (!port)
      return Promise.resolve({
        ok: false,
        error: { message: 'Not connected to the extension yet; try again in a moment.' },
      });
    const id = `u${++this.#nextId}`;
    const request: UiRequest | DataRequest = { ...body, id };
    const reply = this.#awaitReply(id);
    try {
      port.postMessage(request);
    } catch {
      this.#settle(id, { ok: false, error: { message: 'Lost the connection to the extension; try again.' } });
    }
    return reply;
  }

  /** The reply to request `id`, or a timeout error if none comes in REQUEST_TIMEOUT_MS. */
  #awaitReply(id: string): Promise<UiReply> {
    return new Promise<UiReply>((resolve) => {
      const timer = setTimeout(() => {
        this.#settle(id, {
          ok: false,
          error: { message: 'The extension did not answer. Reload it on chrome://extensions and try again.' },
        });
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  #settle(id: string, reply: UiReply): void {
    const resolve = this.#pending.get(id);
    this.#pending.delete(id);
    resolve?.(reply);
  }

  #failPending(message: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const resolve of pending) resolve({ ok: false, error: { message } });
  }
}

/**
 * The UI state wired to the real extension runtime. Its first Port is the one the popup's early
 * script opened, if any (early-port.ts); later ones (after the worker went away) are new.
 */
export function createTidingsUi(): TidingsUi {
  return new TidingsUi({
    connect: () => takeEarlyPort() ?? browser.runtime.connect({ name: UI_PORT_NAME }),
    openOptionsPage: () => browser.runtime.openOptionsPage(),
  });
}
