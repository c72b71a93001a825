/**
 * Everything the popup does, without Svelte or `browser.*`: which list is shown and where its rows
 * come from (the background's cache at once, then the relay), paging, search, the open message,
 * mail actions with optimistic updates, rollback and undo, relay events, and keyboard commands.
 *
 * The view is one immutable `PopupView` object; every change makes a new one and calls
 * `onChange` (popup-state.svelte.ts keeps it in `$state.raw`). The background is reached through
 * a `PopupChannel` (TidingsUi in the popup, a fake in tests).
 */
import { z } from 'zod';
import {
  listScopeSchema,
  messageKey,
  messageRowSchema,
  requests,
  type Attachment,
  type ErrorCode,
  type ListScope,
  type MailAction,
  type MailboxInfo,
  type MessageId,
  type MessageRow,
  type RequestParams,
  type RequestResult,
  type RequestType,
  type SearchQuery,
  type ServerEvent,
  type UserSettings,
  type WireError,
} from '../../shared/index.js';
import { actionResultSchema, type ActionResult } from '../ui-protocol/data-messages.js';
import type { MessageDetail } from '../ui-protocol/data-messages.js';
import type { DataPushMessage, UiReply } from '../ui-protocol/messages.js';
import {
  appendPage,
  applyAction,
  applyExpunged,
  applyFlags,
  applyNew,
  groupByAccount,
  removesFromList,
  rollback,
  scopeKey,
} from '../core/message-list.js';
import type { OpenTarget } from '../ui-protocol/open-target.js';
import type { Command } from './popup-keys.js';
import type { SetTimer } from '../core/timer.js';
import { parseSearch } from './search-query.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';
import type { DataRequestBody, RelayReply } from '../ui/ui-state.svelte.js';

/** How long the undo toast stays. */
export const UNDO_WINDOW_MS = 5_000;
/** Info and error toasts stay a little longer: they are read, not acted on. */
const TOAST_MS = 7_000;
/** Page size of messages.list / messages.search (the protocol's maximum). */
const PAGE = 50;

/** What the popup needs from the background (TidingsUi satisfies it). */
export interface PopupChannel {
  relay<T extends RequestType>(type: T, params: RequestParams<T>): Promise<RelayReply<RequestResult<T>>>;
  send(body: DataRequestBody): Promise<UiReply>;
  onPush(listener: (push: DataPushMessage) => void): () => void;
}

export type Translate = (key: string, substitutions?: string | string[]) => string;

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
}

export interface ListView {
  scope: ListScope;
  /** The active search, or null for the plain list. */
  search: SearchQuery | null;
  rows: readonly MessageRow[];
  nextCursor: string | null;
  total: number;
  /** `loading` with rows = cached rows shown while fresh ones load. */
  status: 'loading' | 'ready' | 'error';
  /** Rows come from the background's cache and were not confirmed by the relay yet. */
  fromCache: boolean;
  loadingMore: boolean;
  /** Why the list could not be loaded (with or without cached rows to show). */
  error: string | null;
}

export interface MessageScreen {
  id: MessageId;
  row: MessageRow | null;
  data: MessageDetail | null;
  loading: boolean;
  error: string | null;
  /** The user chose "show images" for this message once. */
  remoteOnce: boolean;
}

export interface MailboxesState {
  status: 'loading' | 'ready' | 'error';
  items: readonly MailboxInfo[];
  error: string | null;
}

export interface Toast {
  id: number;
  tone: 'info' | 'error';
  text: string;
  /** Action ids an Undo press reverts, or null when there is nothing to undo. */
  undo: readonly string[] | null;
}

export type Dialog = { kind: 'help' } | { kind: 'move'; accountId: string };

export interface PopupView {
  list: ListView;
  /** Key (messageKey) of the row with the keyboard focus. */
  activeKey: string | null;
  /** Keys of rows selected for bulk actions (x). */
  selected: ReadonlySet<string>;
  screen: 'list' | 'message';
  message: MessageScreen | null;
  /** Folders per account id, loaded on demand. */
  mailboxes: Readonly<Record<string, MailboxesState>>;
  toast: Toast | null;
  dialog: Dialog | null;
  settings: UserSettings | null;
  /** Actions waiting in the background's outbox for the relay. */
  pending: number;
  /** Bumped when the search box should take focus (`/`). */
  focusSearch: number;
}

interface TrackedAction {
  actionId: string;
  ids: MessageId[];
  action: MailAction;
  /** The list as it was before the optimistic change, and which list it was. */
  before: readonly MessageRow[];
  scope: string;
  /** The rows acted on (for undo: they come back as they were). */
  rows: MessageRow[];
  result: ActionResult | null;
  undoRequested: boolean;
  /** This action is itself an undo: its outcomes give the restored rows their new identities. */
  restores: Map<string, MessageRow> | null;
}

const cachedListSchema = z.object({ scope: listScopeSchema, rows: z.array(messageRowSchema), total: z.number() });

const EMPTY_SET: ReadonlySet<string> = new Set();

