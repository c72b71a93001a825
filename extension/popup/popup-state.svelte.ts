import type { AccountSummary, Attachment } from '../../shared/index.js';
import { formatNumber, t } from '../i18n/i18n.js';
import type { SavedDownload } from '../ui-protocol/data-messages.js';
import { parseOpenTarget } from '../ui-protocol/open-target.js';
import { openPdfPreview } from '../render/pdf-preview.js';
import { PopupController, type MailboxesState, type PopupView } from './popup-controller.js';
import { firstScreenReady } from './popup-view.js';
import { keyCommand, type KeyInput } from './popup-keys.js';
import type { TidingsUi } from '../ui/ui-state.svelte.js';
import { foldersWithCounts, withPending } from './unread-ledger.js';

const NO_ACCOUNTS: readonly AccountSummary[] = [];

/** How often relative dates ("5 minutes ago") are recomputed. */
const CLOCK_TICK_MS = 30_000;
/** A page that is not shown gets no animation frames: afterPaint then resolves after this. */
const NO_FRAME_MS = 100;

/**
 * Resolves once the browser has painted what the page holds now: the next animation frame runs
 * before the paint, the task after it after the paint. A hidden page (no frames) waits NO_FRAME_MS.
 */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    const fallback = setTimeout(resolve, NO_FRAME_MS);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(fallback);
        resolve();
      }, 0),
    );
  });
}

/**
 * The popup's reactive state: the controller's immutable view in `$state.raw`, a clock for
 * relative dates, and the callbacks components are given. With TidingsUi (the Port to the
 * background), the only UI-side code of the popup that talks to the extension runtime.
 *
 * @example
 * const popup = new PopupState(ui);
 * onMount(() => popup.mount());
 */
export class PopupState {
  view = $state.raw<PopupView>() as PopupView;
  /** Epoch ms, ticking, so relative dates stay true while the popup is open. */
  now = $state(Date.now());
  readonly ui: TidingsUi;
  readonly #c: PopupController;
  #started = false;
  #stopSync: (() => void) | null = null;
  /** The snapshot's accounts, their unread counts with the actions the relay's counts do not show yet. */
  readonly accounts = $derived.by(() => withPending(this.ui.snapshot?.accounts ?? NO_ACCOUNTS, this.view.counts));

