/**
 * The message list: which list is shown (a scope, maybe a search), where its rows come from (the
 * background's cache at once, then the relay), paging, and the keyboard focus and selection on
 * its rows. Other parts change rows through `setRows` and keep the focus with `ensureActive`.
 * Rows are shown by date whatever order they arrive in (date-order.ts).
 */
import { z } from 'zod/mini';
import {
  listScopeSchema,
  messageKey,
  messageRowSchema,
  type ListScope,
  type MessageRow,
  type SearchQuery,
} from '../../shared/index.js';
import { scopeKey } from '../core/message-list.js';
import { byDate, mergeByDate } from './date-order.js';
import { mergeResults, searchLocally } from './local-search.js';
import type { PopupChannel, PopupStore } from './popup-store.js';
import type { PopupTexts } from './popup-texts.js';
import type { Toasts } from './popup-toasts.js';
import { EMPTY_SET, loadingList, withStatus, type ListView } from './popup-view.js';

/** Page size of messages.list / messages.search (the protocol's maximum). */
export const PAGE = 50;

const cachedListSchema = z.object({ scope: listScopeSchema, rows: z.array(messageRowSchema), total: z.number() });

export interface ListOptions {
  store: PopupStore;
  channel: PopupChannel;
  texts: PopupTexts;
  toasts: Toasts;
  /** Resolves once the view as it is now has been painted (PopupDeps.afterPaint). */
  afterPaint: () => Promise<void>;
}

/**
 * @example
 * void list.load({ kind: 'unified' }, null);
 * list.move(1); // j
 */
export class ListController {
  readonly #o: ListOptions;
  #gen = 0;
  #inFlight = false;
  /** The focus was placed by the popup, not the user: a fresh list may move it to the top. */
  #autoActive = true;
  /** The last plain list's rows (scopeKey → rows): what a search in it looks through locally. */
  #pool: { scope: string; rows: readonly MessageRow[] } | null = null;

  constructor(options: ListOptions) {
    this.#o = options;
  }

