/**
 * Desktop notifications for new mail (`chrome.notifications`), without `browser.*`: the
 * background injects the API, the clock and the action path; tests inject fakes.
 *
 * - Only `message.new` events with `notify: true` notify. The relay decides that flag (per-account
 *   switch, quiet hours, already read when fetched), so every browser of the user agrees.
 * - At most one notification call (create or update) per account per
 *   `Limits.notificationCoalesceMs` (the `burst` benchmark's target). The first new message is shown
 *   at once; mail arriving within the window after a shown one waits for the window to pass and is
 *   merged into it ("5 new messages in Work"). While that notification is still on screen, later
 *   mail updates it in place (one notification per account, never a stack).
 * - Text only: chrome.notifications renders plain text, and sender and subject still pass through
 *   `safeLine` so bidi overrides cannot reorder what the user reads (SECURITY.md "text contexts").
 * - Two buttons (the platform maximum): Mark as read and Archive, acting on every message the
 *   notification stands for. A click opens the message (or the account's inbox) in the popup UI.
 * - Mail read or removed elsewhere leaves the notification; when none is left it is cleared.
 *
 * What is on screen is kept in `storage.session`, so a button pressed after the MV3 worker was
 * stopped (the click restarts it) still knows which messages it means.
 */
import { z } from 'zod/mini';
import {
  Limits,
  messageIdSchema,
  messageKey,
  type EventPayload,
  type MailAction,
  type MessageId,
  type MessageRow,
  type ServerEvent,
} from '../../shared/index.js';
import type { Translate } from '../i18n/i18n.js';
import type { Logger } from '../core/log.js';
import type { SetTimer } from '../core/timer.js';
import { safeLine } from '../core/safe-text.js';
import type { KeyValueStore } from './stored-state.js';

/** The subset of `chrome.notifications.NotificationOptions` used here. */
export interface NotificationContent {
  type: 'basic';
  iconUrl: string;
  title: string;
  message: string;
  contextMessage?: string;
  buttons?: { title: string }[];
  /** 0 = default; new mail is not urgent. */
  priority?: number;
}

export interface NotificationsApi {
  create(id: string, content: NotificationContent): Promise<unknown>;
  /** Resolves false when the notification is gone (dismissed), so it must be created again. */
  update(id: string, content: NotificationContent): Promise<boolean>;
  clear(id: string): Promise<unknown>;
}

/** How a button's action went; a message the user can read when it failed. */
export type NotificationActionOutcome = { ok: true } | { ok: false; message: string };

export interface MailNotifierDeps {
  api: NotificationsApi;
  t: Translate;
  setTimer: SetTimer;
  now: () => number;
  /** The account's display name, or null when the account is unknown (then its address is not shown either). */
  accountName: (accountId: string) => string | null;
  iconUrl: string;
  /** Applies a mail action on the server, through the background's outbox. */
  act: (ids: MessageId[], action: MailAction) => Promise<NotificationActionOutcome>;
  /** Opens one message, or the account's inbox when `message` is null, in the popup UI. */
  open: (target: { accountId: string; message: MessageId | null }) => Promise<void>;
  /** `storage.session`, for what is on screen across worker restarts. */
  store?: KeyValueStore;
  log: Logger;
  /** Firefox has no notification buttons. Default true. */
  buttons?: boolean;
  coalesceMs?: number;
}

/** Longest sender or subject put in a notification; the platform cuts earlier anyway. */
const MAX_TEXT = 120;
/** Lines listed in a merged notification before "and N more". */
const MAX_LINES = 3;
/** Prefix of every notification id Tidings creates. */
const ID_PREFIX = 'tidings:';
/** Id of the one notification that reports a failed button action. */
export const ERROR_NOTIFICATION_ID = `${ID_PREFIX}error`;
export const NOTIFICATIONS_STORAGE_KEY = 'tidings.notifications.v1';

const lineSchema = z.object({ sender: z.string(), subject: z.string() });
const shownSchema = z.object({
  accountId: z.string(),
  /** Every message the notification stands for (bounded), newest last. */
  ids: z.array(messageIdSchema),
  /** How many messages it announced (may exceed ids.length once bounded). */
  count: z.int().check(z.nonnegative()),
  /** The newest few, for the text. */
  lines: z.array(lineSchema),
});
type Shown = z.infer<typeof shownSchema>;
const storedSchema = z.record(z.string(), shownSchema);

/** The notification id of an account's new-mail notification. */
export function notificationIdFor(accountId: string): string {
  return `${ID_PREFIX}mail:${accountId}`;
}

export class MailNotifier {
  readonly #d: MailNotifierDeps;
  readonly #coalesceMs: number;
  /** Rows waiting for their account's window to close. */
  readonly #pending = new Map<string, { rows: MessageRow[]; cancel: () => void }>();
  /** Per account: when its notification was last created or updated (or is being). */
  readonly #lastShownAt = new Map<string, number>();
  /** What is on screen, by notification id. */
  #shown = new Map<string, Shown>();
  #loaded: Promise<void> | null = null;
  #writes: Promise<void> = Promise.resolve();