  constructor(ui: TidingsUi) {
    this.ui = ui;
    this.#c = new PopupController({
      channel: ui,
      t,
      formatNumber,
      now: () => Date.now(),
      newId: () => crypto.randomUUID(),
      setTimer: (fn, ms) => {
        const id = setTimeout(fn, ms);
        return () => clearTimeout(id);
      },
      onChange: (view) => {
        this.view = view;
      },
      afterPaint,
    });
    this.view = this.#c.view;
  }

  /**
   * Sends the first requests (the cached list first). The popup's entry calls it before mounting
   * the page, so the background reads its cache while Svelte builds the DOM; idempotent.
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    // The controller follows the snapshot from now on, not from the mount: the page may mount
    // with a snapshot already in (firstContent), and what it renders first (Mark all read's
    // count) must already see it.
    this.#stopSync = $effect.root(() => {
      // The snapshot lives in TidingsUi's $state; the controller reacts to connection changes.
      $effect(() => this.#c.onSnapshot(this.ui.snapshot));
    });
    // A notification click opens the popup on an account or a message (open-target.ts).
    this.#c.start(parseOpenTarget(location.search));
    void this.ui.popupOpened();
  }

  /**
   * Resolves once the first screen has its content (popup-view.ts `firstScreenReady`), or after
   * `maxWaitMs`, whichever comes first. The entry mounts the page then: one build, style, layout
   * and paint with the rows, instead of a skeleton that is laid out and painted while the
   * background's answers wait in the page's task queue, then rebuilt (issue 10: 17 ms of a warm
   * open). The wait is bounded, so a slow background (a worker starting) still shows the skeleton.
   */
  firstContent(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      let stop: (() => void) | null = null;
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve();
        // Not from inside the effect that is running.
        queueMicrotask(() => stop?.());
      };
      const timer = setTimeout(finish, maxWaitMs);
      stop = $effect.root(() => {
        $effect(() => {
          if (firstScreenReady(this.ui.snapshot, this.view)) finish();
        });
      });
    });
  }

  /** Starts loading (if not yet) and following the background; returns the cleanup for unmount. */
  mount(): () => void {
    this.start();
    const tick = setInterval(() => (this.now = Date.now()), CLOCK_TICK_MS);
    return () => {
      clearInterval(tick);
      this.#stopSync?.();
      this.#c.stop();
    };
  }

  /** One account's folders, watched ones with their live counts (and pending actions). */
  mailboxes = (accountId: string): MailboxesState | undefined => {
    const state = this.view.mailboxes[accountId];
    if (state?.status !== 'ready') return state;
    const account = this.accounts.find((a) => a.id === accountId);
    return { status: 'ready', data: foldersWithCounts(state.data, account) };
  };

  /** A key press on the page: runs the shortcut, if any; true when it was handled. */
  key(input: KeyInput): boolean {
    const command = keyCommand(input);
    return command !== null && this.#c.command(command);
  }

  // Everything below is handed to components as callbacks.
  selectAccount = (accountId: string | null): void => this.#c.selectAccount(accountId);
  selectMailbox = (path: string): void => {
    const scope = this.view.list.scope;
    if (scope.kind === 'mailbox') this.#c.selectMailbox(scope.accountId, path);
  };
  loadMailboxes = (accountId: string): void => void this.#c.loadMailboxes(accountId);
  search = (text: string): void => this.#c.search(text);
  clearSearch = (): void => this.#c.clearSearch();
  loadMore = (): void => void this.#c.loadMore();
  reload = (): void => this.#c.reload();
  focusRow = (key: string): void => this.#c.focusRow(key);
  toggleSelected = (key: string): void => this.#c.toggleSelected(key);
  openMessage = (key: string): void => void this.#c.openMessage(key);
  back = (): void => this.#c.back();
  archive = (): void => this.#c.archive();
  delete = (): void => this.#c.delete();
  junk = (): void => this.#c.junk();
  toggleFlag = (): void => this.#c.toggleFlag();
  toggleRead = (): void => this.#c.toggleRead();
  selectAll = (): void => this.#c.selectAll();
  clearSelection = (): void => this.#c.clearSelection();
  markAllRead = (): void => this.#c.markAllRead();
  /** Reads `view` and the snapshot (the folder counts), so a template that calls it follows both. */
  markAllCount = (): number => (void this.view, void this.ui.snapshot, this.#c.markAllCount());
  openMove = (): void => this.#c.openMove();
  moveTo = (path: string): void => this.#c.moveTo(path);
  closeDialog = (): void => this.#c.closeDialog();
  openHelp = (): void => this.#c.openHelp();
  undo = (): void => this.#c.undo();
  dismissToast = (): void => this.#c.dismissToast();
  holdToast = (): void => this.#c.holdToast();
  releaseToast = (): void => this.#c.releaseToast();
  remoteAllowed = (): boolean => this.#c.remoteAllowed();
  loadInlinePart = (partId: string): Promise<{ contentType: string; dataBase64: string } | null> =>
    this.#c.loadInlinePart(partId);
  showImages = (mode: 'once' | 'always'): void => void this.#c.showImages(mode);
  openLink = (url: string): void => void this.#c.openLink(url);
  /** Reads `view` and the snapshot, so a template that calls it follows both. */
  webmailUrl = (): string | null => (void this.view, void this.ui.snapshot, this.#c.webmailUrl());
  openWebmail = (): void => void this.#c.openWebmail();
  /**
   * Saves an attachment, or with `preview` opens a PDF in a new tab (render/pdf-preview.ts);
   * what is not a PDF after all, or could not be fetched whole, is saved instead.
   */
  download = async (attachment: Attachment, options: { preview?: boolean } = {}): Promise<SavedDownload | null> => {
    if (options.preview) {
      const bytes = await this.#c.attachmentBytes(attachment);
      if (bytes && openPdfPreview(bytes)) return null;
    }
    return this.#c.download(attachment);
  };
  imagePreview = (attachment: Attachment): Promise<string | null> => this.#c.imagePreview(attachment);
  targets = () => this.#c.targets();
  reconnect = (): void => void this.ui.reconnect();
  openOptions = (): void => void this.ui.openOptions();
}
