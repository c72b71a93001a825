/**
 * Everything the popup does, without Svelte or `browser.*`, behind one facade. The work is done
 * by parts with one responsibility each, sharing one `PopupStore`:
 * - list-controller.ts: which list is shown, cache then relay, paging, search, focus, selection;
 * - mailboxes-controller.ts: folders per account;
 * - message-controller.ts: the open message, images, inline parts, attachments, links;
 * - action-controller.ts (+ undo-lifecycle.ts): optimistic actions, outbox, rollback, undo;
 * - popup-commands.ts: keyboard commands; popup-pushes.ts: what the background pushes;
 * - popup-toasts.ts and popup-texts.ts: toasts and their sentences.
 *
 * The view is one immutable `PopupView` (popup-view.ts); every change makes a new one and calls
 * `onChange` (popup-state.svelte.ts keeps it in `$state.raw`). The background is reached through
 * a `PopupChannel` (TidingsUi in the popup, a fake in tests).
 */
import type { Attachment, ListScope, MessageRow } from '../../shared/index.js';
import type { SavedDownload } from '../ui-protocol/data-messages.js';
import type { OpenTarget } from '../ui-protocol/open-target.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';
import { webmailUrl } from '../core/webmail-url.js';
import { ActionController } from './action-controller.js';
import { CountsController } from './counts-controller.js';
import { ListController } from './list-controller.js';
import { MailboxesController } from './mailboxes-controller.js';
import { MARK_ALL_CHUNK, MarkAllRead } from './mark-all-read.js';
import { MessageController } from './message-controller.js';
import { runCommand } from './popup-commands.js';
import type { Command } from './popup-keys.js';
import { applyPush } from './popup-pushes.js';
import { PopupStore, type PopupDeps } from './popup-store.js';
import { PopupTexts } from './popup-texts.js';
import { Toasts } from './popup-toasts.js';
import { openMessageOf, type PopupView } from './popup-view.js';
import { parseSearch } from './search-query.js';

export { UNDO_WINDOW_MS } from './popup-toasts.js';

export { MARK_ALL_CHUNK } from './mark-all-read.js';
export { senderAddress } from './message-controller.js';
export type { PopupChannel, PopupDeps } from './popup-store.js';
export type * from './popup-view.js';

/**
 * @example
 * const popup = new PopupController({ channel: ui, t, now: Date.now, newId, setTimer, onChange: (v) => (view = v) });
 * popup.start();
 * popup.command('archive');
 */
export class PopupController {
  readonly #d: PopupDeps;
  readonly #store: PopupStore;
  readonly #toasts: Toasts;
  readonly #list: ListController;
  readonly #mailboxes: MailboxesController;
  readonly #message: MessageController;
  readonly #actions: ActionController;
  readonly #counts: CountsController;
  readonly #markAll: MarkAllRead;
  #unsubscribe: (() => void) | null = null;
  #snapshot: Snapshot | null = null;
  #started = false;

