import type { AccountSummary } from '../../shared/index.js';
import { computeBadge, type Badge } from './badge.js';
import type { Logger } from './log.js';
import type { UiReply, UiRequest } from './messages.js';
import { checkPairingCode, pairWithRelay, type FetchLike } from './pairing.js';
import { RelayClient, type CreateSocket, type SetTimer } from './relay-client.js';
import { checkRelayUrl } from './relay-url.js';
import type { ConnectionState, Snapshot } from './snapshot.js';
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
}

/**
 * Everything the service worker does, without `browser.*`: loads and persists state, owns the
 * relay client, keeps the badge in step, and answers the UI. `entrypoints/background.ts` wires
 * it to the real browser APIs; tests wire it to fakes.
 *
 * Every change goes through `#publish`, which recomputes the snapshot, sets the badge and pushes
 * the snapshot to every open UI port.
 */
export class BackgroundController {
  #stored: StoredState = { ...defaultStoredState };
  #connection: ConnectionState = { status: 'idle' };
  #client: RelayClient | null = null;
  #listeners = new Set<(snapshot: Snapshot) => void>();
  #ready: Promise<void> | null = null;
  #pairing = false;
  #lastBadge = '';
  #writes: Promise<void> = Promise.resolve();
  readonly #d: BackgroundControllerDeps;

  constructor(deps: BackgroundControllerDeps) {
    this.#d = deps;
  }

  /** Loads stored state, shows it on the badge, and connects if paired. Idempotent. */
  start(): Promise<void> {
    this.#ready ??= this.#load();
    return this.#ready;
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
    };
  }

  /** Calls `listener` with the snapshot after every change; returns the unsubscribe function. */
  subscribe(listener: (snapshot: Snapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
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
        this.#unpair();
        return { ok: true };
      case 'reconnect':
        this.#ensureConnected();
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
    let raw: unknown;
    try {
      raw = await this.#d.store.get(STORAGE_KEY);
    } catch (error) {
      this.#d.log.error('reading stored state failed; starting unpaired', error);
    }
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
    const endpoints = checkRelayUrl(relayUrl);
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
    } else {
      this.#connection = state;
    }
    this.#publish();
  }

  #onSync(accounts: AccountSummary[], lastSeq: number): void {
    this.#stored = { ...this.#stored, accounts, lastSeq, accountsAt: this.#d.now() };
    this.#persist();
    this.#publish();
  }

  async #pair(relayUrlInput: string, codeInput: string): Promise<UiReply> {
    const url = checkRelayUrl(relayUrlInput);
    if (!url.ok) return { ok: false, error: { field: 'relayUrl', message: url.message } };
    const code = checkPairingCode(codeInput);
    if (!code.ok) return { ok: false, error: { field: 'code', message: code.message } };
    if (this.#pairing) return { ok: false, error: { message: 'Pairing is already in progress.' } };
    this.#pairing = true;
    try {
      const outcome = await pairWithRelay({
        pairUrl: url.endpoints.pairUrl,
        relayUrl: url.endpoints.url,
        code: code.code,
        label: await this.#d.deviceLabel(),
        fetch: this.#d.fetch,
      });
      if (!outcome.ok) return outcome;
      this.#stopClient();
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
  #unpair(): void {
    this.#stopClient();
    this.#stored = { ...this.#stored, pairing: null, revoked: false, lastSeq: null, accounts: [], accountsAt: null };
    this.#persist();
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
  flush(): Promise<void> {
    return this.#writes;
  }

  #publish(): void {
    const snapshot = this.snapshot();
    const badge = computeBadge(snapshot);
    const key = JSON.stringify(badge);
    if (key !== this.#lastBadge) {
      this.#lastBadge = key;
      this.#d.setBadge(badge).catch((error: unknown) => this.#d.log.warn('setting the badge failed', error));
    }
    for (const listener of this.#listeners) {
      try {
        listener(snapshot);
      } catch (error) {
        this.#d.log.error('snapshot listener threw', error);
      }
    }
  }
}
