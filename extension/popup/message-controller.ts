/**
 * The message screen: opening a message (from the background's cache, else the relay), going
 * back, remote images (once, or always for a sender, stored in the relay's settings), inline
 * parts and attachment previews, links and downloads.
 */
import {
  messageKey,
  parseResult,
  type Attachment,
  type MessageId,
  type MessageRow,
  type UserSettings,
} from '../../shared/index.js';
import { savedDownloadSchema, type SavedDownload } from '../ui-protocol/data-messages.js';
import type { ListController } from './list-controller.js';
import type { PopupChannel, PopupStore } from './popup-store.js';
import type { RelayReply } from '../ui/ui-state.svelte.js';
import type { SetTimer } from '../core/timer.js';
import type { PopupTexts } from './popup-texts.js';
import type { Toasts } from './popup-toasts.js';
import { LIST_SCREEN, openMessageOf, type MessageDetail, type MessageState } from './popup-view.js';

/** Image types shown inline or as previews: never SVG (script and remote fetches) or HTML. */
const PREVIEW_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export interface MessageOptions {
  store: PopupStore;
  channel: PopupChannel;
  texts: PopupTexts;
  toasts: Toasts;
  list: ListController;
  /** Marks an unread message read once it is open (an action: optimistic, with rollback). */
  markSeen: (row: MessageRow) => void;
  setTimer: SetTimer;
}

/**
 * How long a message stays open before the one below it is prefetched: it is being read, not
 * skipped past with j (each open cancels the last one's prefetch), and the open's own drawing
 * is done, so the prefetch's reply does not compete with it.
 */
export const PREFETCH_AFTER_MS = 250;

/**
 * @example
 * await message.open(messageKey(row.id));
 * message.back();
 */
export class MessageController {
  readonly #o: MessageOptions;
  /** Bumped whenever the open message changes, so a late answer for another one is dropped. */
  #gen = 0;
  #settingsLoad: Promise<void> | null = null;

  constructor(options: MessageOptions) {
    this.#o = options;
  }