  constructor(deps: PopupDeps) {
    this.#d = deps;
    const store = new PopupStore(deps.onChange);
    const { channel } = deps;
    const texts = new PopupTexts({ t: deps.t, formatNumber: deps.formatNumber });
    const toasts = new Toasts({
      store,
      setTimer: deps.setTimer,
      onUndoDropped: (ids) => this.#actions.forgetSettled(ids),
    });
    const afterPaint = deps.afterPaint ?? (() => Promise.resolve());
    const list = new ListController({ store, channel, texts, toasts, afterPaint });
    const message = new MessageController({
      store,
      channel,
      texts,
      toasts,
      list,
      markSeen: (row) => void this.#actions.act({ kind: 'seen', value: true }, [row], { quiet: true }),
      setTimer: deps.setTimer,
    });
    this.#store = store;
    this.#toasts = toasts;
    this.#list = list;
    this.#mailboxes = new MailboxesController({ store, channel, texts });
    this.#message = message;
    this.#counts = new CountsController({ store, mailboxes: this.#mailboxes, now: deps.now, setTimer: deps.setTimer });
    const counts = this.#counts;
    this.#actions = new ActionController({ store, channel, texts, toasts, list, message, counts, newId: deps.newId });
    this.#markAll = new MarkAllRead({
      store,
      channel,
      texts,
      toasts,
      list,
      newId: deps.newId,
      formatNumber: deps.formatNumber ?? String,
      snapshot: () => this.#snapshot,
    });
  }

  get view(): PopupView {
    return this.#store.view;
  }

  /**
   * Subscribes to pushes and loads the first list (from the cache at once, then the relay): the
   * unified inbox, or what a notification asked for (open-target.ts): an account, or a message.
   */
  start(target: OpenTarget | null = null): void {
    if (this.#started) return;
    this.#started = true;
    const parts = {
      store: this.#store,
      list: this.#list,
      message: this.#message,
      actions: this.#actions,
      mailboxes: this.#mailboxes,
      markAll: this.#markAll,
    };
    this.#unsubscribe = this.#d.channel.onPush((push) => applyPush(parts, push));
    // The settings (remote images) matter once a message is open: they are asked for right after
    // the list's relay request, so they never delay the rows (nor run while the page is built).
    const loadSettings = () => void this.#message.loadSettings();
    if (target?.message) {
      const id = target.message;
      void this.loadMailboxes(id.accountId);
      void this.#list.load({ kind: 'mailbox', accountId: id.accountId, mailbox: id.mailbox }, null, loadSettings);
      void this.#message.openById(id);
    } else if (target) {
      this.selectAccount(target.accountId);
      loadSettings();
    } else {
      void this.#list.load(this.view.list.scope, null, loadSettings);
    }
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#toasts.stop();
    this.#counts.stop();
  }

  /** The background's snapshot changed: reload what failed once the relay is back. */
  onSnapshot(snapshot: Snapshot | null): void {
    const wasOpen = this.#snapshot?.connection.status === 'open';
    this.#snapshot = snapshot;
    if (!snapshot || snapshot.pairing.status !== 'paired') return;
    this.#counts.observe(snapshot.accounts);
    const open = snapshot.connection.status === 'open';
    if (open && !wasOpen && this.#started) {
      // Back online (or the first connect after the popup opened on cached rows): refresh.
      // A load still in flight will finish on its own (the background waits for the socket).
      this.#list.refreshStale();
      if (!this.view.settings) void this.#message.loadSettings();
      this.#mailboxes.retryFailed();
    }
  }

  // ------------------------------------------------------------ list

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
    this.#message.close();
    this.#list.show(scope);
  }

  loadMailboxes(accountId: string): Promise<void> {
    return this.#mailboxes.load(accountId);
  }

  /** Runs a search in the current scope; blank text goes back to the plain list. */
  search(text: string): void {
    this.#message.close();
    this.#list.search(parseSearch(text));
  }

  clearSearch(): void {
    this.#list.clearSearch();
  }

  /** Loads the next (older) page when the list is scrolled near its end. */
  loadMore(): Promise<void> {
    return this.#list.loadMore();
  }

  /** Reloads the current list from the relay (the Retry buttons). */
  reload(): void {
    this.#list.reload();
  }

  /** Moves the keyboard focus to a row (click or j/k). */
  focusRow(key: string): void {
    this.#list.focusRow(key);
  }

  move(delta: number): void {
    this.#list.move(delta);
  }

  toggleSelected(key?: string | null): void {
    this.#list.toggleSelected(key);
  }

  clearSelection(): void {
    this.#list.clearSelection();
  }

  selectAll(): void {
    this.#list.selectAll();
  }

  /** Gives the search box the focus (`/`), from either screen. */
  focusSearch(): void {
    this.#message.close();
    this.#store.set({ focusSearch: this.view.focusSearch + 1 });
  }

  // ------------------------------------------------------------ message screen

  openMessage(key?: string | null): Promise<void> {
    return this.#message.open(key);
  }

  back(): void {
    this.#message.back();
  }

  /** Whether remote images may load in the open message (shown once, or sender always allowed). */
  remoteAllowed(): boolean {
    return this.#message.remoteAllowed();
  }

  showImages(mode: 'once' | 'always'): Promise<void> {
    return this.#message.showImages(mode);
  }

  /** One part of the open message as base64 (raster images only), for cid: images and previews. */
  loadInlinePart(partId: string): Promise<{ contentType: string; dataBase64: string } | null> {
    return this.#message.loadInlinePart(partId);
  }

  openLink(url: string): Promise<void> {
    return this.#message.openLink(url);
  }

  /** The open message in its provider's webmail (core/webmail-url.ts), or null (unknown server). */
  webmailUrl(): string | null {
    const m = openMessageOf(this.view);
    const account = m && this.#snapshot?.accounts.find((a) => a.id === m.id.accountId);
    // Only once the message is loaded: before, its Message-ID is unknown and Gmail would get the inbox.
    if (m?.status !== 'ready' || !account) return null;
    return webmailUrl({ host: account.host, username: account.username, messageId: m.data.messageId });
  }

  /** Opens the open message in webmail (the message toolbar's button, `w`); false when there is none. */
  openWebmail(): boolean {
    const url = this.webmailUrl();
    if (url) void this.openLink(url);
    return url !== null;
  }

  download(attachment: Attachment): Promise<SavedDownload | null> {
    return this.#message.download(attachment);
  }

  /** An attachment's bytes (at most Limits.bodyPartMaxBytes) for the PDF preview, or null. */
  attachmentBytes(attachment: Attachment): Promise<Uint8Array<ArrayBuffer> | null> {
    return this.#message.attachmentBytes(attachment);
  }

  /** A data: URL preview of an image attachment (png, jpeg, gif, webp only), or null. */
  imagePreview(attachment: Attachment): Promise<string | null> {
    return this.#message.imagePreview(attachment);
  }

  // ------------------------------------------------------------ actions

  /** The rows an action applies to: the open message, else the selection, else the focused row. */
  targets(): MessageRow[] {
    return this.#actions.targets();
  }

  archive(): void {
    void this.#actions.act({ kind: 'archive' });
  }

  delete(): void {
    void this.#actions.act({ kind: 'delete' });
  }

  junk(): void {
    void this.#actions.act({ kind: 'junk' });
  }

  moveTo(mailbox: string): void {
    this.#store.set({ dialog: null });
    void this.#actions.act({ kind: 'move', to: mailbox });
  }

  /** Flags the targets, or unflags them when all are flagged already. */
  toggleFlag(): void {
    const rows = this.targets();
    void this.#actions.act({ kind: 'flagged', value: !rows.every((r) => r.flagged) }, rows);
  }

  /** Marks the targets read, or unread when all are read already (the toolbar button). */
  toggleRead(): void {
    this.setRead(!this.targets().every((r) => r.seen));
  }

  /** Marks the targets read or unread (Shift+I / Shift+U); nothing to do when all are already. */
  setRead(value: boolean): void {
    const rows = this.targets().filter((r) => r.seen !== value);
    if (rows.length > 0) void this.#actions.act({ kind: 'seen', value }, rows);
  }

  /**
   * The list toolbar's "Mark all read": the whole folder, or every account's INBOX in the unified
   * inbox, on the server (mark-all-read.ts). Search results are marked as loaded: the rows the
   * popup has, in requests of at most MARK_ALL_CHUNK messages each, through the action path.
   */
  markAllRead(): void {
    if (!this.view.list.search) {
      void this.#markAll.run();
      return;
    }
    const unread = this.view.list.rows.filter((r) => !r.seen);
    for (let i = 0; i < unread.length; i += MARK_ALL_CHUNK) {
      void this.#actions.act({ kind: 'seen', value: true }, unread.slice(i, i + MARK_ALL_CHUNK));
    }
  }

  /** How many messages "Mark all read" would mark read (the folder's unread count, or the loaded). */
  markAllCount(): number {
    return this.view.list.search ? this.view.list.rows.filter((r) => !r.seen).length : this.#markAll.unread();
  }

  /** Undo of the last archive/delete/junk/move: the rows come back now, the server follows. */
  undo(): void {
    if (this.#markAll.owns(this.view.toast?.undo)) this.#markAll.undo();
    else this.#actions.undo();
  }

  nothingToUndo(): void {
    this.#toasts.show('info', this.#d.t('popup_nothingToUndo'));
  }

  // ------------------------------------------------------------ dialogs and toasts

  /** Opens the folder picker to move the targets (one account at a time: folders differ). */
  openMove(): void {
    const rows = this.targets();
    if (rows.length === 0) return;
    const accounts = new Set(rows.map((r) => r.id.accountId));
    if (accounts.size > 1) {
      this.#toasts.show('error', this.#d.t('popup_errMoveAccounts'));
      return;
    }
    const accountId = rows[0]!.id.accountId;
    void this.loadMailboxes(accountId);
    this.#store.set({ dialog: { kind: 'move', accountId } });
  }

  closeDialog(): void {
    if (this.view.dialog) this.#store.set({ dialog: null });
  }

  openHelp(): void {
    this.#store.set({ dialog: this.view.dialog?.kind === 'help' ? null : { kind: 'help' } });
  }

  /** The toast has focus or the pointer: it stays until released. */
  holdToast(): void {
    this.#toasts.hold();
  }

  releaseToast(): void {
    this.#toasts.release();
  }

  dismissToast(): void {
    this.#toasts.dismiss();
  }

  /** Runs a keyboard command; returns false when it did nothing (the key is left to the browser). */
  command(command: Command): boolean {
    return runCommand(this, command);
  }
}
