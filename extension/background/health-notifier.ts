/**
 * Desktop notifications about account health (issues 8 and 9), without `browser.*`: the
 * background injects the notifications API, the clock, the settings and where a click goes;
 * unit tests inject fakes and a manual clock.
 *
 * The rules, per account (one notification id each, `tidings:health:<account id>`):
 *
 * - An **outage** starts when the account is failing (unreachable, refused sign-in, certificate
 *   changed, frozen: `healthLevel` "problem"). Reconnect attempts in between ("catching up") and
 *   other failures do not end it. It **ends** only when the account has stayed live for
 *   `recoveredAfterMs` (HEALTH_RECOVERED_AFTER_MS): live for a moment and failing again (flapping)
 *   is the same outage.
 * - **Outage notification:** once the outage is older than `outageAfterMs`
 *   (HEALTH_OUTAGE_NOTIFY_MS; from the relay's `since`, so an outage older than the browser
 *   session counts in full). At most one per outage.
 * - **Sign in again:** an account whose provider refused its token (`REAUTH_REQUIRED`, or any
 *   refused sign-in of an OAuth2 account) notifies at once, with a button that opens the options
 *   page at the account's "Sign in again". At most one per outage, i.e. until it is live again.
 * - **Recovery:** when an outage that was notified ends: "<account> is back", with how many new
 *   messages arrived meanwhile when the relay sent any. An outage never notified ends silently.
 * - **Quiet hours, the notification switch and muted accounts** hold everything back. An outage
 *   or sign-in notice held back is shown once when they end, if the account is still failing; a
 *   recovery that happens while held back is not announced (the outage notification, if one is
 *   on screen, is cleared instead): by then it is old news and the badge already says so.
 * - Nothing is decided while the relay is not connected: the account states are then only the
 *   last known ones.
 *
 * Outages are kept in `storage.session`, so a worker restart neither repeats nor forgets one.
 */
import { z } from 'zod/mini';
import {
  accountHealthSchema,
  type AccountHealth,
  type AccountSummary,
  type ServerEvent,
  type UserSettings,
  messageKey,
} from '../../shared/index.js';
import { healthLevel, healthOf } from '../core/account-health.js';
import type { Logger } from '../core/log.js';
import { isQuietAt } from '../core/quiet-time.js';
import type { SetTimer } from '../core/timer.js';
import type { Translate } from '../i18n/i18n.js';
import { outageNotice, reauthNotice, recoveryNotice, type NoticeInput } from './health-notices.js';
import type { NotificationContent, NotificationsApi } from './notifications.js';
import type { KeyValueStore } from './stored-state.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';

/** How long an account fails before the outage notification (issue 8: "more than a few minutes"). */
export const HEALTH_OUTAGE_NOTIFY_MS = 3 * 60_000;
/** How long an account stays live before its outage is over (and the recovery is announced). */
export const HEALTH_RECOVERED_AFTER_MS = 30_000;
/** While a notice is held back by quiet hours or the settings, how often to look again. */
const HELD_RECHECK_MS = 60_000;
/** New messages counted during one outage; more shows as this number. */
const MAX_COUNTED = 999;
/** Prefix of the health notifications' ids (one per account). */
export const HEALTH_NOTIFICATION_PREFIX = 'tidings:health:';
const ID_PREFIX = HEALTH_NOTIFICATION_PREFIX;
export const HEALTH_STORAGE_KEY = 'tidings.health.v1';

/** Where a click on a health notification takes the user. */
export type HealthOpenTarget =
  { page: 'popup'; accountId: string } | { page: 'options'; accountId: string; signInAgain: boolean };

export interface HealthTiming {
  outageAfterMs: number;
  recoveredAfterMs: number;
}

export interface HealthNotifierDeps {
  api: NotificationsApi;
  t: Translate;
  formatNumber?: (n: number) => string;
  now: () => number;
  setTimer: SetTimer;
  /** The user's notification settings as last received from the relay. */
  settings: () => UserSettings['notifications'];
  iconUrl: string;
  open: (target: HealthOpenTarget) => Promise<void>;
  /** `storage.session`: open outages across worker restarts. */
  store?: KeyValueStore;
  log: Logger;
  /** Firefox has no notification buttons. Default true. */
  buttons?: boolean;
  timing?: Partial<HealthTiming>;
}

const outageSchema = z.object({
  /** Browser time the outage began. */
  since: z.number(),
  /** The latest failing health, for the texts. */
  health: accountHealthSchema,
  name: z.string(),
  /** Whether the sign-in-again notice applies (the options page has a "Sign in again" for it). */
  reauth: z.boolean(),
  /** What was shown for this outage. */
  shown: z.object({ outage: z.boolean(), reauth: z.boolean() }),
  /** Browser time the account became live again within this outage, or null while not live. */
  liveSince: z.nullable(z.number()),
  /** Keys of new unread messages announced by the relay during the outage (bounded). */
  newMail: z.array(z.string()),
});
type Outage = z.infer<typeof outageSchema>;
const storedSchema = z.record(z.string(), outageSchema);

