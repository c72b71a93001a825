/**
 * The background's mail data layer: answers the UI's data requests (data-messages.ts) from the
 * cache or through the relay, keeps the cache in step with relay events, applies actions
 * optimistically and sends them through the durable outbox, and opens links and downloads
 * attachments for the popup. No `browser.*` here: `entrypoints/background.ts` injects tabs,
 * downloads, storage and IndexedDB; tests inject fakes.
 */
import {
  isRequestType,
  Limits,
  messageKey,
  RelayPaths,
  requests,
  TidingsError,
  type ErrorCode,
  type MessageId,
  type MessageRow,
  type RequestParams,
  type RequestResult,
  type RequestType,
  type ServerEvent,
} from '../../shared/index.js';
import type { ActionResult, DataRequest } from '../ui-protocol/data-messages.js';
import type { Logger } from '../core/log.js';
import type { MailCache } from './mail-cache.js';
import { applyAction } from '../core/message-list.js';
import { isActionEntry, Outbox, type ActionParams, type OutboxEntry } from './outbox.js';
import type { SetTimer } from '../core/timer.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';
import type { KeyValueStore } from './stored-state.js';
import { safeFilename } from './filenames.js';

/** What the mail service needs from the relay connection (the BackgroundController). */
export interface RelayAccess {
  /** Sends a request on the open socket; rejects with a TidingsError (UNREACHABLE when offline). */
  request<T extends RequestType>(type: T, params: RequestParams<T>): Promise<RequestResult<T>>;
  isOpen(): boolean;
  /** The relay's http(s) base URL and the device token, for the attachment route; null when unpaired. */
  httpAccess(): { httpBase: string; token: string } | null;
}

export interface DownloadOptions {
  url: string;
  headers: { name: string; value: string }[];
  filename: string;
}

export interface MailServiceDeps {
  relay: RelayAccess;
  cache: MailCache;
  /** Where the outbox is kept (browser.storage.local). */
  store: KeyValueStore;
  openTab: (url: string) => Promise<void>;
  /** Starts a browser download (streamed to disk by the browser, never held in memory here). */
  download: (options: DownloadOptions) => Promise<void>;
  now: () => number;
  setTimer: SetTimer;
  log: Logger;
  /**
   * Called each time a UI's request of type `type` has been sent on to the relay: the worker has a
   * round trip of idle time then, for work that must not hold up the request itself.
   */
  onRelayAsked?: (type: RequestType) => void;
}

export interface DataError {
  message: string;
  code?: ErrorCode;
}

export type DataReply = { ok: true; result: unknown } | { ok: false; error: DataError };

/** Pushes to every open UI port (see data-messages.ts). */
export type DataPush =
  | { type: 'event'; event: ServerEvent }
  | { type: 'action'; actionId: string; result: ActionResult }
  | { type: 'outbox'; pending: number };

/** Relay events the UI hears about. */
const FORWARDED_EVENTS: ReadonlySet<ServerEvent['event']> = new Set([
  'message.new',
  'message.flags',
  'message.expunged',
  'counts',
  'accounts.changed',
  'settings.changed',
]);

/** Requests the UI may not send through the proxy, and why. */
const NOT_PROXIED: Partial<Record<RequestType, string>> = {
  hello: 'hello belongs to the background connection',
  'messages.action': 'send mail actions as {type: "action"} so they go through the outbox',
  'mailbox.markAllRead': 'send it as {type: "markAllRead"} so it goes through the outbox',
};

/** Link schemes the popup may open (SECURITY.md: Tutanota allowed smb:/ms-msdt: and got RCE). */
const LINK_SCHEMES: ReadonlySet<string> = new Set(['https:', 'http:', 'mailto:']);

/** Returns the URL to open, or null when the scheme is not allowed or it does not parse. */
export function checkLink(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (!LINK_SCHEMES.has(parsed.protocol)) return null;
  // Credentials in a link are a phishing trick (https://bank.com@evil.example/); refuse them.
  if (parsed.username !== '' || parsed.password !== '') return null;
  return parsed.href;
}

/**
 * @example
 * const mail = new MailService({ relay: controller, cache, store, openTab, download, now, setTimer, log });
 * controller.subscribe((s) => mail.onSnapshot(s));
 * controller.subscribeEvents((e) => mail.onEvent(e));
 */
export class MailService {
  readonly #d: MailServiceDeps;
  readonly #outbox: Outbox;
  readonly #listeners = new Set<(push: DataPush) => void>();
  #wasOpen = false;
  /** Device id of the pairing the cache belongs to; undefined before the first snapshot. */
  #device: string | null | undefined = undefined;
  #pending = 0;
  /** Requests waiting for the socket to open (the worker was just woken and is connecting). */
  readonly #openWaiters = new Set<(open: boolean) => void>();
  /** Until the first snapshot nothing is known: assume the worker is starting and connecting. */
  #connecting = true;
  /** message.get requests on their way to the relay, by messageKey (#openMessage). */
  readonly #fetching = new Map<string, Promise<DataReply>>();

