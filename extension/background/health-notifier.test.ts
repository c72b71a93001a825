import { describe, expect, it } from 'vitest';
import {
  DEFAULT_USER_SETTINGS,
  type AccountHealth,
  type AccountSummary,
  type ServerEvent,
  type UserSettings,
} from '../../shared/index.js';
import type { ConnectionState } from '../ui-protocol/snapshot.js';
import {
  HEALTH_OUTAGE_NOTIFY_MS,
  HEALTH_RECOVERED_AFTER_MS,
  HealthNotifier,
  healthNotificationId,
  type HealthOpenTarget,
} from './health-notifier.js';
import { account, FakeClock, recordingLogger } from '../testing/fakes.js';
import { memoryKv, row } from '../testing/mail-fakes.js';
import { fakeNotificationsApi } from '../testing/notification-fakes.js';
import { testTranslator } from '../testing/translator.js';

const MIN = 60_000;
const ID = healthNotificationId('work');

function setup(options: { lang?: 'en' | 'es'; store?: ReturnType<typeof memoryKv>; clock?: FakeClock } = {}) {
  const clock = options.clock ?? new FakeClock();
  const screen = fakeNotificationsApi(clock.now);
  const store = options.store ?? memoryKv();
  const opened: HealthOpenTarget[] = [];
  let settings: UserSettings['notifications'] = structuredClone(DEFAULT_USER_SETTINGS.notifications);
  const notifier = new HealthNotifier({
    api: screen.api,
    t: testTranslator(options.lang ?? 'en'),
    now: clock.now,
    setTimer: clock.setTimer,
    settings: () => settings,
    iconUrl: '/icon/128.png',
    open: async (target) => {
      opened.push(target);
    },
    store,
    log: recordingLogger(),
  });
  let connection: ConnectionState = { status: 'open', since: 1 };
  let accounts: AccountSummary[] = [];
  const publish = async () => {
    notifier.onSnapshot({ accounts, connection, clockOffsetMs: 0 });
    await notifier.flush();
  };
  /** Sets the account's health (relay `since` = now unless given) and publishes the snapshot. */
  const health = async (state: AccountHealth['state'], extra: Partial<AccountSummary> & { since?: number } = {}) => {
    const { since = clock.now(), ...rest } = extra;
    const base = { since, host: 'imap.example.org' };
    const failure = { ...base, detail: 'ECONNREFUSED', retryAt: null, attempts: 1 };
    const h: AccountHealth =
      state === 'live' || state === 'stopped'
        ? { state, ...base }
        : state === 'catching_up'
          ? { state, ...base, attempts: 1 }
          : state === 'frozen'
            ? { state, ...failure, code: 'TIMEOUT', limitMs: 30_000 }
            : state === 'auth_refused'
              ? { state, ...failure, code: (rest.oauthProvider ? 'REAUTH_REQUIRED' : 'AUTH_FAILED') as 'AUTH_FAILED' }
              : state === 'cert_changed'
                ? { state, ...failure, code: 'TLS_FAILED' }
                : { state, ...failure, code: 'UNREACHABLE' };
    accounts = [account({ id: 'work', name: 'Work', health: h, ...rest })];
    await publish();
  };
  /** Advances the clock and lets what the timers started finish. */
  const advance = async (ms: number) => {
    clock.advance(ms);
    await notifier.flush();
    await notifier.flush();
  };
  return {
    notifier,
    clock,
    screen,
    store,
    opened,
    health,
    advance,
    publish,
    setConnection: (c: ConnectionState) => (connection = c),
    setAccounts: (a: AccountSummary[]) => (accounts = a),
    setSettings: (patch: (s: UserSettings['notifications']) => void) => {
      settings = structuredClone(settings);
      patch(settings);
    },
    titles: () => screen.shown.filter((s) => s.id === ID).map((s) => s.content.title),
  };
}