export function healthNotificationId(accountId: string): string {
  return `${ID_PREFIX}${accountId}`;
}

/** The sign-in-again case: the provider refused the token (issue 9), not a mistyped password. */
function needsSignIn(account: AccountSummary, health: AccountHealth): boolean {
  return health.state === 'auth_refused' && (health.code === 'REAUTH_REQUIRED' || account.oauthProvider !== null);
}

export class HealthNotifier {
  readonly #d: HealthNotifierDeps;
  #timing: HealthTiming;
  #outages = new Map<string, Outage>();
  #accounts = new Map<string, AccountSummary>();
  #connected = false;
  #clockOffsetMs = 0;
  #timers = new Map<string, () => void>();
  #loaded: Promise<void> | null = null;
  /** Evaluations run one at a time, in order. */
  #queue: Promise<void> = Promise.resolve();
  #writes: Promise<void> = Promise.resolve();

  constructor(deps: HealthNotifierDeps) {
    this.#d = deps;
    this.#timing = {
      outageAfterMs: deps.timing?.outageAfterMs ?? HEALTH_OUTAGE_NOTIFY_MS,
      recoveredAfterMs: deps.timing?.recoveredAfterMs ?? HEALTH_RECOVERED_AFTER_MS,
    };
  }

  /** Test builds shorten the waits (tidingsDiagnostics.healthTiming). */
  setTiming(timing: Partial<HealthTiming>): void {
    this.#timing = { ...this.#timing, ...timing };
    this.#evaluateAll();
  }

  /** Every snapshot of the background: account list, health and whether the relay is connected. */
  onSnapshot(snapshot: Pick<Snapshot, 'accounts' | 'connection' | 'clockOffsetMs'>): void {
    this.#connected = snapshot.connection.status === 'open';
    this.#clockOffsetMs = snapshot.clockOffsetMs ?? 0;
    this.#accounts = new Map(snapshot.accounts.map((a) => [a.id, a]));
    this.#evaluateAll();
  }

  /** Relay events: new mail during an outage is counted for the recovery text. */
  onEvent(event: ServerEvent): void {
    if (event.event !== 'message.new') return;
    const { accountId, rows } = event.payload;
    this.#enqueue(async () => {
      const outage = this.#outages.get(accountId);
      if (!outage) return;
      const keys = new Set(outage.newMail);
      for (const row of rows) if (!row.seen && keys.size < MAX_COUNTED) keys.add(messageKey(row.id));
      if (keys.size === outage.newMail.length) return;
      outage.newMail = [...keys];
      this.#save();
    });
  }

  /** A click on the notification (or its one button): open where the user can act. */
  async onClicked(notificationId: string): Promise<void> {
    if (!notificationId.startsWith(ID_PREFIX)) return;
    const accountId = notificationId.slice(ID_PREFIX.length);
    await this.#load();
    const outage = this.#outages.get(accountId);
    await this.#clear(notificationId);
    const target: HealthOpenTarget =
      outage && (outage.reauth || outage.health.state === 'auth_refused' || outage.health.state === 'cert_changed')
        ? { page: 'options', accountId, signInAgain: outage.reauth }
        : { page: 'popup', accountId };
    try {
      await this.#d.open(target);
    } catch (error) {
      this.#d.log.warn('opening the account from a health notification failed', error);
    }
  }

  /** The sign-in-again notification's button does what a click does. */
  async onButtonClicked(notificationId: string): Promise<void> {
    await this.onClicked(notificationId);
  }

  /** Resolves when the evaluations and state writes so far have finished (tests). */
  async flush(): Promise<void> {
    await this.#queue;
    await this.#writes;
  }

  // ------------------------------------------------------------ internals

  #evaluateAll(): void {
    this.#enqueue(async () => {
      for (const accountId of new Set([...this.#outages.keys(), ...this.#accounts.keys()])) {
        await this.#evaluate(accountId);
      }
    });
  }

  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue
      .then(() => this.#load())
      .then(task)
      .catch((error: unknown) => this.#d.log.error('health notifications failed', error));
  }

  /** Moves one account's outage along at `now`, shows what is due and sets the next timer. */
  async #evaluate(accountId: string): Promise<void> {
    this.#timers.get(accountId)?.();
    this.#timers.delete(accountId);
    // Without the relay the account states are only the last known ones: decide nothing.
    if (!this.#connected) return;
    const now = this.#d.now();
    const account = this.#accounts.get(accountId);
    let outage = this.#outages.get(accountId);
    if (!account) {
      if (outage) {
        this.#outages.delete(accountId);
        this.#save();
        await this.#clear(healthNotificationId(accountId));
      }
      return;
    }
    const health = healthOf(account);
    const level = healthLevel(health);
    if (level === 'problem') {
      if (!outage) {
        const relaySince = health.since > 0 ? health.since - this.#clockOffsetMs : now;
        outage = {
          since: Math.min(now, relaySince),
          health,
          name: account.name,
          reauth: false,
          shown: { outage: false, reauth: false },
          liveSince: null,
          newMail: [],
        };
        this.#outages.set(accountId, outage);
      }
      outage.health = health;
      outage.name = account.name;
      outage.liveSince = null;
      outage.reauth = needsSignIn(account, health);
      this.#save();
    } else if (!outage) {
      return;
    } else if (health.state !== 'live') {
      // Catching up or paused: neither failing nor recovered; the outage goes on.
      if (outage.liveSince !== null) {
        outage.liveSince = null;
        this.#save();
      }
      return;
    } else {
      if (outage.liveSince === null) {
        outage.liveSince = now;
        this.#save();
      }
      const endsAt = outage.liveSince + this.#timing.recoveredAfterMs;
      if (now < endsAt) {
        this.#schedule(accountId, endsAt - now);
        return;
      }
      this.#outages.delete(accountId);
      this.#save();
      await this.#recovered(accountId, outage, now);
      return;
    }

    // Failing: what is due?
    const due: 'reauth' | 'outage' | null =
      outage.reauth && !outage.shown.reauth
        ? 'reauth'
        : !outage.shown.outage && !outage.shown.reauth && now - outage.since >= this.#timing.outageAfterMs
          ? 'outage'
          : null;
    if (due && !this.#mayShow(accountId, now)) {
      this.#schedule(accountId, HELD_RECHECK_MS);
      return;
    }
    if (due === 'reauth') {
      outage.shown.reauth = true;
      this.#save();
      await this.#create(accountId, reauthNotice(this.#texts(outage)));
    } else if (due === 'outage') {
      outage.shown.outage = true;
      this.#save();
      await this.#create(accountId, outageNotice(this.#texts(outage)));
    } else if (!outage.shown.outage && !outage.shown.reauth) {
      this.#schedule(accountId, outage.since + this.#timing.outageAfterMs - now);
    }
  }

  async #recovered(accountId: string, outage: Outage, now: number): Promise<void> {
    if (!outage.shown.outage && !outage.shown.reauth) return;
    const id = healthNotificationId(accountId);
    if (!this.#mayShow(accountId, now)) {
      await this.#clear(id);
      return;
    }
    // Replaces the outage notice if it is still on screen (same id): one notification per account.
    await this.#create(accountId, recoveryNotice({ ...this.#texts(outage), newMessages: outage.newMail.length }));
  }

  #texts(outage: Outage): NoticeInput {
    return {
      t: this.#d.t,
      formatNumber: this.#d.formatNumber ?? String,
      iconUrl: this.#d.iconUrl,
      buttons: this.#d.buttons !== false,
      accountName: outage.name,
      health: outage.health,
    };
  }

  #mayShow(accountId: string, now: number): boolean {
    const settings = this.#d.settings();
    return settings.enabled && !settings.mutedAccounts.includes(accountId) && !isQuietAt(settings.quietHours, now);
  }

  /** A fresh notification, so the platform alerts (create with an existing id replaces it). */
  async #create(accountId: string, content: NotificationContent): Promise<void> {
    try {
      await this.#d.api.create(healthNotificationId(accountId), content);
    } catch (error) {
      this.#d.log.warn('showing a health notification failed', error);
    }
  }

  async #clear(id: string): Promise<void> {
    try {
      await this.#d.api.clear(id);
    } catch (error) {
      this.#d.log.debug('clearing a health notification failed', error);
    }
  }

  #schedule(accountId: string, ms: number): void {
    const cancel = this.#d.setTimer(
      () => {
        if (this.#timers.get(accountId) !== cancel) return;
        this.#timers.delete(accountId);
        this.#enqueue(() => this.#evaluate(accountId));
      },
      Math.max(0, ms),
    );
    this.#timers.set(accountId, cancel);
  }

  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      try {
        const parsed = storedSchema.safeParse(await this.#d.store?.get(HEALTH_STORAGE_KEY));
        if (parsed.success) this.#outages = new Map([...Object.entries(parsed.data), ...this.#outages]);
      } catch (error) {
        this.#d.log.warn('reading the health notification state failed', error);
      }
    })();
    return this.#loaded;
  }

  #save(): void {
    const store = this.#d.store;
    if (!store) return;
    const value = Object.fromEntries(this.#outages);
    this.#writes = this.#writes
      .then(() => store.set(HEALTH_STORAGE_KEY, structuredClone(value)))
      .catch((error: unknown) => this.#d.log.warn('saving the health notification state failed', error));
  }
}