  get #list(): ListView {
    return this.#o.store.view.list;
  }

  /** Shows another list from its first page; the focus and the selection start over. */
  show(scope: ListScope): void {
    this.#autoActive = true;
    this.#o.store.set({ selected: EMPTY_SET, activeKey: null, dialog: null });
    void this.load(scope, null);
  }

  /** Runs a search in the current scope (null: the plain list). */
  search(query: SearchQuery | null): void {
    const list = this.#list;
    if (!list.search) this.#pool = { scope: scopeKey(list.scope), rows: list.rows };
    this.#o.store.set({ selected: EMPTY_SET, activeKey: null });
    void this.load(this.#list.scope, query);
  }

  clearSearch(): void {
    if (this.#list.search) void this.load(this.#list.scope, null);
  }

  /** Reloads the current list from the relay (the Retry buttons). */
  reload(): void {
    void this.load(this.#list.scope, this.#list.search);
  }

  /** The relay is back: reload a list that showed cached rows or failed, unless a load is running. */
  refreshStale(): void {
    const list = this.#list;
    if (!this.#inFlight && (list.fromCache || list.status === 'error')) void this.load(list.scope, list.search);
  }

  /** Loads the next (older) page when the list is scrolled near its end. */
  async loadMore(): Promise<void> {
    const list = this.#list;
    if (!list.nextCursor || list.status !== 'ready' || list.loadingMore) return;
    const { channel, store, toasts, texts } = this.#o;
    const gen = this.#gen;
    store.setList({ ...list, loadingMore: true });
    const reply = list.search
      ? await channel.relay('messages.search', {
          scope: list.scope,
          query: list.search,
          cursor: list.nextCursor,
          limit: PAGE,
        })
      : await channel.relay('messages.list', { scope: list.scope, cursor: list.nextCursor, limit: PAGE });
    if (gen !== this.#gen) return;
    // Only load() changes the status, and it would have moved the generation on.
    const now = this.#list;
    if (now.status !== 'ready') return;
    if (!reply.ok) {
      store.setList({ ...now, loadingMore: false });
      toasts.show('error', texts.t('popup_errLoadMore', texts.error(reply.error)));
      return;
    }
    store.setList({
      ...now,
      rows: mergeByDate(now.rows, reply.value.rows),
      nextCursor: reply.value.nextCursor,
      total: reply.value.total,
      loadingMore: false,
    });
  }

  /**
   * Shows `scope` (cached rows first, then the relay's page). `onAsked` runs once the relay has
   * been asked: after the cached rows are painted, at once when nothing was cached.
   */
  async load(scope: ListScope, search: SearchQuery | null, onAsked?: () => void): Promise<void> {
    const gen = ++this.#gen;
    this.#inFlight = true;
    try {
      await this.#loadNow(gen, scope, search, onAsked);
    } finally {
      if (gen === this.#gen) this.#inFlight = false;
    }
  }

  async #loadNow(gen: number, scope: ListScope, search: SearchQuery | null, onAsked?: () => void): Promise<void> {
    const { channel, store, texts } = this.#o;
    const previous = this.#list;
    const same = scopeKey(previous.scope) === scopeKey(scope) && sameSearch(previous.search, search);
    // A refresh of the same list keeps its rows on screen; another list starts empty.
    store.setList(same ? withStatus(previous, { status: 'loading' }) : loadingList(scope, search));
    const ask = () =>
      search
        ? channel.relay('messages.search', { scope, query: search, cursor: null, limit: PAGE })
        : channel.relay('messages.list', { scope, cursor: null, limit: PAGE });
    // The cached rows first (the background answers them at once). When there are some, the
    // relay's page only refreshes what is on screen, so it is asked for once they are painted:
    // its round trip (the worker, the relay and the IMAP server, on the same few cores as this
    // page) would otherwise run during the page's first build and slow it down (issue 10: the
    // mount took 22 ms instead of 14 in warm opens). With nothing cached, the relay is asked at once.
    if (!search && !(same && previous.rows.length > 0)) {
      const cached = await channel.send({ type: 'cache.list', scope });
      if (gen !== this.#gen) return;
      const parsed = cached.ok ? cachedListSchema.safeParse(cached.result) : null;
      const list = this.#list;
      if (parsed?.success && list.status === 'loading' && parsed.data.rows.length > 0) {
        store.setList({ ...list, rows: byDate(parsed.data.rows), total: parsed.data.total, fromCache: true });
        this.ensureActive();
        await this.#o.afterPaint();
        if (gen !== this.#gen) return;
      } else if (list.status === 'loading' && list.rows.length === 0) {
        store.setList({ ...list, nothingCached: true });
      }
    }
    // A search asks the relay once its local matches are shown.
    const local = search ? await this.#searchLocally(gen, scope, search) : null;
    if (gen !== this.#gen) return;
    const asked = ask();
    onAsked?.();
    const reply = await asked;
    if (gen !== this.#gen) return;
    if (!reply.ok) {
      store.setList(withStatus(this.#list, { status: 'error', error: texts.error(reply.error) }));
      return;
    }
    const { nextCursor } = reply.value;
    const { rows, total } = local
      ? mergeResults(local, reply.value)
      : { ...reply.value, rows: byDate(reply.value.rows) };
    store.setList({ scope, search, rows, nextCursor, total, fromCache: false, status: 'ready', loadingMore: false });
    if (this.#autoActive) store.set({ activeKey: null });
    this.ensureActive();
  }

  /**
   * Matches among the rows the extension has (the last plain list and the background's cached
   * window), folded for case and accents (local-search.ts), shown at once while the server searches.
   */
  async #searchLocally(gen: number, scope: ListScope, search: SearchQuery): Promise<MessageRow[]> {
    const { channel, store } = this.#o;
    const key = scopeKey(scope);
    const cached = await channel.send({ type: 'cache.list', scope });
    const parsed = cached.ok ? cachedListSchema.safeParse(cached.result) : null;
    const pool = [...(this.#pool?.scope === key ? this.#pool.rows : []), ...(parsed?.success ? parsed.data.rows : [])];
    const local = searchLocally(pool, search);
    const list = this.#list;
    if (gen === this.#gen && list.status === 'loading' && local.length > 0) {
      store.setList({ ...list, rows: local, total: local.length, fromCache: true });
      this.ensureActive();
    }
    return local;
  }

  // ------------------------------------------------------------ rows, focus, selection

  /** Replaces the rows (an optimistic action, a rollback, a relay event); the status stays. */
  setRows(rows: readonly MessageRow[], total: number = this.#list.total): void {
    this.#o.store.setList({ ...this.#list, rows, total });
  }

  /** The row with this key in the list, if it is there. */
  row(key: string | null): MessageRow | null {
    return key === null ? null : (this.#list.rows.find((r) => messageKey(r.id) === key) ?? null);
  }

  /** Moves the keyboard focus to a row (click or j/k). */
  focusRow(key: string): void {
    if (!this.row(key)) return;
    this.#autoActive = false;
    this.#o.store.set({ activeKey: key });
  }

  move(delta: number): void {
    const rows = this.#list.rows;
    if (rows.length === 0) return;
    const index = this.activeIndex();
    const next = Math.max(0, Math.min(rows.length - 1, (index < 0 ? 0 : index) + delta));
    this.#autoActive = false;
    this.#o.store.set({ activeKey: messageKey(rows[next]!.id) });
    if (next >= rows.length - 5) void this.loadMore();
  }

  toggleSelected(key: string | null = this.#o.store.view.activeKey): void {
    if (!key) return;
    const selected = new Set(this.#o.store.view.selected);
    if (selected.has(key)) selected.delete(key);
    else selected.add(key);
    this.#o.store.set({ selected });
  }

  /** Selects every loaded row (Ctrl/Cmd+A, the toolbar's checkbox). */
  selectAll(): void {
    this.#o.store.set({ selected: new Set(this.#o.store.view.list.rows.map((r) => messageKey(r.id))) });
  }

  clearSelection(): void {
    if (this.#o.store.view.selected.size > 0) this.#o.store.set({ selected: EMPTY_SET });
  }

  /** Drops selected keys whose rows are gone. */
  pruneSelection(): void {
    const { selected } = this.#o.store.view;
    const rows = this.#list.rows;
    const kept = new Set([...selected].filter((k) => rows.some((r) => messageKey(r.id) === k)));
    if (kept.size !== selected.size) this.#o.store.set({ selected: kept });
  }

  activeIndex(): number {
    const key = this.#o.store.view.activeKey;
    return key === null ? -1 : this.#list.rows.findIndex((r) => messageKey(r.id) === key);
  }

  /** The row below the one with this key (the next older, what `j` opens), if both are loaded. */
  rowAfter(key: string): MessageRow | null {
    const rows = this.#list.rows;
    const i = rows.findIndex((r) => messageKey(r.id) === key);
    return i < 0 ? null : (rows[i + 1] ?? null);
  }

  activeRow(): MessageRow | null {
    const i = this.activeIndex();
    return i < 0 ? null : (this.#list.rows[i] ?? null);
  }

  /** Keeps the focus on an existing row: the first one, or the one now at the old position. */
  ensureActive(oldIndex?: number): void {
    const rows = this.#list.rows;
    if (this.activeIndex() >= 0) return;
    const at = Math.min(Math.max(oldIndex ?? 0, 0), rows.length - 1);
    const row = rows[at];
    this.#o.store.set({ activeKey: row ? messageKey(row.id) : null });
  }
}

function sameSearch(a: SearchQuery | null, b: SearchQuery | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