let seq = 0;
function newMail(uids: number[]): ServerEvent {
  return {
    event: 'message.new',
    seq: ++seq,
    payload: { accountId: 'work', mailbox: 'INBOX', rows: uids.map((uid) => row(uid)), notify: true },
  };
}

describe('HealthNotifier: outages', () => {
  it('notifies once an account has failed for the threshold, naming the account and the reason in words', async () => {
    const s = setup();
    await s.health('live');
    await s.health('unreachable');
    await s.advance(HEALTH_OUTAGE_NOTIFY_MS - 1);
    expect(s.screen.shown).toEqual([]);
    await s.advance(1);
    expect(s.screen.shown).toHaveLength(1);
    expect(s.screen.shown[0]).toMatchObject({
      call: 'create',
      id: ID,
      content: {
        title: 'Work is not getting new mail',
        message: 'imap.example.org is unreachable — server unreachable',
        contextMessage: expect.stringMatching(/relay cannot reach the mail server/) as unknown,
      },
    });
    expect(JSON.stringify(s.screen.shown)).not.toMatch(/UNREACHABLE|ECONNREFUSED/);
  });

  it('stays silent for a failure shorter than the threshold', async () => {
    const s = setup();
    await s.health('unreachable');
    await s.advance(MIN);
    await s.health('catching_up');
    await s.health('live');
    await s.advance(HEALTH_RECOVERED_AFTER_MS + HEALTH_OUTAGE_NOTIFY_MS);
    expect(s.screen.calls).toEqual([]);
  });

  it('counts flapping as one outage: notified once, recovered once', async () => {
    const s = setup();
    await s.health('unreachable');
    await s.advance(2 * MIN);
    // Back for a moment (shorter than the recovery window), then failing again: the same outage,
    // so the threshold counts from its start.
    await s.health('live');
    await s.advance(10_000);
    await s.health('frozen');
    await s.advance(MIN - 10_000);
    expect(s.titles()).toEqual(['Work is not getting new mail']);
    // Live again long after that first short recovery: the recovery window starts now.
    await s.advance(HEALTH_RECOVERED_AFTER_MS);
    await s.health('live');
    await s.advance(HEALTH_RECOVERED_AFTER_MS - 1);
    await s.health('unreachable');
    // Retries, other failures and short recoveries within the outage: nothing new.
    for (let i = 0; i < 5; i++) {
      await s.health('catching_up');
      await s.health(i % 2 ? 'unreachable' : 'frozen');
      await s.advance(20_000);
      await s.health('live');
      await s.advance(HEALTH_RECOVERED_AFTER_MS - 1);
      await s.health('unreachable');
    }
    expect(s.titles()).toEqual(['Work is not getting new mail']);
    await s.health('live');
    await s.advance(HEALTH_RECOVERED_AFTER_MS);
    expect(s.titles()).toEqual(['Work is not getting new mail', 'Work is back']);
    // The recovery replaced the outage notice still on screen (same id): one notification.
    expect(s.screen.shown.map((c) => c.call)).toEqual(['create', 'create']);
    expect([...s.screen.onScreen.keys()]).toEqual([ID]);
    // A new outage later is a new notification.
    await s.health('unreachable');
    await s.advance(HEALTH_OUTAGE_NOTIFY_MS);
    expect(s.titles()).toHaveLength(3);
  });

  it('says how many new messages arrived during the outage, in English and Spanish', async () => {
    for (const [lang, many, one] of [
      ['en', '3 new messages arrived meanwhile', '1 new message arrived meanwhile'],
      ['es', 'Mientras tanto llegaron 3 mensajes nuevos', 'Mientras tanto llegó 1 mensaje nuevo'],
    ] as const) {
      const s = setup({ lang });
      await s.health('unreachable');
      await s.advance(HEALTH_OUTAGE_NOTIFY_MS);
      await s.health('live');
      s.notifier.onEvent(newMail([1, 2]));
      s.notifier.onEvent(newMail([2, 3]));
      await s.advance(HEALTH_RECOVERED_AFTER_MS);
      expect(s.screen.shown.at(-1)?.content.message).toBe(many);
      await s.health('cert_changed');
      await s.advance(HEALTH_OUTAGE_NOTIFY_MS);
      await s.health('live');
      s.notifier.onEvent(newMail([4]));
      await s.advance(HEALTH_RECOVERED_AFTER_MS);
      expect(s.screen.shown.at(-1)?.content.message).toBe(one);
      if (lang === 'es') expect(s.screen.shown[0]?.content.title).toBe('Work no está recibiendo correo nuevo');
    }
  });

  it('says mail is arriving again when none came meanwhile', async () => {
    const s = setup();
    await s.health('unreachable');
    await s.advance(HEALTH_OUTAGE_NOTIFY_MS);
    await s.health('live');
    await s.advance(HEALTH_RECOVERED_AFTER_MS);
    expect(s.screen.shown.at(-1)?.content).toMatchObject({
      title: 'Work is back',
      message: 'New mail is arriving again.',
    });
  });

  it("counts an outage from the relay's since, so one older than the session notifies at once", async () => {
    const s = setup();
    await s.health('unreachable', { since: s.clock.now() - 10 * MIN });
    expect(s.titles()).toEqual(['Work is not getting new mail']);
  });

  it('decides nothing while the relay is not connected', async () => {
    const s = setup();
    s.setConnection({ status: 'connecting', attempt: 1 });
    await s.health('unreachable', { since: s.clock.now() - 10 * MIN });
    await s.advance(HEALTH_OUTAGE_NOTIFY_MS);
    expect(s.screen.calls).toEqual([]);
    s.setConnection({ status: 'open', since: 1 });
    await s.publish();
    expect(s.titles()).toHaveLength(1);
  });

  it('keeps an outage across a worker restart: no repeat, and the recovery still comes', async () => {
    const clock = new FakeClock();
    const store = memoryKv();
    const first = setup({ clock, store });
    await first.health('unreachable');
    await first.advance(HEALTH_OUTAGE_NOTIFY_MS);
    expect(first.titles()).toHaveLength(1);
    const second = setup({ clock, store });
    await second.health('unreachable');
    await second.advance(HEALTH_OUTAGE_NOTIFY_MS);
    expect(second.screen.shown).toEqual([]);
    await second.health('live');
    await second.advance(HEALTH_RECOVERED_AFTER_MS);
    expect(second.titles()).toEqual(['Work is back']);
  });

  it('clears the notice of an account that was removed', async () => {
    const s = setup();
    await s.health('unreachable');
    await s.advance(HEALTH_OUTAGE_NOTIFY_MS);
    s.setAccounts([]);
    await s.publish();
    expect(s.screen.onScreen.has(ID)).toBe(false);
  });
});