  constructor(deps: MailNotifierDeps) {
    this.#d = deps;
    this.#coalesceMs = deps.coalesceMs ?? Limits.notificationCoalesceMs;
  }

  /** Every relay event goes through here; only a few matter. */
  onEvent(event: ServerEvent): void {
    switch (event.event) {
      case 'message.new':
        this.onMessageNew(event.payload);
        return;
      case 'message.flags':
        if (event.payload.flags.includes('\\Seen')) void this.#forget([messageKey(event.payload.id)]);
        return;
      case 'message.expunged': {
        const { accountId, mailbox, uidValidity, uids } = event.payload;
        void this.#forget(uids.map((uid) => messageKey({ accountId, mailbox, uidValidity, uid })));
        return;
      }
      case 'accounts.changed': {
        const ids = new Set(event.payload.accounts.map((a) => a.id));
        void this.#dropAccounts((accountId) => !ids.has(accountId));
        return;
      }
      default:
        return;
    }
  }

  /** New mail: queued for the account's coalescing window, or ignored when the relay said not to notify. */
  onMessageNew(payload: EventPayload<'message.new'>): void {
    if (!payload.notify) return;
    const rows = payload.rows.filter((r) => !r.seen);
    if (rows.length === 0) return;
    const pending = this.#pending.get(payload.accountId);
    if (pending) {
      pending.rows.push(...rows);
      return;
    }
    this.#pending.set(payload.accountId, { rows, cancel: () => undefined });
    this.#due(payload.accountId);
  }

