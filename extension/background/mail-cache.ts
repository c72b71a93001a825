/**
 * The background's cache of message lists and recently opened messages, so the popup can show
 * something the moment it opens (and while the relay is unreachable) before fresh data arrives.
 *
 * Bounded (shared/limits.ts): `cacheRowsPerScope` newest rows per list scope, `cacheScopes`
 * scopes and `cacheBodies` bodies, least recently used dropped first. Storage is a small
 * key-value interface (`CacheStore`): IndexedDB in the extension (mail-cache-idb.ts), a Map in
 * tests. What comes back from storage is parsed like any other boundary; a bad entry is dropped.
 *
 * Mail content sits unencrypted in the profile, like any mail client's cache; `clear()` runs on
 * unpair and when the relay says the event stream cannot be resumed. Under "Keep no mail on this
 * device" the store is the worker's memory instead (device-cache-store.ts).
 */
import { z } from 'zod/mini';
import {
  Limits,
  listScopeSchema,
  messageKey,
  messageRowSchema,
  requests,
  type EventPayload,
  type ListScope,
  type MailAction,
  type MessageId,
  type MessageRow,
} from '../../shared/index.js';
import type { Logger } from '../core/log.js';
import type { MessageDetail } from '../ui-protocol/data-messages.js';
import {
  appendPage,
  applyAction,
  applyExpunged,
  applyFlags,
  applyNew,
  scopeHolds,
  scopeKey,
} from '../core/message-list.js';

export type CacheArea = 'lists' | 'bodies' | 'meta';

/** Raw persistent storage with three areas. Values must survive structured cloning. */
export interface CacheStore {
  get(area: CacheArea, key: string): Promise<unknown>;
  put(area: CacheArea, key: string, value: unknown): Promise<void>;
  delete(area: CacheArea, key: string): Promise<void>;
  /** Every value of an area (lists only: at most `cacheScopes` entries). */
  values(area: CacheArea): Promise<unknown[]>;
  clear(): Promise<void>;
  /** Starts opening the storage ahead of the first operation (a woken worker's first read waits for it). */
  prepare?(): void;
}

export interface CachedList {
  scope: ListScope;
  rows: MessageRow[];
  /** Messages in scope as the relay last reported (for the scroll extent). */
  total: number;
  /** Epoch ms of the last page from the relay. */
  at: number;
}

export interface CachedMessage {
  message: MessageDetail;
  at: number;
}

const cachedListSchema = z.object({
  scope: listScopeSchema,
  rows: z.array(messageRowSchema),
  total: z.int().check(z.nonnegative()),
  at: z.number(),
});
const cachedMessageSchema = z.object({ message: requests['message.get'].result, at: z.number() });
const lruSchema = z.object({ lists: z.array(z.string()), bodies: z.array(z.string()) });
type Lru = z.infer<typeof lruSchema>;

const LRU_KEY = 'lru';

export interface MailCacheOptions {
  store: CacheStore;
  now: () => number;
  log: Logger;
  /** Overrides for tests; default from Limits. */
  rowsPerScope?: number;
  scopes?: number;
  bodies?: number;
}

/**
 * @example
 * const cache = new MailCache({ store: idbCacheStore(), now: Date.now, log });
 * await cache.putPage({ kind: 'unified' }, page, { first: true });
 * const list = await cache.getList({ kind: 'unified' });
 */
export class MailCache {
  readonly #o: MailCacheOptions;
  readonly #rowsPerScope: number;
  readonly #maxScopes: number;
  readonly #maxBodies: number;
  /** Every stored list, loaded once; the source of truth while the worker lives. */
  #lists: Map<string, CachedList> | null = null;
  #loading: Promise<Map<string, CachedList>> | null = null;
  #lru: Lru | null = null;
  /** Writes run one after another, in the order they were asked for. */
  #writes: Promise<void> = Promise.resolve();

  constructor(options: MailCacheOptions) {
    this.#o = options;
    this.#rowsPerScope = options.rowsPerScope ?? Limits.cacheRowsPerScope;
    this.#maxScopes = options.scopes ?? Limits.cacheScopes;
    this.#maxBodies = options.bodies ?? Limits.cacheBodies;
  }