describe('HealthNotifier: quiet hours and settings', () => {
  const allDay = (q: UserSettings['notifications']) => {
    q.quietHours = { enabled: true, start: '00:00', end: '00:00', days: [0, 1, 2, 3, 4, 5, 6], timeZone: 'UTC' };
  };

  it('holds an outage notice during quiet hours and shows it once afterwards if still failing', async () => {
    const s = setup();
    s.setSettings(allDay);
    await s.health('unreachable');
    await s.advance(HEALTH_OUTAGE_NOTIFY_MS + 10 * MIN);
    expect(s.screen.calls).toEqual([]);
    s.setSettings((q) => (q.quietHours.enabled = false));
    await s.advance(MIN);
    expect(s.titles()).toEqual(['Work is not getting new mail']);
    await s.advance(30 * MIN);
    expect(s.titles()).toHaveLength(1);
  });

  it('shows nothing for an outage that ended during quiet hours', async () => {
    const s = setup();
    s.setSettings(allDay);
    await s.health('unreachable');
    await s.advance(HEALTH_OUTAGE_NOTIFY_MS + MIN);
    await s.health('live');
    await s.advance(HEALTH_RECOVERED_AFTER_MS);
    s.setSettings((q) => (q.quietHours.enabled = false));
    await s.advance(10 * MIN);
    expect(s.screen.shown).toEqual([]);
  });

  it('clears the outage notice instead of announcing a recovery during quiet hours', async () => {
    const s = setup();
    await s.health('unreachable');
    await s.advance(HEALTH_OUTAGE_NOTIFY_MS);
    s.setSettings(allDay);
    await s.health('live');
    await s.advance(HEALTH_RECOVERED_AFTER_MS);
    expect(s.titles()).toEqual(['Work is not getting new mail']);
    expect(s.screen.onScreen.has(ID)).toBe(false);
  });

  it('respects the notification switch and muted accounts', async () => {
    for (const patch of [
      (q: UserSettings['notifications']) => (q.enabled = false),
      (q: UserSettings['notifications']) => (q.mutedAccounts = ['work']),
    ]) {
      const s = setup();
      s.setSettings(patch);
      await s.health('unreachable');
      await s.advance(HEALTH_OUTAGE_NOTIFY_MS + MIN);
      expect(s.screen.calls).toEqual([]);
    }
  });
});

