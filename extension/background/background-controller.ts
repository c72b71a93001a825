// Just over 400 lines: the worker's one controller (pairing, relay lifecycle, snapshot, badge);
// its parts are already delegated (relay-client, badge, new-mail, stored-state).
import {
  DEFAULT_USER_SETTINGS,
  RelayPaths,
  TidingsError,
  userSettingsSchema,
  type AccountSummary,
  type RequestParams,
  type RequestResult,
  type RequestType,
  type ServerEvent,
  type UserSettings,
} from '../../shared/index.js';
import { computeBadge, type Badge } from './badge.js';
import type { Translate } from '../i18n/i18n.js';
import type { Logger } from '../core/log.js';
import type { UiReply, UiRequest } from '../ui-protocol/messages.js';
import { NEW_MAIL_STORAGE_KEY, NewMailTracker } from './new-mail.js';
import { checkPairingCode, pairWithRelay, type FetchLike } from '../core/pairing.js';
import type { SetTimer } from '../core/timer.js';
import { RelayClient, type CreateSocket } from './relay-client.js';
import { checkRelayUrl } from '../core/relay-url.js';
import type { ConnectionState, Snapshot } from '../ui-protocol/snapshot.js';
import {
  defaultStoredState,
  parseStoredState,
  STORAGE_KEY,
  type KeyValueStore,
  type StoredState,
} from './stored-state.js';

export interface BackgroundControllerDeps {
  store: KeyValueStore;
  setBadge: (badge: Badge) => Promise<void>;
  createSocket: CreateSocket;
  fetch: FetchLike;
  now: () => number;
  setTimer: SetTimer;
  random: () => number;
  /** Name this browser gives itself when pairing, e.g. "Chrome on mac". */
  deviceLabel: () => Promise<string>;
  log: Logger;
  /** The browser's language, for the badge tooltip and pairing errors (i18n/i18n.ts `t`). */
  t: Translate;
  /** Localized number formatting for the badge tooltip; default `String`. */
  formatNumber?: (n: number) => string;
  /**
   * Storage that lives as long as the browser session (`storage.session`), for the badge's
   * "new since the popup was last opened" set. Without it the set lives only in memory.
   */
  sessionStore?: KeyValueStore;
}

/** The `storage.local` key of the user's settings as last received from the relay. */
export const SETTINGS_STORAGE_KEY = 'tidings.settings.v1';

/** The `storage.local` flag set once the options page was opened for a new user. */
export const WELCOMED_STORAGE_KEY = 'tidings.welcomed.v1';

/** A change of the relay clock offset smaller than this is not worth a new snapshot. */
const CLOCK_OFFSET_PUBLISH_MS = 1_000;

/**
 * Everything the service worker does, without `browser.*`: loads and persists state, owns the
 * relay client, keeps the badge in step, and answers the UI. `entrypoints/background.ts` wires
 * it to the real browser APIs; tests wire it to fakes.
 *
 * Every change goes through `#publish`, which recomputes the snapshot, pushes it to every open UI
 * port and sets the badge.
 */
export class BackgroundController {
  #stored: StoredState = { ...defaultStoredState };
  #connection: ConnectionState = { status: 'idle' };
  /** Relay clock minus ours (ms); 0 until the relay says its time. */
  #clockOffsetMs = 0;
  #client: RelayClient | null = null;
  #listeners = new Set<(snapshot: Snapshot) => void>();
  /** Open UI pages (popup, options), as counted by `attachUi`; not the worker's own subscribers. */
  #uiPorts = 0;
  #ready: Promise<void> | null = null;
  #pairing = false;
  #lastBadge = '';
  #writes: Promise<void> = Promise.resolve();
  /** The relay's per-user settings (badge mode, notifications); cached for the next worker start. */
  #settings: UserSettings = DEFAULT_USER_SETTINGS;
  readonly #newMail = new NewMailTracker();
  #sessionWrites: Promise<void> = Promise.resolve();
  #eventListeners = new Set<(event: ServerEvent) => void>();
  readonly #d: BackgroundControllerDeps;

  constructor(deps: BackgroundControllerDeps) {
    this.#d = deps;
  }

  /** Loads stored state, shows it on the badge, and connects if paired. Idempotent. */
  start(): Promise<void> {
    this.#ready ??= this.#load();
    return this.#ready;
  }