  constructor(deps: MailServiceDeps) {
    this.#d = deps;
    this.#outbox = new Outbox({
      store: deps.store,
      send: (params) => deps.relay.request('messages.action', params),
      sendMarkAllRead: (params) => deps.relay.request('mailbox.markAllRead', params),
      isOpen: () => deps.relay.isOpen(),
      onSettled: (entry, result) => this.#onSettled(entry, result),
      onPending: (pending) => {
        this.#pending = pending;
        this.#push({ type: 'outbox', pending });
      },
      now: deps.now,
      setTimer: deps.setTimer,
      log: deps.log,
    });
  }

  /** Loads the outbox; replays it once the relay socket is open. */
  async start(): Promise<void> {
    await this.#outbox.start();
    if (this.#d.relay.isOpen()) this.#outbox.drain();
  }

  /** Actions waiting for the relay. */
  get pending(): number {
    return this.#pending;
  }

  /** Calls `listener` with every push; returns the unsubscribe function. */
  subscribe(listener: (push: DataPush) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs one data request. Never throws. */
  async handle(request: DataRequest): Promise<DataReply> {
    try {
      switch (request.type) {
        case 'relay':
          return await this.#proxy(request.request.type, request.request.params);
        case 'action':
          return { ok: true, result: await this.#action(request.params) };
        case 'markAllRead':
          return { ok: true, result: await this.#outbox.submitMarkAllRead(request.params) };
        case 'cache.list':
          return { ok: true, result: await this.#d.cache.getList(request.scope) };
        case 'message.open':
          return await this.#openMessage(request.messageId);
        case 'message.prefetch': {
          // Never waits for a connection and never fails: the open itself will fetch and report.
          if (!this.#d.relay.isOpen()) return { ok: true, result: { fetched: false } };
          const fetched = await this.#openMessage(request.messageId).then(
            (reply) => reply.ok,
            () => false,
          );
          return { ok: true, result: { fetched } };
        }
        case 'openLink':
          return await this.#openLink(request.url);
        case 'download':
          return await this.#download(request.messageId, request.attachment);
      }
    } catch (error) {
      this.#d.log.error(`data request ${request.type} failed`, error);
      return fail(error);
    }
  }

  /** Relay events: keep the cache in step and tell the UI. */
  onEvent(event: ServerEvent): void {
    if (event.event === 'message.new' || event.event === 'message.flags' || event.event === 'message.expunged') {
      void this.#d.cache.applyEvent(event);
    }
    if (FORWARDED_EVENTS.has(event.event)) this.#push({ type: 'event', event });
  }

  /** Connection and pairing changes: replay the outbox on open, forget everything on unpair. */
  onSnapshot(snapshot: Snapshot): void {
    const open = snapshot.connection.status === 'open';
    if (open && !this.#wasOpen) this.#outbox.drain();
    this.#wasOpen = open;
    const { status } = snapshot.connection;
    // A first attempt (or the idle moment before it) is worth waiting for; a retry after a
    // failure is not: the relay is down and the UI should say so now.
    this.#connecting =
      snapshot.pairing.status === 'paired' &&
      (status === 'idle' || (snapshot.connection.status === 'connecting' && snapshot.connection.attempt === 0));
    if (open || !this.#connecting) {
      for (const resolve of [...this.#openWaiters]) resolve(open);
    }
    const device = snapshot.pairing.status === 'paired' ? snapshot.pairing.deviceId : null;
    if (this.#device !== undefined && this.#device !== null && device !== this.#device) {
      // Unpaired, revoked or paired as another device: that mail is not this pairing's to show.
      this.#d.log.info('pairing ended: clearing the mail cache and the outbox');
      void this.#d.cache.clear();
      void this.#outbox.clear();
    }
    this.#device = device;
  }

  /** Resolves when cache and outbox writes so far have landed (tests). */
  async flush(): Promise<void> {
    await this.#outbox.flush();
    await this.#d.cache.flush();
  }

  // ------------------------------------------------------------ requests

  async #proxy(type: string, rawParams: unknown): Promise<DataReply> {
    if (!isRequestType(type))
      return { ok: false, error: { code: 'UNKNOWN_TYPE', message: `unknown request "${type}"` } };
    const refused = NOT_PROXIED[type];
    if (refused) return { ok: false, error: { code: 'BAD_REQUEST', message: refused } };
    const params = requests[type].params.safeParse(rawParams ?? {});
    if (!params.success) {
      return {
        ok: false,
        error: { code: 'BAD_REQUEST', message: `invalid params for ${type}: ${params.error.message}` },
      };
    }
    if (!this.#d.relay.isOpen()) await this.#whenOpen();
    const ask = <T extends RequestType>(t: T, p: RequestParams<T>): Promise<RequestResult<T>> => {
      const asked = this.#d.relay.request(t, p);
      this.#d.onRelayAsked?.(t);
      return asked;
    };
    // The relay client has checked each result against its request's schema (RelayAccess), so
    // results are not parsed again here. The params schema was chosen by `type`, so the parsed
    // value is that type's params; TypeScript cannot correlate the two through the union, hence
    // the assertions.
    switch (type) {
      case 'messages.list': {
        const p = params.data as RequestParams<'messages.list'>;
        const page = this.#overlay(await ask(type, p));
        await this.#d.cache.putPage(p.scope, page, { first: p.cursor === null });
        return { ok: true, result: page };
      }
      case 'messages.search': {
        const p = params.data as RequestParams<'messages.search'>;
        return { ok: true, result: this.#overlay(await ask(type, p)) };
      }
      case 'message.get': {
        const message = await ask(type, params.data as RequestParams<'message.get'>);
        void this.#d.cache.putMessage(message);
        return { ok: true, result: message };
      }
      default:
        return { ok: true, result: await ask(type, params.data as RequestParams<typeof type>) };
    }
  }

  /**
   * Cache, else relay, in one request: a miss goes on to the relay from here at once, not after
   * the popup (busy drawing the message screen) has read the miss (issue 10). An open while the
   * same message is being fetched (a prefetch, a double click) waits for that fetch instead of
   * asking the relay again.
   */
  async #openMessage(id: MessageId): Promise<DataReply> {
    const key = messageKey(id);
    const inFlight = this.#fetching.get(key);
    if (inFlight) return await inFlight;
    const cached = await this.#d.cache.getMessage(id);
    if (cached) return { ok: true, result: cached.message };
    let fetching = this.#fetching.get(key);
    if (!fetching) {
      fetching = this.#proxy('message.get', { id }).finally(() => this.#fetching.delete(key));
      this.#fetching.set(key, fetching);
    }
    return await fetching;
  }

  /** Waits up to Limits.relayConnectWaitMs while the socket is on its first attempt. */
  #whenOpen(): Promise<boolean> {
    if (!this.#connecting) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (open: boolean): void => {
        this.#openWaiters.delete(done);
        cancel();
        resolve(open);
      };
      const cancel = this.#d.setTimer(() => done(false), Limits.relayConnectWaitMs);
      this.#openWaiters.add(done);
    });
  }

  /** Rows as they will be once queued actions land, so a refresh does not undo what the user did. */
  #overlay<L extends { rows: MessageRow[] }>(list: L): L {
    let rows = list.rows;
    for (const entry of this.#outbox.entries) {
      const ids = isActionEntry(entry)
        ? entry.ids
        : rows.filter((r) => r.id.accountId === entry.accountId && r.id.mailbox === entry.mailbox).map((r) => r.id);
      rows = applyAction(rows, ids, isActionEntry(entry) ? entry.action : { kind: 'seen', value: true });
    }
    return rows === list.rows ? list : { ...list, rows };
  }

  async #action(params: ActionParams): Promise<ActionResult> {
    await this.#d.cache.applyAction(params.ids, params.action);
    return await this.#outbox.submit(params);
  }

  async #openLink(url: string): Promise<DataReply> {
    const safe = checkLink(url);
    if (!safe) {
      return {
        ok: false,
        error: { code: 'BAD_REQUEST', message: 'Only web (https, http) and mailto links can be opened.' },
      };
    }
    await this.#d.openTab(safe);
    return { ok: true, result: null };
  }

  async #download(id: MessageId, attachment: { partId: string; filename: string }): Promise<DataReply> {
    const access = this.#d.relay.httpAccess();
    if (!access) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'This browser is not paired.' } };
    const query = new URLSearchParams({
      accountId: id.accountId,
      mailbox: id.mailbox,
      uidValidity: id.uidValidity,
      uid: String(id.uid),
      partId: attachment.partId,
    });
    const saved = safeFilename(attachment.filename);
    try {
      await this.#d.download({
        url: `${access.httpBase}${RelayPaths.attachment}?${query.toString()}`,
        headers: [{ name: 'Authorization', value: `Bearer ${access.token}` }],
        filename: saved.filename,
      });
    } catch (error) {
      // The browser refused before anything reached the relay: no relay code, so the popup
      // does not blame the server.
      this.#d.log.warn('the browser refused a download', error);
      return { ok: false, error: { message: `The browser refused to save "${saved.filename}".` } };
    }
    return { ok: true, result: saved };
  }

  // ------------------------------------------------------------ outbox results

  #onSettled(entry: OutboxEntry, result: Exclude<ActionResult, { status: 'queued' }>): void {
    const ids = isActionEntry(entry) ? entry.ids : [];
    const failed = result.status === 'failed' ? ids : result.outcomes.filter((o) => !o.ok).map((o): MessageId => o.id);
    if (failed.length > 0) {
      // The cache showed the optimistic result; drop the lists involved so the next open refetches.
      void this.#d.cache.forgetListsHolding(failed);
    }
    this.#push({ type: 'action', actionId: entry.actionId, result });
  }

  #push(push: DataPush): void {
    for (const listener of this.#listeners) {
      try {
        listener(push);
      } catch (error) {
        this.#d.log.error('data push listener threw', error);
      }
    }
  }
}

function fail(error: unknown): DataReply {
  if (error instanceof TidingsError) return { ok: false, error: { code: error.code, message: error.message } };
  return { ok: false, error: { code: 'INTERNAL', message: error instanceof Error ? error.message : String(error) } };
}