  /** Opens a row of the list (the focused one by default) and marks it read. */
  async open(key: string | null = this.#o.store.view.activeKey): Promise<void> {
    const { store, list } = this.#o;
    const row = list.row(key);
    if (!row || !key) return;
    const gen = ++this.#gen;
    store.set({
      activeKey: key,
      screen: { kind: 'message', message: { id: row.id, row, remoteOnce: false, status: 'loading' } },
      dialog: null,
    });
    // The body is asked for before the row is marked read: both go to the same IMAP connection,
    // one command after the other, and the user waits for the body, not for the flag.
    const fetching = this.#fetch(row.id);
    if (!row.seen) this.#o.markSeen(row);
    const reply = await fetching;
    if (gen !== this.#gen) return;
    if (reply.ok) {
      this.#loaded(reply.value);
      this.#prefetchAfter(key, gen);
    } else this.#failed(this.#o.texts.error(reply.error));
  }

  /**
   * While a message is read, the background fetches the one below it (what `j` opens next) into
   * its cache (issue 10), so reading down a list does not wait for the relay at every step. Only
   * once the message has been open for PREFETCH_AFTER_MS; the background does it only on an open
   * socket and never reports a failure: the open will.
   */
  #prefetchAfter(key: string, gen: number): void {
    this.#o.setTimer(() => {
      // Closed, or another message opened meanwhile.
      if (gen !== this.#gen) return;
      const next = this.#o.list.rowAfter(key);
      if (next) void this.#o.channel.send({ type: 'message.prefetch', messageId: next.id });
    }, PREFETCH_AFTER_MS);
  }

  /** Opens a message that may not be in the list yet (a notification click). */
  async openById(id: MessageId): Promise<void> {
    const { store } = this.#o;
    const gen = ++this.#gen;
    store.set({
      activeKey: messageKey(id),
      screen: { kind: 'message', message: { id, row: null, remoteOnce: false, status: 'loading' } },
    });
    const reply = await this.#fetch(id);
    if (gen !== this.#gen) return;
    if (!reply.ok) {
      this.#failed(this.#o.texts.error(reply.error));
      return;
    }
    const data = reply.value;
    const row = rowFromDetail(data);
    this.#loaded(data, row);
    if (!row.seen) this.#o.markSeen(row);
  }

  /** Back to the list (Esc, the Back button). */
  back(): void {
    if (this.#o.store.view.screen.kind !== 'message') return;
    this.close();
  }

  /** Leaves the message screen, if it is up; an answer still on its way is dropped. */
  close(): void {
    this.#gen++;
    if (this.#o.store.view.screen.kind === 'message') this.#o.store.set({ screen: LIST_SCREEN });
  }

  /** Keeps the open message's flags in step with its row (an optimistic action, a relay event). */
  setFlags(id: MessageId, flags: (current: readonly string[]) => string[]): void {
    const m = openMessageOf(this.#o.store.view);
    if (m?.status !== 'ready' || messageKey(m.id) !== messageKey(id)) return;
    this.#set({ ...m, data: { ...m.data, flags: flags(m.data.flags) } });
  }

  /** Whether remote images may load in the open message (shown once, or sender always allowed). */
  remoteAllowed(): boolean {
    const m = openMessageOf(this.#o.store.view);
    if (!m) return false;
    if (m.remoteOnce) return true;
    const sender = senderAddress(senderOf(m));
    return sender !== null && (this.#o.store.view.settings?.remoteImagesAllowed ?? []).includes(sender);
  }

  async showImages(mode: 'once' | 'always'): Promise<void> {
    const { store, channel, toasts, texts } = this.#o;
    const m = openMessageOf(store.view);
    if (!m) return;
    this.#set({ ...m, remoteOnce: true });
    if (mode === 'once') return;
    const sender = senderAddress(senderOf(m));
    if (!sender) return;
    const current = store.view.settings ?? (await this.fetchSettings());
    if (!current) {
      toasts.show('error', texts.t('popup_errSettings'));
      return;
    }
    if (current.remoteImagesAllowed.includes(sender)) return;
    const settings: UserSettings = { ...current, remoteImagesAllowed: [...current.remoteImagesAllowed, sender] };
    store.set({ settings });
    const reply = await channel.relay('settings.set', { settings });
    if (reply.ok) store.set({ settings: reply.value.settings });
    else {
      store.set({ settings: current });
      toasts.show('error', texts.t('popup_errSettings'));
    }
  }

  /**
   * Loads the relay's user settings into the view (remote image senders). A call while a load is
   * in flight joins it: a popup opened before the worker's socket is up asks at start, and again
   * when the socket opens, and both would otherwise reach the relay (the first is still waiting
   * in the background for that same socket).
   */
  loadSettings(): Promise<void> {
    this.#settingsLoad ??= this.fetchSettings()
      .then((settings) => {
        if (settings) this.#o.store.set({ settings });
      })
      .finally(() => {
        this.#settingsLoad = null;
      });
    return this.#settingsLoad;
  }

  async fetchSettings(): Promise<UserSettings | null> {
    const reply = await this.#o.channel.relay('settings.get', {});
    return reply.ok ? reply.value.settings : null;
  }

  /**
   * One part of the open message as base64, for cid: images and attachment previews. Only raster
   * image types come back (png, jpeg, gif, webp): never SVG (script and remote fetches) or HTML.
   */
  async loadInlinePart(partId: string): Promise<{ contentType: string; dataBase64: string } | null> {
    const m = openMessageOf(this.#o.store.view);
    if (!m) return null;
    const reply = await this.#o.channel.relay('message.part', { id: m.id, partId });
    if (!reply.ok) return null;
    const contentType = baseType(reply.value.contentType);
    if (!PREVIEW_TYPES.has(contentType) || reply.value.truncated) return null;
    return { contentType, dataBase64: reply.value.dataBase64 };
  }

  /**
   * The bytes of an attachment for the PDF preview (render/pdf-preview.ts), through `message.part`
   * (capped at Limits.bodyPartMaxBytes); null when it failed or was cut (then it is downloaded).
   */
  async attachmentBytes(attachment: Attachment): Promise<Uint8Array<ArrayBuffer> | null> {
    const m = openMessageOf(this.#o.store.view);
    if (!m) return null;
    const reply = await this.#o.channel.relay('message.part', { id: m.id, partId: attachment.partId });
    if (!reply.ok || reply.value.truncated) return null;
    return Uint8Array.from(atob(reply.value.dataBase64), (c) => c.charCodeAt(0));
  }

  async openLink(url: string): Promise<void> {
    const reply = await this.#o.channel.send({ type: 'openLink', url });
    if (!reply.ok) this.#o.toasts.show('error', this.#o.texts.t('popup_errLink'));
  }

  /** Starts a download; the name it is saved under, or null when it failed (a toast says why). */
  async download(attachment: Attachment): Promise<SavedDownload | null> {
    const { store, channel, toasts, texts } = this.#o;
    const m = openMessageOf(store.view);
    if (!m) return null;
    const reply = await channel.send({
      type: 'download',
      messageId: m.id,
      attachment: { partId: attachment.partId, filename: attachment.filename },
    });
    if (!reply.ok) {
      if (reply.error.code === undefined) {
        // No relay code: the browser's download API refused before anything reached the relay.
        toasts.show('error', texts.t('popup_errDownloadRefused', attachment.filename));
      } else {
        toasts.show('error', texts.t('popup_errDownload', texts.error(reply.error)));
      }
      return null;
    }
    // The attachment list shows "Saved as …" (and why the name changed) beside the button.
    const saved = savedDownloadSchema.safeParse(reply.result);
    return saved.success ? saved.data : { filename: attachment.filename, changed: false };
  }

  /** A data: URL preview of an image attachment (png, jpeg, gif, webp only), or null. */
  async imagePreview(attachment: Attachment): Promise<string | null> {
    if (!PREVIEW_TYPES.has(baseType(attachment.contentType))) return null;
    const part = await this.loadInlinePart(attachment.partId);
    if (!part) return null;
    return `data:${part.contentType};base64,${part.dataBase64}`;
  }

  /**
   * The message from the background's cache, else the relay (one request: the background asks the
   * relay on a miss itself). The reply is checked with the shared message.get schema either way.
   */
  async #fetch(id: MessageId): Promise<RelayReply<MessageDetail>> {
    const reply = await this.#o.channel.send({ type: 'message.open', messageId: id });
    if (!reply.ok) return reply;
    const checked = parseResult('message.get', reply.result);
    if (checked.ok) return { ok: true, value: checked.value };
    return { ok: false, error: { message: checked.error.message, code: checked.error.code } };
  }

  #loaded(data: MessageDetail, row?: MessageRow): void {
    const m = openMessageOf(this.#o.store.view);
    if (m) this.#set({ id: m.id, row: row ?? m.row, remoteOnce: m.remoteOnce, status: 'ready', data });
  }

  #failed(error: string): void {
    const m = openMessageOf(this.#o.store.view);
    if (m) this.#set({ id: m.id, row: m.row, remoteOnce: m.remoteOnce, status: 'error', error });
  }

  #set(message: MessageState): void {
    this.#o.store.set({ screen: { kind: 'message', message } });
  }
}

/** The name a download was saved under when it differs from the attachment's (`{ filename, changed }`), else null. */
/** The media type without parameters, lower-cased ("image/png; name=a" → "image/png"). */
function baseType(contentType: string): string {
  return contentType.toLowerCase().split(';')[0]?.trim() ?? '';
}

function senderOf(m: MessageState): readonly { address: string }[] {
  return (m.status === 'ready' ? m.data.from : null) ?? m.row?.from ?? [];
}

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