  /**
   * Whether to open the options page after `runtime.onInstalled`: once, on a first install while
   * this browser is not paired, so a new user lands on the setup page rather than an empty popup.
   * Updates open nothing, and neither does a browser that re-installs an extension loaded from
   * the command line on every start.
   */
  async welcomeOnInstall(reason: string): Promise<boolean> {
    if (reason !== 'install') return false;
    await this.start();
    if (this.snapshot().pairing.status !== 'unpaired') return false;
    if ((await this.#d.store.get(WELCOMED_STORAGE_KEY)) === true) return false;
    await this.#d.store.set(WELCOMED_STORAGE_KEY, true);
    return true;
  }

  snapshot(): Snapshot {
    const s = this.#stored;
    return {
      relayUrl: s.relayUrl,
      pairing: s.pairing
        ? { status: 'paired', deviceId: s.pairing.deviceId }
        : { status: 'unpaired', revoked: s.revoked },
      connection: this.#connection,
      accounts: s.accounts,
      accountsAt: s.accountsAt,
      clockOffsetMs: this.#clockOffsetMs,
    };
  }

  /** Calls `listener` with the snapshot after every change; returns the unsubscribe function. */
  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Marks a UI page (popup, options) as open until the returned function is called: while one is,
   * a lost relay connection is retried on a short backoff (the user is looking). The worker's own
   * subscribers (mail service, health notifier) do not count.
   */
  attachUi(): () => void {
    this.#uiPorts++;
    let attached = true;
    return () => {
      if (!attached) return;
      attached = false;
      this.#uiPorts--;
    };
  }

  /** The user's settings as last received from the relay (defaults until then). */
  get settings(): UserSettings {
    return this.#settings;
  }

  /**
   * Calls `listener` with every relay event after the controller applied it (badge, settings);
   * returns the unsubscribe function. Notifications and UI event forwarding hang off this.
   */
  subscribeEvents(listener: (event: ServerEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /**
   * Sends one request to the relay on the open socket. Rejects with a `TidingsError`
   * (`UNREACHABLE` when not paired or not connected).
   */
  async relayRequest<T extends RequestType>(type: T, params: RequestParams<T>): Promise<RequestResult<T>> {
    await this.start();
    if (!this.#client) throw new TidingsError('UNREACHABLE', 'not paired with a relay');
    return await this.#client.request(type, params);
  }

  /**
   * The relay's http(s) base URL and the device token, for requests outside the socket (the
   * attachment download route, `Authorization: Bearer`). Null when unpaired. Background only:
   * the token never goes to a page.
   */
  relayHttpAccess(): { httpBase: string; token: string } | null {
    const { pairing, relayUrl } = this.#stored;
    if (!pairing) return null;
    const checked = checkRelayUrl(relayUrl, this.#d.t);
    if (!checked.ok) return null;
    const pair = checked.endpoints.pairUrl;
    return { httpBase: pair.slice(0, pair.length - RelayPaths.pair.length), token: pairing.token };
  }

  /** Runs one UI request. Never throws: failures come back as `{ ok: false, error }`. */
  async handle(request: UiRequest): Promise<UiReply> {
    await this.start();
    switch (request.type) {
      case 'getState':
        return { ok: true };
      case 'pair':
        return this.#pair(request.relayUrl, request.code);
      case 'unpair':
        await this.#unpair();
        return { ok: true };
      case 'reconnect':
        this.#ensureConnected();
        return { ok: true };
      case 'popupOpened':
        // The user is looking: skip a pending backoff delay (issue 8, fast recovery).
        this.#ensureConnected();
        // The user has looked: the badge's "new" count starts again from zero.
        if (this.#newMail.reset()) {
          this.#persistNewMail();
          this.#publish();
        }
        return { ok: true };
    }
  }

  /**
   * The periodic alarm: connects if paired and the socket is not open. After the browser stopped
   * the worker, the alarm's event starts a fresh one whose `start()` connects; this covers a
   * worker that is still running with a client stuck in backoff.
   */
  async onAlarm(): Promise<void> {
    await this.start();
    this.#ensureConnected();
  }

  // ------------------------------------------------------------ internals

  async #load(): Promise<void> {
    // The reads are independent: in parallel, as a woken worker's first answer waits for them.
    const [raw] = await Promise.all([
      this.#d.store.get(STORAGE_KEY).catch((error: unknown) => {
        this.#d.log.error('reading stored state failed; starting unpaired', error);
        return undefined;
      }),
      this.#loadExtras(),
    ]);
    const { state, problems } = parseStoredState(raw);
    if (problems.length > 0)
      this.#d.log.warn(`stored state had invalid fields, reset to defaults: ${problems.join(', ')}`);
    this.#stored = state;
    this.#publish();
    this.#startClient();
  }

  #ensureConnected(): void {
    if (!this.#stored.pairing) return;
    if (this.#client) this.#client.reconnect();
    else this.#startClient();
  }

  #startClient(): void {
    const { pairing, relayUrl, lastSeq, accounts } = this.#stored;
    if (!pairing || this.#client) return;
    const endpoints = checkRelayUrl(relayUrl, this.#d.t);
    if (!endpoints.ok) {
      // parseStoredState only keeps valid URLs, so this is a bug, not a user error.
      this.#d.log.error(`stored relay URL is invalid: ${endpoints.message}`);
      return;
    }
    const client: RelayClient = new RelayClient({
      url: endpoints.endpoints.socketUrl,
      token: pairing.token,
      lastSeq,
      accounts,
      createSocket: this.#d.createSocket,
      now: this.#d.now,
      setTimer: this.#d.setTimer,
      random: this.#d.random,
      log: this.#d.log,
      onState: (state) => {
        if (this.#client === client) this.#onClientState(state);
      },
      onSync: ({ accounts: next, lastSeq: seq }) => {
        if (this.#client === client) this.#onSync(next, seq);
      },
      onEvent: (event) => {
        if (this.#client === client) this.#onEvent(event);
      },
      uiOpen: () => this.#uiPorts > 0,
      onClock: (offsetMs) => {
        // Only a change the user could see (a second) is published, not every pong's jitter.
        if (this.#client !== client || Math.abs(offsetMs - this.#clockOffsetMs) < CLOCK_OFFSET_PUBLISH_MS) return;
        this.#clockOffsetMs = offsetMs;
        this.#publish();
      },
    });
    this.#client = client;
    client.start();
  }

  #stopClient(): void {
    const client = this.#client;
    // Detach first so the client's final `idle` transition is not taken for news.
    this.#client = null;
    client?.stop();
    this.#connection = { status: 'idle' };
  }

  #onClientState(state: ConnectionState): void {
    if (state.status === 'unauthorized') {
      // The relay refused the token (revoked, or its data was reset): forget it, stop retrying,
      // and tell the user to pair again. The client has already closed its socket.
      this.#d.log.warn('the relay refused the device token; forgetting it');
      this.#client = null;
      this.#connection = { status: 'idle' };
      this.#stored = { ...this.#stored, pairing: null, revoked: true, lastSeq: null, accounts: [], accountsAt: null };
      this.#persist();
      this.#forgetRelayState();
    } else {
      this.#connection = state;
      if (state.status === 'open') void this.#refreshSettings(this.#client);
    }
    this.#publish();
  }

  #onSync(accounts: AccountSummary[], lastSeq: number): void {
    this.#stored = { ...this.#stored, accounts, lastSeq, accountsAt: this.#d.now() };
    this.#persist();
    if (this.#newMail.retainAccounts(accounts)) this.#persistNewMail();
    this.#publish();
  }

  /** One relay event, after the client applied it to the account list (onSync follows for those). */
  #onEvent(event: ServerEvent): void {
    if (event.event === 'settings.changed') this.#setSettings(event.payload.settings);
    if (this.#newMail.apply(event)) {
      this.#persistNewMail();
      this.#publish();
    }
    for (const listener of this.#eventListeners) {
      try {
        listener(event);
      } catch (error) {
        this.#d.log.error('event listener threw', error);
      }
    }
  }

  /** Reads the settings after every (re)connect: a settings.changed may have been missed. */
  async #refreshSettings(client: RelayClient | null): Promise<void> {
    if (!client) return;
    try {
      const { settings } = await client.request('settings.get', {});
      if (this.#client === client) this.#setSettings(settings);
    } catch (error) {
      // An older relay without settings, or a socket that dropped: the cached settings stay.
      this.#d.log.info(`could not read the settings from the relay: ${String(error)}`);
    }
  }

  #setSettings(settings: UserSettings): void {
    if (JSON.stringify(settings) === JSON.stringify(this.#settings)) return;
    this.#settings = settings;
    this.#writes = this.#writes
      .then(() => this.#d.store.set(SETTINGS_STORAGE_KEY, settings))
      .catch((error: unknown) => this.#d.log.error('saving settings failed', error));
    this.#publish();
  }

  /** Settings (local) and the "new mail" set (session) are read once at start; bad data is dropped. */
  async #loadExtras(): Promise<void> {
    const [settings, newMail] = await Promise.all([
      this.#d.store.get(SETTINGS_STORAGE_KEY).catch((error: unknown) => {
        this.#d.log.warn('reading cached settings failed; using defaults', error);
        return undefined;
      }),
      (async () => await this.#d.sessionStore?.get(NEW_MAIL_STORAGE_KEY))().catch((error: unknown) => {
        this.#d.log.warn('reading the new-mail set failed; starting from zero', error);
        return undefined;
      }),
    ]);
    const parsed = userSettingsSchema.safeParse(settings);
    if (parsed.success) this.#settings = parsed.data;
    this.#newMail.restore(newMail);
  }

  #persistNewMail(): void {
    const store = this.#d.sessionStore;
    if (!store) return;
    const value = this.#newMail.toJSON();
    this.#sessionWrites = this.#sessionWrites
      .then(() => store.set(NEW_MAIL_STORAGE_KEY, value))
      .catch((error: unknown) => this.#d.log.warn('saving the new-mail set failed', error));
  }

  /** Pairing ended: what belonged to that relay's user goes too. */
  #forgetRelayState(): void {
    if (this.#newMail.reset()) this.#persistNewMail();
    this.#settings = DEFAULT_USER_SETTINGS;
    this.#writes = this.#writes
      .then(() => this.#d.store.set(SETTINGS_STORAGE_KEY, null))
      .catch((error: unknown) => this.#d.log.error('clearing settings failed', error));
  }

  async #pair(relayUrlInput: string, codeInput: string): Promise<UiReply> {
    const { t } = this.#d;
    const url = checkRelayUrl(relayUrlInput, t);
    if (!url.ok) return { ok: false, error: { field: 'relayUrl', message: url.message } };
    const code = checkPairingCode(codeInput, t);
    if (!code.ok) return { ok: false, error: { field: 'code', message: code.message } };
    if (this.#pairing) return { ok: false, error: { message: t('pair_inProgress') } };
    this.#pairing = true;
    try {
      const outcome = await pairWithRelay({
        pairUrl: url.endpoints.pairUrl,
        relayUrl: url.endpoints.url,
        code: code.code,
        label: await this.#d.deviceLabel(),
        fetch: this.#d.fetch,
        t,
      });
      if (!outcome.ok) return outcome;
      this.#stopClient();
      this.#forgetRelayState();
      this.#stored = {
        relayUrl: url.endpoints.url,
        pairing: { token: outcome.token, deviceId: outcome.deviceId },
        revoked: false,
        lastSeq: null,
        accounts: [],
        accountsAt: null,
      };
      this.#persist();
      this.#d.log.info(`paired with ${url.endpoints.url} as device ${outcome.deviceId}`);
      this.#startClient();
      this.#publish();
      return { ok: true };
    } finally {
      this.#pairing = false;
    }
  }

  /**
   * Forgets the token locally. The relay keeps the device until it is revoked there
   * (`npm run relay -- devices …`); protocol v1 has no "unpair me" request.
   */
  /**
   * Revokes this device on the relay (`devices.revokeSelf`, issue 8) so its token stops working,
   * then forgets the token. When the relay cannot be reached the token is forgotten anyway (the
   * user asked to unpair; the device stays listed on the relay until revoked there) and that is logged.
   */
  async #unpair(): Promise<void> {
    const client = this.#client;
    if (client?.state.status === 'open') {
      try {
        await client.request('devices.revokeSelf', {});
      } catch (error) {
        this.#d.log.warn('unpair: the relay did not revoke this device; forgetting its token anyway', error);
      }
    }
    this.#stopClient();
    this.#stored = { ...this.#stored, pairing: null, revoked: false, lastSeq: null, accounts: [], accountsAt: null };
    this.#persist();
    this.#forgetRelayState();
    this.#publish();
  }

  /** Writes are chained so they land in order; a failed write is logged, the next one retries all. */
  #persist(): void {
    const value = { ...this.#stored };
    this.#writes = this.#writes
      .then(() => this.#d.store.set(STORAGE_KEY, value))
      .catch((error: unknown) => this.#d.log.error('saving state failed', error));
  }

  /** Resolves when every write so far has landed (for tests and orderly shutdown). */
  async flush(): Promise<void> {
    await Promise.all([this.#writes, this.#sessionWrites]);
  }

  #publish(): void {
    const snapshot = this.snapshot();
    // The open UIs first: a woken worker's first snapshot is what a waiting popup shows, and the
    // badge's text and tooltip can follow a few milliseconds later.
    for (const listener of this.#listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        this.#d.log.error('snapshot listener threw', error);
      }
    }
    const badge = computeBadge(snapshot, {
      t: this.#d.t,
      formatNumber: this.#d.formatNumber,
      settings: this.#settings.badge,
      newCounts: this.#newMail.counts(snapshot.accounts),
    });
    const key = JSON.stringify(badge);
    if (key !== this.#lastBadge) {
      this.#lastBadge = key;
      this.#d.setBadge(badge).catch((error: unknown) => this.#d.log.warn('setting the badge failed', error));
    }
  }
}