  async getList(scope: ListScope): Promise<CachedList | null> {
    const key = scopeKey(scope);
    const lists = await this.#loadLists();
    const list = lists.get(key) ?? null;
    if (list) this.#touch('lists', key);
    return list;
  }

  /**
   * Stores a page from the relay. The first page (no cursor) replaces what was cached: rows that
   * were cached after it may be stale. Later pages append while the scope has room.
   */
  async putPage(
    scope: ListScope,
    page: { rows: readonly MessageRow[]; total: number },
    options: { first: boolean },
  ): Promise<void> {
    const key = scopeKey(scope);
    const lists = await this.#loadLists();
    const old = lists.get(key);
    if (!options.first && !old) return;
    const rows = options.first || !old ? [...page.rows] : appendPage(old.rows, page.rows);
    this.#setList(key, { scope, rows: rows.slice(0, this.#rowsPerScope), total: page.total, at: this.#o.now() });
  }

  async getMessage(id: MessageId): Promise<CachedMessage | null> {
    const key = messageKey(id);
    // The cache index (in memory once loaded) lists every stored body: a message that is not in
    // it is a miss without a read of the store, which on a message's first open would otherwise
    // delay the relay's fetch by an IndexedDB transaction (issue 10). A body stored but not yet
    // indexed (its index write is queued behind it) also misses, and is fetched again.
    if (!(await this.#loadLru()).bodies.includes(key)) return null;
    let raw: unknown;
    try {
      raw = await this.#o.store.get('bodies', key);
    } catch (error) {
      this.#o.log.warn('reading a cached message failed', error);
      return null;
    }
    if (raw === undefined) return null;
    const parsed = cachedMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.#write(() => this.#o.store.delete('bodies', key));
      return null;
    }
    this.#touch('bodies', key);
    return parsed.data;
  }

  async putMessage(message: MessageDetail): Promise<void> {
    const key = messageKey(message.id);
    const value: CachedMessage = { message, at: this.#o.now() };
    this.#write(() => this.#o.store.put('bodies', key, value));
    this.#touch('bodies', key);
    await this.#writes;
  }

  /** Applies a relay event to every cached list (and the flags of a cached body). */
  async applyEvent(
    event:
      | { event: 'message.new'; payload: EventPayload<'message.new'> }
      | { event: 'message.flags'; payload: EventPayload<'message.flags'> }
      | { event: 'message.expunged'; payload: EventPayload<'message.expunged'> },
  ): Promise<void> {
    const lists = await this.#loadLists();
    for (const [key, list] of lists) {
      const rows =
        event.event === 'message.new'
          ? applyNew(list.rows, list.scope, event.payload)
          : event.event === 'message.flags'
            ? applyFlags(list.rows, event.payload)
            : applyExpunged(list.rows, event.payload);
      if (!sameRows(rows, list.rows)) {
        const delta =
          event.event === 'message.new'
            ? rows.length - list.rows.length
            : event.event === 'message.expunged'
              ? rows.length - list.rows.length
              : 0;
        this.#setList(key, {
          ...list,
          rows: rows.slice(0, this.#rowsPerScope),
          total: Math.max(0, list.total + delta),
        });
      }
    }
    if (event.event === 'message.flags') {
      const cached = await this.getMessage(event.payload.id);
      if (cached) {
        const value: CachedMessage = { ...cached, message: { ...cached.message, flags: event.payload.flags } };
        this.#write(() => this.#o.store.put('bodies', messageKey(event.payload.id), value));
      }
    }
  }

  /** Applies the optimistic effect of an action to every cached list. */
  async applyAction(ids: readonly MessageId[], action: MailAction): Promise<void> {
    const lists = await this.#loadLists();
    for (const [key, list] of lists) {
      const rows = applyAction(list.rows, ids, action);
      if (!sameRows(rows, list.rows)) {
        this.#setList(key, { ...list, rows, total: Math.max(0, list.total - (list.rows.length - rows.length)) });
      }
    }
  }

  /** Drops a list so the next open shows fresh data only (after a failed action, say). */
  async forgetList(scope: ListScope): Promise<void> {
    const key = scopeKey(scope);
    const lists = await this.#loadLists();
    if (!lists.delete(key)) return;
    this.#write(() => this.#o.store.delete('lists', key));
  }

  /** Drops every list whose scope may hold one of `ids` (stale after a failed action). */
  async forgetListsHolding(ids: readonly MessageId[]): Promise<void> {
    const lists = await this.#loadLists();
    for (const list of [...lists.values()]) {
      if (ids.some((id) => scopeHolds(list.scope, id.accountId, id.mailbox))) await this.forgetList(list.scope);
    }
  }

  async clear(): Promise<void> {
    this.#lists = new Map();
    this.#loading = Promise.resolve(this.#lists);
    this.#lru = { lists: [], bodies: [] };
    this.#write(() => this.#o.store.clear());
    await this.#writes;
  }

  /** Resolves when every write so far has landed. */
  flush(): Promise<void> {
    return this.#writes;
  }

  // ------------------------------------------------------------ internals

  #setList(key: string, list: CachedList): void {
    this.#lists?.set(key, list);
    this.#write(() => this.#o.store.put('lists', key, list));
    this.#touch('lists', key);
  }