function initialList(scope: ListScope): ListView {
  return {
    scope,
    search: null,
    rows: [],
    nextCursor: null,
    total: 0,
    status: 'loading',
    fromCache: false,
    loadingMore: false,
    error: null,
  };
}

/**
 * @example
 * const popup = new PopupController({ channel: ui, t, now: Date.now, newId, setTimer, onChange: (v) => (view = v) });
 * popup.start();
 * popup.command('archive');
 */
export class PopupController {
  #view: PopupView;
  readonly #d: PopupDeps;
  #listGen = 0;
  #listInFlight = false;
  #messageGen = 0;
  #toastSeq = 0;
  #cancelToast: (() => void) | null = null;
  readonly #actions = new Map<string, TrackedAction>();
  #unsubscribe: (() => void) | null = null;
  #snapshot: Snapshot | null = null;
  #started = false;
  /** The focus was placed by the popup, not the user: a fresh list may move it to the top. */
  #autoActive = true;

  constructor(deps: PopupDeps) {
    this.#d = deps;
    this.#view = {
      list: initialList({ kind: 'unified' }),
      activeKey: null,
      selected: EMPTY_SET,
      screen: 'list',
      message: null,
      mailboxes: {},
      toast: null,
      dialog: null,
      settings: null,
      pending: 0,
      focusSearch: 0,
    };
  }

  get view(): PopupView {
    return this.#view;
  }

  /**
   * Subscribes to pushes and loads the first list (from the cache at once, then the relay): the
   * unified inbox, or what a notification asked for (open-target.ts): an account, or a message.
   */
  start(target: OpenTarget | null = null): void {
    if (this.#started) return;
    this.#started = true;
    this.#unsubscribe = this.#d.channel.onPush((push) => this.#onPush(push));
    // The list's requests go first: the background answers in order, and rows are what the user waits for.
    queueMicrotask(() => void this.#loadSettings());
    if (target?.message) {
      const id = target.message;
      void this.loadMailboxes(id.accountId);
      void this.#loadList({ kind: 'mailbox', accountId: id.accountId, mailbox: id.mailbox }, null);
      void this.#openById(id);
    } else if (target) {
      this.selectAccount(target.accountId);
    } else {
      void this.#loadList(this.#view.list.scope, null);
    }
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#cancelToast?.();
  }

  /** The background's snapshot changed: reload what failed once the relay is back. */
  onSnapshot(snapshot: Snapshot | null): void {
    const wasOpen = this.#snapshot?.connection.status === 'open';
    this.#snapshot = snapshot;
    if (!snapshot || snapshot.pairing.status !== 'paired') return;
    const open = snapshot.connection.status === 'open';
    if (open && !wasOpen && this.#started) {
      // Back online (or the first connect after the popup opened on cached rows): refresh.
      // A load still in flight will finish on its own (the background waits for the socket).
      const { list } = this.#view;
      if (!this.#listInFlight && (list.fromCache || list.error)) void this.#loadList(list.scope, list.search);
      if (!this.#view.settings) void this.#loadSettings();
      for (const [accountId, state] of Object.entries(this.#view.mailboxes)) {
        if (state.status === 'error') void this.loadMailboxes(accountId);
      }
    }
  }

  // ------------------------------------------------------------ navigation

  /** Shows the unified inbox (null) or one account's INBOX, and loads its folders. */
  selectAccount(accountId: string | null): void {
    const scope: ListScope =
      accountId === null ? { kind: 'unified' } : { kind: 'mailbox', accountId, mailbox: 'INBOX' };
    if (accountId !== null) void this.loadMailboxes(accountId);
    this.#showScope(scope);
  }

  selectMailbox(accountId: string, mailbox: string): void {
    this.#showScope({ kind: 'mailbox', accountId, mailbox });
  }

  #showScope(scope: ListScope): void {
    this.#autoActive = true;
    this.#set({ screen: 'list', message: null, selected: EMPTY_SET, activeKey: null, dialog: null });
    void this.#loadList(scope, null);
  }

  async loadMailboxes(accountId: string): Promise<void> {
    const current = this.#view.mailboxes[accountId];
    if (current?.status === 'ready' || current?.status === 'loading') return;
    this.#setMailboxes(accountId, { status: 'loading', items: current?.items ?? [], error: null });
    const reply = await this.#d.channel.relay('mailboxes.list', { accountId });
    if (reply.ok) this.#setMailboxes(accountId, { status: 'ready', items: reply.value.mailboxes, error: null });
    else this.#setMailboxes(accountId, { status: 'error', items: [], error: this.#errorText(reply.error) });
  }

  #setMailboxes(accountId: string, state: MailboxesState): void {
    this.#set({ mailboxes: { ...this.#view.mailboxes, [accountId]: state } });
  }

  /** Runs a search in the current scope; blank text goes back to the plain list. */
  search(text: string): void {
    const query = parseSearch(text);
    this.#set({ screen: 'list', message: null, selected: EMPTY_SET, activeKey: null });
    void this.#loadList(this.#view.list.scope, query);
  }

  clearSearch(): void {
    if (this.#view.list.search) void this.#loadList(this.#view.list.scope, null);
  }

  /** Loads the next (older) page when the list is scrolled near its end. */
  async loadMore(): Promise<void> {
    const { list } = this.#view;
    if (!list.nextCursor || list.loadingMore || list.status !== 'ready') return;
    const gen = this.#listGen;
    this.#setList({ loadingMore: true });
    const reply = list.search
      ? await this.#d.channel.relay('messages.search', {
          scope: list.scope,
          query: list.search,
          cursor: list.nextCursor,
          limit: PAGE,
        })
      : await this.#d.channel.relay('messages.list', { scope: list.scope, cursor: list.nextCursor, limit: PAGE });
    if (gen !== this.#listGen) return;
    if (!reply.ok) {
      this.#setList({ loadingMore: false });
      this.#toast('error', this.#d.t('popup_errLoadMore', this.#errorText(reply.error)));
      return;
    }
    this.#setList({
      rows: appendPage(this.#view.list.rows, reply.value.rows),
      nextCursor: reply.value.nextCursor,
      total: reply.value.total,
      loadingMore: false,
    });
  }

  /** Reloads the current list from the relay (the Retry buttons). */
  reload(): void {
    void this.#loadList(this.#view.list.scope, this.#view.list.search);
  }

  async #loadList(scope: ListScope, search: SearchQuery | null): Promise<void> {
    const gen = ++this.#listGen;
    this.#listInFlight = true;
    try {
      await this.#loadListNow(gen, scope, search);
    } finally {
      if (gen === this.#listGen) this.#listInFlight = false;
    }
  }

  async #loadListNow(gen: number, scope: ListScope, search: SearchQuery | null): Promise<void> {
    const previous = this.#view.list;
    const same = scopeKey(previous.scope) === scopeKey(scope) && sameSearch(previous.search, search);
    // A refresh of the same list keeps its rows on screen; another list starts empty.
    this.#set({
      list: same ? { ...previous, status: 'loading', error: null } : { ...initialList(scope), search },
    });
    if (!search && !(same && previous.rows.length > 0)) {
      const cached = await this.#d.channel.send({ type: 'cache.list', scope });
      if (gen !== this.#listGen) return;
      const parsed = cached.ok ? cachedListSchema.safeParse(cached.result) : null;
      if (parsed?.success && this.#view.list.status === 'loading') {
        this.#setList({ rows: parsed.data.rows, total: parsed.data.total, fromCache: true });
        this.#ensureActive();
      }
    }
    const reply = search
      ? await this.#d.channel.relay('messages.search', { scope, query: search, cursor: null, limit: PAGE })
      : await this.#d.channel.relay('messages.list', { scope, cursor: null, limit: PAGE });
    if (gen !== this.#listGen) return;
    if (!reply.ok) {
      this.#setList({ status: 'error', error: this.#errorText(reply.error), loadingMore: false });
      return;
    }
    this.#setList({
      rows: reply.value.rows,
      nextCursor: reply.value.nextCursor,
      total: reply.value.total,
      status: 'ready',
      fromCache: false,
      error: null,
    });
    if (this.#autoActive) this.#set({ activeKey: null });
    this.#ensureActive();
  }

  // ------------------------------------------------------------ rows, focus, selection

  /** Moves the keyboard focus to a row (click or j/k). */
  focusRow(key: string): void {
    if (!this.#view.list.rows.some((r) => messageKey(r.id) === key)) return;
    this.#autoActive = false;
    this.#set({ activeKey: key });
  }

  move(delta: number): void {
    const rows = this.#view.list.rows;
    if (rows.length === 0) return;
    const index = this.#activeIndex();
    const next = Math.max(0, Math.min(rows.length - 1, (index < 0 ? 0 : index) + delta));
    this.#autoActive = false;
    this.#set({ activeKey: messageKey(rows[next]!.id) });
    if (next >= rows.length - 5) void this.loadMore();
  }

  toggleSelected(key: string | null = this.#view.activeKey): void {
    if (!key) return;
    const selected = new Set(this.#view.selected);
    if (selected.has(key)) selected.delete(key);
    else selected.add(key);
    this.#set({ selected });
  }

  clearSelection(): void {
    if (this.#view.selected.size > 0) this.#set({ selected: EMPTY_SET });
  }

  #activeIndex(): number {
    const key = this.#view.activeKey;
    return key === null ? -1 : this.#view.list.rows.findIndex((r) => messageKey(r.id) === key);
  }

  #activeRow(): MessageRow | null {
    const i = this.#activeIndex();
    return i < 0 ? null : (this.#view.list.rows[i] ?? null);
  }

  /** Keeps the focus on an existing row: the first one, or the one now at the old position. */
  #ensureActive(oldIndex?: number): void {
    const rows = this.#view.list.rows;
    if (this.#activeIndex() >= 0) return;
    const at = Math.min(Math.max(oldIndex ?? 0, 0), rows.length - 1);
    const row = rows[at];
    this.#set({ activeKey: row ? messageKey(row.id) : null });
  }

  // ------------------------------------------------------------ message screen

  async openMessage(key: string | null = this.#view.activeKey): Promise<void> {
    const row = this.#view.list.rows.find((r) => messageKey(r.id) === key);
    if (!row || !key) return;
    const gen = ++this.#messageGen;
    this.#set({
      activeKey: key,
      screen: 'message',
      dialog: null,
      message: { id: row.id, row, data: null, loading: true, error: null, remoteOnce: false },
    });
    if (!row.seen) void this.#act({ kind: 'seen', value: true }, [row], { quiet: true });
    const cached = await this.#d.channel.send({ type: 'cache.message', messageId: row.id });
    if (gen !== this.#messageGen) return;
    if (cached.ok && cached.result) {
      const hit = this.#parseDetail(cached.result);
      if (hit) {
        this.#setMessage({ data: hit, loading: false });
        return;
      }
    }
    const reply = await this.#d.channel.relay('message.get', { id: row.id });
    if (gen !== this.#messageGen) return;
    if (reply.ok) this.#setMessage({ data: reply.value, loading: false, error: null });
    else this.#setMessage({ loading: false, error: this.#errorText(reply.error) });
  }

  /** Opens a message that may not be in the list yet (a notification click). */
  async #openById(id: MessageId): Promise<void> {
    const gen = ++this.#messageGen;
    this.#set({
      activeKey: messageKey(id),
      screen: 'message',
      message: { id, row: null, data: null, loading: true, error: null, remoteOnce: false },
    });
    const cached = await this.#d.channel.send({ type: 'cache.message', messageId: id });
    if (gen !== this.#messageGen) return;
    let data = cached.ok && cached.result ? this.#parseDetail(cached.result) : null;
    if (!data) {
      const reply = await this.#d.channel.relay('message.get', { id });
      if (gen !== this.#messageGen) return;
      if (!reply.ok) {
        this.#setMessage({ loading: false, error: this.#errorText(reply.error) });
        return;
      }
      data = reply.value;
    }
    const row = rowFromDetail(data);
    this.#setMessage({ data, row, loading: false, error: null });
    if (!row.seen) void this.#act({ kind: 'seen', value: true }, [row], { quiet: true });
  }

  back(): void {
    if (this.#view.screen !== 'message') return;
    this.#messageGen++;
    this.#set({ screen: 'list', message: null });
  }

  /** Whether remote images may load in the open message (shown once, or sender always allowed). */
  remoteAllowed(): boolean {
    const m = this.#view.message;
    if (!m) return false;
    if (m.remoteOnce) return true;
    const sender = senderAddress(m.data?.from ?? m.row?.from ?? []);
    return sender !== null && (this.#view.settings?.remoteImagesAllowed ?? []).includes(sender);
  }

  async showImages(mode: 'once' | 'always'): Promise<void> {
    const m = this.#view.message;
    if (!m) return;
    this.#setMessage({ remoteOnce: true });
    if (mode === 'once') return;
    const sender = senderAddress(m.data?.from ?? m.row?.from ?? []);
    if (!sender) return;
    const current = this.#view.settings ?? (await this.#fetchSettings());
    if (!current) {
      this.#toast('error', this.#d.t('popup_errSettings'));
      return;
    }
    if (current.remoteImagesAllowed.includes(sender)) return;
    const settings: UserSettings = { ...current, remoteImagesAllowed: [...current.remoteImagesAllowed, sender] };
    this.#set({ settings });
    const reply = await this.#d.channel.relay('settings.set', { settings });
    if (reply.ok) this.#set({ settings: reply.value.settings });
    else {
      this.#set({ settings: current });
      this.#toast('error', this.#d.t('popup_errSettings'));
    }
  }

  /**
   * One part of the open message as base64, for cid: images and attachment previews. Only raster
   * image types come back (png, jpeg, gif, webp): never SVG (script and remote fetches) or HTML.
   */
  async loadInlinePart(partId: string): Promise<{ contentType: string; dataBase64: string } | null> {
    const m = this.#view.message;
    if (!m) return null;
    const reply = await this.#d.channel.relay('message.part', { id: m.id, partId });
    if (!reply.ok) return null;
    const contentType = reply.value.contentType.toLowerCase().split(';')[0]?.trim() ?? '';
    if (!PREVIEW_TYPES.has(contentType) || reply.value.truncated) return null;
    return { contentType, dataBase64: reply.value.dataBase64 };
  }

  async openLink(url: string): Promise<void> {
    const reply = await this.#d.channel.send({ type: 'openLink', url });
    if (!reply.ok) this.#toast('error', this.#d.t('popup_errLink'));
  }

  async download(attachment: Attachment): Promise<void> {
    const m = this.#view.message;
    if (!m) return;
    const reply = await this.#d.channel.send({
      type: 'download',
      messageId: m.id,
      attachment: { partId: attachment.partId, filename: attachment.filename },
    });
    if (!reply.ok) this.#toast('error', this.#d.t('popup_errDownload', this.#errorText(reply.error)));
  }

  /** A data: URL preview of an image attachment (png, jpeg, gif, webp only), or null. */
  async imagePreview(attachment: Attachment): Promise<string | null> {
    const type = attachment.contentType.toLowerCase().split(';')[0]?.trim() ?? '';
    if (!PREVIEW_TYPES.has(type)) return null;
    const part = await this.loadInlinePart(attachment.partId);
    if (!part) return null;
    return `data:${part.contentType};base64,${part.dataBase64}`;
  }

  #setMessage(patch: Partial<MessageScreen>): void {
    const m = this.#view.message;
    if (m) this.#set({ message: { ...m, ...patch } });
  }

  #parseDetail(value: unknown): MessageDetail | null {
    const parsed = detailSchema.safeParse(value);
    return parsed.success ? parsed.data : null;
  }

  // ------------------------------------------------------------ actions

  /** The rows an action applies to: the open message, else the selection, else the focused row. */
  targets(): MessageRow[] {
    if (this.#view.screen === 'message') {
      const m = this.#view.message;
      const row = m ? (this.#view.list.rows.find((r) => messageKey(r.id) === messageKey(m.id)) ?? m.row) : null;
      return row ? [row] : [];
    }
    if (this.#view.selected.size > 0) {
      return this.#view.list.rows.filter((r) => this.#view.selected.has(messageKey(r.id)));
    }
    const row = this.#activeRow();
    return row ? [row] : [];
  }

  archive(): void {
    void this.#act({ kind: 'archive' });
  }

  delete(): void {
    void this.#act({ kind: 'delete' });
  }

  junk(): void {
    void this.#act({ kind: 'junk' });
  }

  moveTo(mailbox: string): void {
    this.#set({ dialog: null });
    void this.#act({ kind: 'move', to: mailbox });
  }

  /** Flags the targets, or unflags them when all are flagged already. */
  toggleFlag(): void {
    const rows = this.targets();
    void this.#act({ kind: 'flagged', value: !rows.every((r) => r.flagged) }, rows);
  }

  /** Marks the targets read, or unread when all are read already. */
  toggleRead(): void {
    const rows = this.targets();
    void this.#act({ kind: 'seen', value: !rows.every((r) => r.seen) }, rows);
  }

  /** Opens the folder picker to move the targets (one account at a time: folders differ). */
  openMove(): void {
    const rows = this.targets();
    if (rows.length === 0) return;
    const accounts = new Set(rows.map((r) => r.id.accountId));
    if (accounts.size > 1) {
      this.#toast('error', this.#d.t('popup_errMoveAccounts'));
      return;
    }
    const accountId = rows[0]!.id.accountId;
    void this.loadMailboxes(accountId);
    this.#set({ dialog: { kind: 'move', accountId } });
  }

  closeDialog(): void {
    if (this.#view.dialog) this.#set({ dialog: null });
  }

  openHelp(): void {
    this.#set({ dialog: this.#view.dialog?.kind === 'help' ? null : { kind: 'help' } });
  }

  dismissToast(): void {
    this.#cancelToast?.();
    this.#cancelToast = null;
    if (this.#view.toast) this.#set({ toast: null });
  }

  async #act(
    action: MailAction,
    rows: MessageRow[] = this.targets(),
    options: { quiet?: boolean } = {},
  ): Promise<void> {
    if (rows.length === 0) return;
    const before = this.#view.list.rows;
    const oldIndex = this.#activeIndex();
    const ids = rows.map((r) => r.id);
    const removing = removesFromList(action);
    // Optimistic: the list and the open message change now; the relay confirms or we roll back.
    const patch: Partial<PopupView> = { list: { ...this.#view.list, rows: applyAction(before, ids, action) } };
    if (removing) {
      patch.selected = EMPTY_SET;
      if (this.#view.screen === 'message') {
        this.#messageGen++;
        patch.screen = 'list';
        patch.message = null;
      }
    } else if (this.#view.message && ids.some((id) => messageKey(id) === messageKey(this.#view.message!.id))) {
      const m = this.#view.message;
      const flag = action.kind === 'seen' ? '\\Seen' : '\\Flagged';
      const value = 'value' in action && action.value;
      const flags = m.data ? m.data.flags.filter((f) => f !== flag).concat(value ? [flag] : []) : null;
      patch.message = { ...m, data: m.data && flags ? { ...m.data, flags } : m.data };
    }
    this.#set(patch);
    if (removing) this.#ensureActive(oldIndex);
    if (removing && this.#view.list.rows.length < PAGE / 2) void this.loadMore();

    const tracked: TrackedAction[] = groupByAccount(ids).map((group) => ({
      actionId: this.#d.newId(),
      ids: group,
      action,
      before,
      scope: scopeKey(this.#view.list.scope),
      rows: rows.filter((r) => group.some((id) => messageKey(id) === messageKey(r.id))),
      result: null,
      undoRequested: false,
      restores: null,
    }));
    for (const t of tracked) this.#actions.set(t.actionId, t);
    if (removing && !options.quiet) {
      this.#toast(
        'info',
        this.#actionText(action, rows.length),
        tracked.map((t) => t.actionId),
        UNDO_WINDOW_MS,
      );
    }
    await Promise.all(tracked.map((t) => this.#send(t)));
  }

  async #send(tracked: TrackedAction): Promise<void> {
    const reply = await this.#d.channel.send({
      type: 'action',
      params: { actionId: tracked.actionId, ids: tracked.ids, action: tracked.action },
    });
    if (!reply.ok) {
      this.#settle(tracked.actionId, {
        status: 'failed',
        error: { code: reply.error.code ?? 'INTERNAL', message: reply.error.message },
      });
      return;
    }
    const result = actionResultSchema.safeParse(reply.result);
    if (!result.success) {
      this.#settle(tracked.actionId, { status: 'failed', error: { code: 'BAD_REQUEST', message: 'unexpected reply' } });
      return;
    }
    if (result.data.status === 'queued') {
      tracked.result = result.data;
      if (!this.#view.toast?.undo) this.#toast('info', this.#d.t('popup_toastQueued'));
      return;
    }
    this.#settle(tracked.actionId, result.data);
  }

  #settle(actionId: string, result: Exclude<ActionResult, { status: 'queued' }>): void {
    const tracked = this.#actions.get(actionId);
    if (!tracked || (tracked.result && tracked.result.status !== 'queued')) return;
    tracked.result = result;
    const failed: MessageId[] =
      result.status === 'failed' ? tracked.ids : result.outcomes.filter((o) => !o.ok).map((o) => o.id);
    if (tracked.restores) {
      this.#finishUndo(tracked, result);
    } else if (failed.length > 0 && !tracked.undoRequested) {
      // Undo already put the rows back; otherwise the failed ones return to where they were.
      if (scopeKey(this.#view.list.scope) === tracked.scope) {
        this.#setList({ rows: rollback(this.#view.list.rows, tracked.before, failed) });
      }
      const error = result.status === 'failed' ? result.error : (result.outcomes.find((o) => !o.ok)?.error ?? null);
      this.#toast('error', this.#failureText(tracked.action, error));
    }
    if (tracked.undoRequested && !tracked.restores) this.#runUndo(tracked);
    // Keep settled actions only as long as Undo can refer to them.
    if (!this.#view.toast?.undo?.includes(actionId)) this.#actions.delete(actionId);
  }

  /** Undo of the last archive/delete/junk/move: the rows come back now, the server follows. */
  undo(): void {
    const toast = this.#view.toast;
    if (!toast?.undo) return;
    this.dismissToast();
    for (const actionId of toast.undo) {
      const tracked = this.#actions.get(actionId);
      if (!tracked || tracked.undoRequested) continue;
      tracked.undoRequested = true;
      if (scopeKey(this.#view.list.scope) === tracked.scope) {
        this.#setList({ rows: rollback(this.#view.list.rows, tracked.before, tracked.ids) });
      }
      const settled = tracked.result !== null && tracked.result.status !== 'queued';
      if (settled) this.#runUndo(tracked);
    }
  }

  /** Moves the messages of a settled action back where they were, by the identities it reported. */
  #runUndo(tracked: TrackedAction): void {
    this.#actions.delete(tracked.actionId);
    const result = tracked.result;
    if (!result || result.status !== 'done') return;
    const back = result.outcomes.filter((o) => o.ok && o.movedTo);
    const lost = result.outcomes.filter((o) => o.ok && !o.movedTo);
    if (lost.length > 0) {
      // The server did not say where they went (no UIDPLUS, or deleted for good): they stay gone.
      const keys = new Set(lost.map((o) => messageKey(o.id)));
      this.#setList({ rows: this.#view.list.rows.filter((r) => !keys.has(messageKey(r.id))) });
      this.#toast('error', this.#d.t('popup_errUndo'));
    }
    // One move per (account, original mailbox): messages.action takes one target folder.
    interface UndoGroup {
      to: string;
      ids: MessageId[];
      restores: Map<string, MessageRow>;
    }
    const groups = new Map<string, UndoGroup>();
    for (const outcome of back) {
      const movedTo = outcome.movedTo;
      if (!movedTo) continue;
      const row = tracked.rows.find((r) => messageKey(r.id) === messageKey(outcome.id));
      const key = `${movedTo.accountId}\u0000${outcome.id.mailbox}`;
      const group: UndoGroup = groups.get(key) ?? { to: outcome.id.mailbox, ids: [], restores: new Map() };
      group.ids.push(movedTo);
      if (row) group.restores.set(messageKey(movedTo), row);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      const undo: TrackedAction = {
        actionId: this.#d.newId(),
        ids: group.ids,
        action: { kind: 'move', to: group.to },
        before: this.#view.list.rows,
        scope: scopeKey(this.#view.list.scope),
        rows: [],
        result: null,
        undoRequested: false,
        restores: group.restores,
      };
      this.#actions.set(undo.actionId, undo);
      void this.#send(undo);
    }
  }

  /** An undo move landed: the restored rows take their new identities (new UIDs after the move). */
  #finishUndo(undo: TrackedAction, result: Exclude<ActionResult, { status: 'queued' }>): void {
    const restores = undo.restores ?? new Map<string, MessageRow>();
    if (result.status === 'failed' || result.outcomes.some((o) => !o.ok)) {
      const failedKeys = new Set(
        result.status === 'failed'
          ? undo.ids.map(messageKey)
          : result.outcomes.filter((o) => !o.ok).map((o) => messageKey(o.id)),
      );
      const oldKeys = new Set([...restores].filter(([k]) => failedKeys.has(k)).map(([, row]) => messageKey(row.id)));
      this.#setList({ rows: this.#view.list.rows.filter((r) => !oldKeys.has(messageKey(r.id))) });
      this.#toast('error', this.#d.t('popup_errUndo'));
    }
    if (result.status !== 'done') return;
    let rows = [...this.#view.list.rows];
    for (const outcome of result.outcomes) {
      if (!outcome.ok) continue;
      const original = restores.get(messageKey(outcome.id));
      if (!original) continue;
      const oldKey = messageKey(original.id);
      const newId = outcome.movedTo;
      const present = newId !== null && rows.some((r) => messageKey(r.id) === messageKey(newId));
      rows =
        present || newId === null
          ? rows.filter((r) => messageKey(r.id) !== oldKey || newId === null)
          : rows.map((r) => (messageKey(r.id) === oldKey ? { ...r, id: newId } : r));
      if (this.#view.activeKey === oldKey && newId) this.#set({ activeKey: messageKey(newId) });
    }
    this.#setList({ rows });
  }

  // ------------------------------------------------------------ keyboard

  /** Runs a keyboard command; returns false when it did nothing (the key is left to the browser). */
  command(command: Command): boolean {
    const { dialog, screen } = this.#view;
    if (dialog) {
      if (command === 'back') {
        this.closeDialog();
        return true;
      }
      if (command === 'help' && dialog.kind === 'help') {
        this.closeDialog();
        return true;
      }
      return false;
    }
    switch (command) {
      case 'next':
      case 'prev':
        if (screen === 'message') {
          this.move(command === 'next' ? 1 : -1);
          void this.openMessage();
        } else this.move(command === 'next' ? 1 : -1);
        return true;
      case 'first':
      case 'last':
        if (screen !== 'list') return false;
        this.move(command === 'first' ? -Infinity : Infinity);
        return true;
      case 'open':
        if (screen !== 'list') return false;
        void this.openMessage();
        return true;
      case 'back':
        if (screen === 'message') this.back();
        else if (this.#view.selected.size > 0) this.clearSelection();
        else if (this.#view.list.search) this.clearSearch();
        else if (this.#view.toast) this.dismissToast();
        else return false;
        return true;
      case 'archive':
        this.archive();
        return true;
      case 'delete':
        this.delete();
        return true;
      case 'junk':
        this.junk();
        return true;
      case 'flag':
        this.toggleFlag();
        return true;
      case 'read':
        this.toggleRead();
        return true;
      case 'move':
        this.openMove();
        return true;
      case 'select':
        if (screen !== 'list') return false;
        this.toggleSelected();
        return true;
      case 'undo':
        if (!this.#view.toast?.undo) return false;
        this.undo();
        return true;
      case 'search':
        this.#set({ screen: 'list', message: null, focusSearch: this.#view.focusSearch + 1 });
        return true;
      case 'help':
        this.openHelp();
        return true;
    }
  }

  // ------------------------------------------------------------ pushes

  #onPush(push: DataPushMessage): void {
    switch (push.type) {
      case 'outbox':
        if (push.pending !== this.#view.pending) this.#set({ pending: push.pending });
        return;
      case 'action':
        if (push.result.status !== 'queued') this.#settle(push.actionId, push.result);
        return;
      case 'event':
        this.#onEvent(push.event);
        return;
    }
  }

  #onEvent(event: ServerEvent): void {
    const { list } = this.#view;
    switch (event.event) {
      case 'message.new':
        // Search results are what the server matched; new mail does not join them.
        if (!list.search) {
          const rows = applyNew(list.rows, list.scope, event.payload);
          if (rows.length !== list.rows.length) {
            this.#setList({ rows, total: list.total + (rows.length - list.rows.length) });
          }
        }
        return;
      case 'message.flags': {
        this.#setList({ rows: applyFlags(list.rows, event.payload) });
        const m = this.#view.message;
        if (m?.data && messageKey(m.id) === messageKey(event.payload.id)) {
          this.#setMessage({ data: { ...m.data, flags: event.payload.flags } });
        }
        return;
      }
      case 'message.expunged': {
        const oldIndex = this.#activeIndex();
        const rows = applyExpunged(list.rows, event.payload);
        if (rows.length === list.rows.length) return;
        this.#setList({ rows, total: Math.max(0, list.total - (list.rows.length - rows.length)) });
        const selected = new Set([...this.#view.selected].filter((k) => rows.some((r) => messageKey(r.id) === k)));
        if (selected.size !== this.#view.selected.size) this.#set({ selected });
        this.#ensureActive(oldIndex);
        return;
      }
      case 'settings.changed':
        this.#set({ settings: event.payload.settings });
        return;
      case 'accounts.changed': {
        // Folders may have been renamed with the account; reload them on next use.
        this.#set({ mailboxes: {} });
        return;
      }
      default:
        return;
    }
  }

  // ------------------------------------------------------------ settings

  async #loadSettings(): Promise<void> {
    const settings = await this.#fetchSettings();
    if (settings) this.#set({ settings });
  }

  async #fetchSettings(): Promise<UserSettings | null> {
    const reply = await this.#d.channel.relay('settings.get', {});
    return reply.ok ? reply.value.settings : null;
  }

  // ------------------------------------------------------------ texts

  #count(n: number): string {
    return this.#d.formatNumber ? this.#d.formatNumber(n) : String(n);
  }

  #actionText(action: MailAction, n: number): string {
    const { t } = this.#d;
    const c = this.#count(n);
    switch (action.kind) {
      case 'archive':
        return n === 1 ? t('popup_toastArchivedOne') : t('popup_toastArchivedMany', c);
      case 'delete':
        return n === 1 ? t('popup_toastDeletedOne') : t('popup_toastDeletedMany', c);
      case 'junk':
        return n === 1 ? t('popup_toastJunkOne') : t('popup_toastJunkMany', c);
      case 'move':
        return n === 1 ? t('popup_toastMovedOne', action.to) : t('popup_toastMovedMany', [c, action.to]);
      default:
        return '';
    }
  }

  #failureText(action: MailAction, error: WireError | null): string {
    const reason = error ? this.#errorText(error) : this.#d.t('popup_errUnknown');
    const { t } = this.#d;
    switch (action.kind) {
      case 'archive':
        return t('popup_failArchive', reason);
      case 'delete':
        return t('popup_failDelete', reason);
      case 'junk':
        return t('popup_failJunk', reason);
      case 'move':
        return t('popup_failMove', reason);
      case 'seen':
        return t('popup_failRead', reason);
      case 'flagged':
        return t('popup_failFlag', reason);
    }
  }

  /** A sentence saying what went wrong and what to do, for a relay error. */
  #errorText(error: { code?: ErrorCode; message: string }): string {
    const { t } = this.#d;
    switch (error.code) {
      case 'UNREACHABLE':
        return t('popup_errUnreachable');
      case 'TIMEOUT':
        return t('popup_errTimeout');
      case 'NOT_FOUND':
        return t('popup_errNotFound');
      case 'STALE_UIDVALIDITY':
        return t('popup_errStale');
      case 'AUTH_FAILED':
        return t('popup_errAuth');
      case 'RATE_LIMITED':
        return t('popup_errRateLimited');
      case 'UNAUTHORIZED':
        return t('popup_errUnauthorized');
      default:
        return t('popup_errGeneric', error.message);
    }
  }

  #toast(tone: Toast['tone'], text: string, undo: readonly string[] | null = null, ms = TOAST_MS): void {
    this.#cancelToast?.();
    const id = ++this.#toastSeq;
    const previous = this.#view.toast?.undo ?? [];
    // Actions of a replaced undo toast can no longer be undone: forget the settled ones.
    for (const actionId of previous) {
      const tracked = this.#actions.get(actionId);
      if (tracked?.result && tracked.result.status !== 'queued' && !undo?.includes(actionId)) {
        this.#actions.delete(actionId);
      }
    }
    this.#set({ toast: { id, tone, text, undo } });
    this.#cancelToast = this.#d.setTimer(() => {
      this.#cancelToast = null;
      if (this.#view.toast?.id === id) this.dismissToast();
    }, ms);
  }

  // ------------------------------------------------------------ state

  #setList(patch: Partial<ListView>): void {
    this.#set({ list: { ...this.#view.list, ...patch } });
  }

  #set(patch: Partial<PopupView>): void {
    this.#view = { ...this.#view, ...patch };
    this.#d.onChange(this.#view);
  }
}

const PREVIEW_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

const detailSchema = requests['message.get'].result;

/** A list row for a message known only by its message.get result. */
function rowFromDetail(m: MessageDetail): MessageRow {
  return {
    id: m.id,
    from: m.from,
    to: m.to,
    subject: m.subject,
    date: m.date,
    flags: m.flags,
    seen: m.flags.includes('\\Seen'),
    flagged: m.flags.includes('\\Flagged'),
    answered: m.flags.includes('\\Answered'),
    size: 0,
    hasAttachments: m.attachments.some((a) => !a.inline),
    preview: '',
  };
}

/** The lower-cased address of the first sender, as settings.remoteImagesAllowed stores it. */
export function senderAddress(from: readonly { address: string }[]): string | null {
  const address = from[0]?.address.trim().toLowerCase();
  return address ? address : null;
}

function sameSearch(a: SearchQuery | null, b: SearchQuery | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