describe('HealthNotifier: sign in again (issue 9)', () => {
  it('notifies an OAuth2 account at once, once, with a button to the options page', async () => {
    const s = setup();
    await s.health('live', { oauthProvider: 'google' });
    await s.health('auth_refused', { oauthProvider: 'google' });
    expect(s.screen.shown).toHaveLength(1);
    expect(s.screen.shown[0]?.content).toMatchObject({
      title: 'Work: sign in again',
      message: expect.stringMatching(/Sign in again/) as unknown,
      contextMessage: 'imap.example.org refused the sign-in',
      buttons: [{ title: 'Sign in again' }],
    });
    // Still refused for an hour: no second notice, and no outage notice on top.
    await s.health('catching_up', { oauthProvider: 'google' });
    await s.health('auth_refused', { oauthProvider: 'google' });
    await s.advance(60 * MIN);
    expect(s.screen.shown).toHaveLength(1);
    await s.notifier.onButtonClicked(ID);
    expect(s.opened).toEqual([{ page: 'options', accountId: 'work', signInAgain: true }]);
    expect(s.screen.onScreen.has(ID)).toBe(false);
    // Signed in again: live, then back; a later refusal notifies again.
    await s.health('live', { oauthProvider: 'google' });
    await s.advance(HEALTH_RECOVERED_AFTER_MS);
    expect(s.titles()).toEqual(['Work: sign in again', 'Work is back']);
    await s.health('auth_refused', { oauthProvider: 'google' });
    expect(s.titles()).toHaveLength(3);
  });

  it('waits the threshold for a refused password, which opens the options page without Sign in again', async () => {
    const s = setup({ lang: 'es' });
    await s.health('auth_refused');
    expect(s.screen.shown).toEqual([]);
    await s.advance(HEALTH_OUTAGE_NOTIFY_MS);
    expect(s.screen.shown[0]?.content.message).toBe(
      'imap.example.org rechazó el inicio de sesión — inicio de sesión fallido',
    );
    await s.notifier.onClicked(ID);
    expect(s.opened).toEqual([{ page: 'options', accountId: 'work', signInAgain: false }]);
  });

  it('opens the popup on the account from an outage or recovery notice', async () => {
    const s = setup();
    await s.health('frozen');
    await s.advance(HEALTH_OUTAGE_NOTIFY_MS);
    await s.notifier.onClicked(ID);
    await s.health('live');
    await s.advance(HEALTH_RECOVERED_AFTER_MS);
    await s.notifier.onClicked(ID);
    await s.notifier.onClicked('tidings:mail:work');
    expect(s.opened).toEqual([
      { page: 'popup', accountId: 'work' },
      { page: 'popup', accountId: 'work' },
    ]);
  });
});