  /** Flushes the account's pending rows now if its window has passed, else when it will have. */
  #due(accountId: string): void {
    const pending = this.#pending.get(accountId);
    if (!pending) return;
    const wait = (this.#lastShownAt.get(accountId) ?? -Infinity) + this.#coalesceMs - this.#d.now();
    if (wait <= 0) {
      // The slot is taken now, so mail arriving while this flush runs waits for the next window;
      // given back when the flush showed nothing (all of it read or gone meanwhile).
      const before = this.#lastShownAt.get(accountId);
      const reserved = this.#d.now();
      this.#lastShownAt.set(accountId, reserved);
      void this.#flush(accountId).then((shown) => {
        if (shown || this.#lastShownAt.get(accountId) !== reserved) return;
        if (before === undefined) this.#lastShownAt.delete(accountId);
        else this.#lastShownAt.set(accountId, before);
      });
      return;
    }
    pending.cancel = this.#d.setTimer(() => this.#due(accountId), wait);
  }

  /** The user clicked the notification body: open what it is about. */
  async onClicked(notificationId: string): Promise<void> {
    await this.#load();
    const shown = this.#shown.get(notificationId);
    await this.#dismiss(notificationId);
    if (!shown) return;
    const message = shown.count === 1 && shown.ids.length === 1 ? (shown.ids[0] ?? null) : null;
    try {
      await this.#d.open({ accountId: shown.accountId, message });
    } catch (error) {
      this.#d.log.warn('opening the message from a notification failed', error);
    }
  }

  /** Button 0 marks as read, button 1 archives, every message of the notification. */
  async onButtonClicked(notificationId: string, buttonIndex: number): Promise<void> {
    await this.#load();
    const shown = this.#shown.get(notificationId);
    if (!shown || (buttonIndex !== 0 && buttonIndex !== 1)) return;
    await this.#dismiss(notificationId);
    const { t } = this.#d;
    const action: MailAction = buttonIndex === 0 ? { kind: 'seen', value: true } : { kind: 'archive' };
    const label = buttonIndex === 0 ? t('notify_markRead') : t('notify_archive');
    let outcome: NotificationActionOutcome;
    try {
      outcome = await this.#d.act(shown.ids, action);
    } catch (error) {
      outcome = { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
    if (outcome.ok) return;
    this.#d.log.warn(`notification action ${action.kind} failed: ${outcome.message}`);
    await this.#show(ERROR_NOTIFICATION_ID, {
      type: 'basic',
      iconUrl: this.#d.iconUrl,
      title: t('notify_actionFailedTitle'),
      message: t('notify_actionFailed', [label, outcome.message]),
      priority: 0,
    });
  }

  /** The notification went away (dismissed by the user or the system). */
  async onClosed(notificationId: string): Promise<void> {
    await this.#load();
    if (this.#shown.delete(notificationId)) this.#save();
  }

  /** Resolves when the state writes so far have landed (tests). */
  async flush(): Promise<void> {
    await this.#writes;
  }

  // ------------------------------------------------------------ internals

  /** Shows the account's pending rows; false when there was nothing new to show. */
  async #flush(accountId: string): Promise<boolean> {
    const pending = this.#pending.get(accountId);
    this.#pending.delete(accountId);
    if (!pending || pending.rows.length === 0) return false;
    await this.#load();
    const id = notificationIdFor(accountId);
    const seen = new Set<string>();
    const previous = this.#shown.get(id);
    const shown: Shown = previous
      ? { ...previous, ids: [...previous.ids], lines: [...previous.lines] }
      : { accountId, ids: [], count: 0, lines: [] };
    for (const key of shown.ids.map(messageKey)) seen.add(key);
    // Oldest first, so the newest end up last (shown first); the relay may list a batch newest first.
    const rows = [...pending.rows].sort((a, b) => a.date - b.date || a.id.uid - b.id.uid);
    for (const row of rows) {
      const key = messageKey(row.id);
      if (seen.has(key)) continue;
      seen.add(key);
      shown.ids.push(row.id);
      shown.count += 1;
      shown.lines.push(this.#line(row));
    }
    if (shown.count === (previous?.count ?? 0)) return false;
    shown.ids = shown.ids.slice(-Limits.notificationMaxMessages);
    shown.lines = shown.lines.slice(-MAX_LINES);
    this.#shown.set(id, shown);
    this.#save();
    this.#lastShownAt.set(accountId, this.#d.now());
    await this.#show(id, this.#render(shown), previous !== undefined);
    // The window counts from when the platform took the call, which may be later than it was made.
    this.#lastShownAt.set(accountId, this.#d.now());
    return true;
  }

  #line(row: MessageRow): { sender: string; subject: string } {
    const from = row.from[0];
    const sender = clip(safeLine(from?.name || from?.address || '').trim()) || this.#d.t('notify_unknownSender');
    const subject = clip(safeLine(row.subject).trim()) || this.#d.t('notify_noSubject');
    return { sender, subject };
  }

  #render(shown: Shown): NotificationContent {
    const { t } = this.#d;
    const account = safeLine(this.#d.accountName(shown.accountId) ?? '');
    const noButtons = this.#d.buttons === false;
    if (shown.count === 1 && shown.lines.length === 1) {
      const line = shown.lines[0]!;
      return {
        type: 'basic',
        iconUrl: this.#d.iconUrl,
        title: line.sender,
        message: line.subject,
        ...(account ? { contextMessage: account } : {}),
        ...(noButtons ? {} : { buttons: [{ title: t('notify_markRead') }, { title: t('notify_archive') }] }),
        priority: 0,
      };
    }
    const newestFirst = [...shown.lines].reverse();
    const lines = newestFirst.map((l) => t('notify_line', [l.sender, l.subject]));
    const more = shown.count - lines.length;
    if (more > 0) lines.push(t('notify_more', String(more)));
    return {
      type: 'basic',
      iconUrl: this.#d.iconUrl,
      title: t('notify_many', [String(shown.count), account || '…']),
      message: lines.join('\n'),
      ...(noButtons ? {} : { buttons: [{ title: t('notify_markAllRead') }, { title: t('notify_archiveAll') }] }),
      priority: 0,
    };
  }

  /** Updates in place when it may still be on screen, else creates (the platform re-alerts on create). */
  async #show(id: string, content: NotificationContent, mayExist = true): Promise<void> {
    try {
      if (mayExist && (await this.#d.api.update(id, content))) return;
      await this.#d.api.create(id, content);
    } catch (error) {
      this.#d.log.warn('showing a notification failed', error);
    }
  }

  async #dismiss(id: string): Promise<void> {
    if (this.#shown.delete(id)) this.#save();
    try {
      await this.#d.api.clear(id);
    } catch (error) {
      this.#d.log.debug('clearing a notification failed', error);
    }
  }

  /** Messages read or removed elsewhere: out of pending windows and off screen. */
  async #forget(keys: string[]): Promise<void> {
    const gone = new Set(keys);
    for (const pending of this.#pending.values()) {
      pending.rows = pending.rows.filter((r) => !gone.has(messageKey(r.id)));
    }
    await this.#load();
    for (const [id, shown] of [...this.#shown]) {
      const ids = shown.ids.filter((m) => !gone.has(messageKey(m)));
      if (ids.length === shown.ids.length) continue;
      if (ids.length === 0) {
        await this.#dismiss(id);
      } else {
        // The text keeps what was announced; only the buttons' targets shrink.
        this.#shown.set(id, { ...shown, ids });
        this.#save();
      }
    }
  }

  async #dropAccounts(drop: (accountId: string) => boolean): Promise<void> {
    for (const [accountId, pending] of [...this.#pending]) {
      if (!drop(accountId)) continue;
      pending.cancel();
      this.#pending.delete(accountId);
      this.#lastShownAt.delete(accountId);
    }
    await this.#load();
    for (const [id, shown] of [...this.#shown]) if (drop(shown.accountId)) await this.#dismiss(id);
  }

  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      try {
        const parsed = storedSchema.safeParse(await this.#d.store?.get(NOTIFICATIONS_STORAGE_KEY));
        if (parsed.success) {
          // Anything shown since the worker started wins over the stored copy.
          this.#shown = new Map([...Object.entries(parsed.data), ...this.#shown]);
        }
      } catch (error) {
        this.#d.log.warn('reading notification state failed', error);
      }
    })();
    return this.#loaded;
  }

  #save(): void {
    const store = this.#d.store;
    if (!store) return;
    const value = Object.fromEntries(this.#shown);
    this.#writes = this.#writes
      .then(() => store.set(NOTIFICATIONS_STORAGE_KEY, value))
      .catch((error: unknown) => this.#d.log.warn('saving notification state failed', error));
  }
}

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text;
}