  #loadLists(): Promise<Map<string, CachedList>> {
    this.#loading ??= (async () => {
      const lists = new Map<string, CachedList>();
      let raws: unknown[] = [];
      try {
        raws = await this.#o.store.values('lists');
      } catch (error) {
        this.#o.log.warn('reading cached lists failed; starting empty', error);
      }
      for (const raw of raws) {
        const parsed = cachedListSchema.safeParse(raw);
        if (parsed.success) lists.set(scopeKey(parsed.data.scope), parsed.data);
        else this.#o.log.warn('dropped an invalid cached list');
      }
      this.#lists = lists;
      return lists;
    })();
    return this.#loading;
  }

  async #loadLru(): Promise<Lru> {
    if (this.#lru) return this.#lru;
    let raw: unknown;
    try {
      raw = await this.#o.store.get('meta', LRU_KEY);
    } catch (error) {
      this.#o.log.warn('reading the cache index failed', error);
    }
    const parsed = lruSchema.safeParse(raw);
    this.#lru ??= parsed.success ? parsed.data : { lists: [], bodies: [] };
    return this.#lru;
  }

  /** Marks `key` most recently used and evicts past the bound. Runs in the write queue. */
  #touch(area: 'lists' | 'bodies', key: string): void {
    this.#write(async () => {
      const lru = await this.#loadLru();
      const order = [key, ...lru[area].filter((k) => k !== key)];
      const max = area === 'lists' ? this.#maxScopes : this.#maxBodies;
      const evicted = order.splice(max);
      lru[area] = order;
      for (const old of evicted) {
        if (area === 'lists') this.#lists?.delete(old);
        await this.#o.store.delete(area, old);
      }
      await this.#o.store.put('meta', LRU_KEY, lru);
    });
  }

  #write(fn: () => Promise<void>): void {
    this.#writes = this.#writes.then(fn).catch((error: unknown) => this.#o.log.warn('writing the cache failed', error));
  }
}

function sameRows(a: readonly MessageRow[], b: readonly MessageRow[]): boolean {
  return a.length === b.length && a.every((row, i) => row === b[i]);
}

/** A CacheStore in memory (tests, and a fallback when IndexedDB cannot be opened). */
export function memoryCacheStore(): CacheStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  const k = (area: CacheArea, key: string) => `${area}\u0000${key}`;
  return {
    data,
    get: async (area, key) => structuredClone(data.get(k(area, key))),
    put: async (area, key, value) => {
      data.set(k(area, key), structuredClone(value));
    },
    delete: async (area, key) => {
      data.delete(k(area, key));
    },
    values: async (area) =>
      [...data.entries()].filter(([key]) => key.startsWith(`${area}\u0000`)).map(([, v]) => structuredClone(v)),
    clear: async () => data.clear(),
  };
}
