// First, before any module builds a zod schema (see core/zod-config.ts).
import '../core/zod-config.js';
// English zod issue messages: the worker's BAD_REQUEST replies reach the pages (see the module).
import '../background/zod-messages.js';
import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { deviceLabel } from '../core/device-label.js';
import { BackgroundController } from '../background/background-controller.js';
import type { Badge } from '../background/badge.js';
import { formatNumber, t, warmDateFormats } from '../i18n/i18n.js';
import { consoleLogger } from '../core/log.js';
import { DEVICE_SETTINGS_KEY, parseDeviceSettings } from '../core/device-settings.js';
import { deviceCacheStore } from '../background/device-cache-store.js';
import { MailCache } from '../background/mail-cache.js';
import { idbCacheStore } from '../background/mail-cache-idb.js';
import { actionResultSchema } from '../ui-protocol/data-messages.js';
import { MailService } from '../background/mail-service.js';
import { UI_PORT_NAME } from '../ui-protocol/port.js';
import { HEALTH_NOTIFICATION_PREFIX, HealthNotifier } from '../background/health-notifier.js';
import { MailNotifier } from '../background/notifications.js';
import { openTargetPath, optionsTargetPath, type OpenTarget } from '../ui-protocol/open-target.js';
import type { CreateSocket } from '../background/relay-client.js';
import { installTestHooks } from '../background/test-hooks.js';
import { serveUiPort } from '../background/ui-port-server.js';

/** Wakes the worker and reconnects if the socket is not open (see BackgroundController.onAlarm). */
const RECONNECT_ALARM = 'tidings-reconnect';

/**
 * The only place that touches `browser.*`: it builds the controller from real browser services
 * and registers every listener synchronously in `main`, as MV3 requires for events that start
 * the worker (alarm, port connect).
 */
export default defineBackground({
  // A classic worker (WXT bundles it into one script), not an ES module: a module worker fetched
  // background.js and then its three shared chunks before running anything, and every popup
  // opened after Chrome stopped the worker waited for that. Interleaved A/B of the toolbar
  // popup (test/bench/ab-popup-list.ts, 2 × 15 samples): truly cold opens 21 ms faster in both
  // runs (issue 10).
  main() {
    const log = consoleLogger('background');
    const controller = new BackgroundController({
      store: {
        get: async (key) => (await browser.storage.local.get(key))[key],
        set: (key, value) => browser.storage.local.set({ [key]: value }),
      },
      // Cleared when the browser closes: the badge's "new since the popup was opened" set.
      sessionStore: {
        get: async (key) => (await browser.storage.session.get(key))[key],
        set: (key, value) => browser.storage.session.set({ [key]: value }),
      },
      t,
      formatNumber,
      setBadge: (badge) => setBadge(badge),
      createSocket: openWebSocket,
      fetch: (url, init) => fetch(url, init),
      now: () => Date.now(),
      setTimer: (fn, ms) => {
        const id = setTimeout(fn, ms);
        return () => clearTimeout(id);
      },
      random: () => Math.random(),
      deviceLabel: async () => {
        const { os } = await browser.runtime.getPlatformInfo();
        return deviceLabel(import.meta.env.BROWSER === 'firefox' ? 'Firefox' : 'Chrome', os, t);
      },
      log,
    });

    // Mail data for the popup: cache (IndexedDB, or memory only under "Keep no mail on this
    // device"), durable action outbox, links and downloads.
    const cacheStore = deviceCacheStore({
      persistent: idbCacheStore(indexedDB),
      memoryOnly: browser.storage.local
        .get(DEVICE_SETTINGS_KEY)
        .then((stored) => parseDeviceSettings(stored[DEVICE_SETTINGS_KEY]).keepNoMail),
      log,
    });
    // Registered synchronously; switching the setting on wipes the stored cache at once.
    browser.storage.onChanged.addListener((changes, area) => {
      const change = changes[DEVICE_SETTINGS_KEY];
      if (area !== 'local' || !change) return;
      const on = parseDeviceSettings(change.newValue).keepNoMail;
      if (on === parseDeviceSettings(change.oldValue).keepNoMail) return;
      cacheStore.setMemoryOnly(on).catch((error: unknown) => log.error('wiping the stored mail cache failed', error));
    });
    const mailCache = new MailCache({ store: cacheStore, now: () => Date.now(), log });
    // The popup's first row dates: ICU's locale data is per process, and a popup that builds its
    // formatters first spends 15–30 ms on it after its rows arrive. Built here once, right after
    // the worker has passed a list request on to the relay, so it runs while the relay works on
    // it. Built as soon as the socket opened, or after any first request (the popup's settings
    // can come first), it ran before the popup's list request had come in and held it up by
    // ~20 ms in a truly cold open (issue 10).
    let datesWarmed = false;
    const warmDatesOnce = () => {
      if (datesWarmed) return;
      datesWarmed = true;
      setTimeout(() => warmDateFormats(), 0);
    };
    const mail = new MailService({
      relay: {
        request: (type, params) => controller.relayRequest(type, params),
        isOpen: () => controller.snapshot().connection.status === 'open',
        httpAccess: () => controller.relayHttpAccess(),
      },
      cache: mailCache,
      store: {
        get: async (key) => (await browser.storage.local.get(key))[key],
        set: (key, value) => browser.storage.local.set({ [key]: value }),
      },
      openTab: async (url) => {
        await browser.tabs.create({ url });
      },
      // The browser streams the file to disk with the token header; the worker never holds it.
      download: async ({ url, headers, filename }) => {
        await browser.downloads.download({ url, headers, filename, conflictAction: 'uniquify' });
      },
      now: () => Date.now(),
      setTimer: (fn, ms) => {
        const id = setTimeout(fn, ms);
        return () => clearTimeout(id);
      },
      log: consoleLogger('mail'),
      onRelayAsked: (type) => {
        if (type === 'messages.list') warmDatesOnce();
      },
    });
    controller.subscribe((snapshot) => mail.onSnapshot(snapshot));
    controller.subscribeEvents((event) => mail.onEvent(event));
    void mail.start();

    // New-mail notifications: the relay decides `notify`; buttons act through the mail outbox.
    const notifier = new MailNotifier({
      api: {
        create: (id, content) => browser.notifications.create(id, content),
        update: (id, content) => browser.notifications.update(id, content),
        clear: (id) => browser.notifications.clear(id),
      },
      t,
      now: () => Date.now(),
      setTimer: (fn, ms) => {
        const id = setTimeout(fn, ms);
        return () => clearTimeout(id);
      },
      accountName: (accountId) => controller.snapshot().accounts.find((a) => a.id === accountId)?.name ?? null,
      iconUrl: browser.runtime.getURL('/icon/128.png'),
      act: async (ids, action) => {
        const reply = await mail.handle({
          id: 'notification',
          type: 'action',
          params: { actionId: crypto.randomUUID(), ids, action },
        });
        if (!reply.ok) return { ok: false, message: reply.error.message };
        const result = actionResultSchema.safeParse(reply.result);
        if (!result.success) return { ok: true };
        if (result.data.status === 'failed') return { ok: false, message: result.data.error.message };
        const failed = result.data.status === 'done' ? result.data.outcomes.find((o) => !o.ok) : undefined;
        return failed ? { ok: false, message: failed.error?.message ?? failed.id.mailbox } : { ok: true };
      },
      open: (target) => openInPopup(target),
      store: {
        get: async (key) => (await browser.storage.session.get(key))[key],
        set: (key, value) => browser.storage.session.set({ [key]: value }),
      },
      log: consoleLogger('notifications'),
      // Firefox shows no notification buttons (and rejects the option).
      buttons: import.meta.env.BROWSER !== 'firefox',
    });
    controller.subscribeEvents((event) => notifier.onEvent(event));

    // Account health notifications (issues 8, 9): outage after a few minutes, sign in again at once, recovery.
    const health = new HealthNotifier({
      api: {
        create: (id, content) => browser.notifications.create(id, content),
        update: (id, content) => browser.notifications.update(id, content),
        clear: (id) => browser.notifications.clear(id),
      },
      t,
      formatNumber,
      now: () => Date.now(),
      setTimer: (fn, ms) => {
        const id = setTimeout(fn, ms);
        return () => clearTimeout(id);
      },
      settings: () => controller.settings.notifications,
      iconUrl: browser.runtime.getURL('/icon/128.png'),
      open: async (target) => {
        if (target.page === 'popup') return openInPopup({ accountId: target.accountId, message: null });
        await browser.tabs.create({ url: browser.runtime.getURL(`/${optionsTargetPath(target)}`) });
      },
      store: {
        get: async (key) => (await browser.storage.session.get(key))[key],
        set: (key, value) => browser.storage.session.set({ [key]: value }),
      },
      log: consoleLogger('health'),
      buttons: import.meta.env.BROWSER !== 'firefox',
    });
    controller.subscribe((snapshot) => health.onSnapshot(snapshot));
    controller.subscribeEvents((event) => health.onEvent(event));

    // Registered synchronously: a click on a notification may be what starts the worker.
    const isHealth = (id: string) => id.startsWith(HEALTH_NOTIFICATION_PREFIX);
    browser.notifications.onClicked.addListener(
      (id) => void (isHealth(id) ? health.onClicked(id) : notifier.onClicked(id)),
    );
    browser.notifications.onButtonClicked.addListener(
      (id, index) => void (isHealth(id) ? health.onButtonClicked(id) : notifier.onButtonClicked(id, index)),
    );
    browser.notifications.onClosed.addListener((id) => void notifier.onClosed(id));
    if (diagnostics) {
      // For test drivers, which cannot press a notification's buttons.
      diagnostics.notificationButton = (id, index) =>
        isHealth(id) ? health.onButtonClicked(id) : notifier.onButtonClicked(id, index);
      diagnostics.notificationClick = (id) => (isHealth(id) ? health.onClicked(id) : notifier.onClicked(id));
      diagnostics.healthTiming = (timing) => health.setTiming(timing);
      diagnostics.clearMailCache = () => mailCache.clear();
      diagnostics.hasCachedMessage = async (id) => (await mailCache.getMessage(id)) !== null;
    }

    browser.runtime.onConnect.addListener((port) => {
      // onConnect only fires for our own pages (other extensions use onConnectExternal); the name
      // check keeps future ports from being served as UI ports by accident.
      if (port.name !== UI_PORT_NAME || port.sender?.id !== browser.runtime.id) {
        port.disconnect();
        return;
      }
      serveUiPort(port, controller, log, mail);
    });

    // A first install opens the options page, where pairing starts (registered synchronously:
    // onInstalled fires once, right after the worker's first start).
    browser.runtime.onInstalled.addListener(({ reason }) => {
      void controller.welcomeOnInstall(reason).then((open) => (open ? browser.runtime.openOptionsPage() : undefined));
    });

    browser.alarms.onAlarm.addListener((alarm) => {
      if (alarm.name === RECONNECT_ALARM) void controller.onAlarm();
    });
    // Re-creating an alarm with the same name replaces it, so doing this on every start is safe.
    void browser.alarms.create(RECONNECT_ALARM, { periodInMinutes: 1 });

    void controller.start();
  },
});

/**
 * Test-only hooks (`tidingsDiagnostics`), present only in `npm run build:test`: Vite replaces the
 * mode with a constant, so the production bundle drops them and their module.
 */
const diagnostics = import.meta.env.MODE === 'test' ? installTestHooks() : null;

/**
 * Opens the popup on a message (a notification click): `action.openPopup()` where the browser has
 * it (Chrome 127+, needs a focused window), with the target in the popup's URL for that one
 * opening; otherwise the same page in a tab.
 */
async function openInPopup(target: OpenTarget): Promise<void> {
  const path = openTargetPath(target);
  const action = browser.action as typeof browser.action & { openPopup?: () => Promise<void> };
  if (action.openPopup) {
    try {
      await action.setPopup({ popup: path });
      await action.openPopup();
      return;
    } catch {
      // No focused browser window, or the browser refused: fall through to a tab.
    } finally {
      await action.setPopup({ popup: 'popup.html' });
    }
  }
  await browser.tabs.create({ url: browser.runtime.getURL(`/${path}`) });
}

async function setBadge(badge: Badge): Promise<void> {
  await Promise.all([
    browser.action.setBadgeText({ text: badge.text }),
    browser.action.setBadgeBackgroundColor({ color: badge.color }),
    browser.action.setTitle({ title: badge.title }),
  ]);
  diagnostics?.recordBadge(badge.text);
  // Chrome 110+ picks a readable text colour itself; set white explicitly for our dark badges.
  await browser.action.setBadgeTextColor?.({ color: '#ffffff' });
}

/** Wires a real WebSocket to the client's handlers; all four, so no error goes unheard. */
const openWebSocket: CreateSocket = (url, handlers) => {
  const socket = new WebSocket(url);
  socket.onopen = () => handlers.onOpen();
  socket.onmessage = (event: MessageEvent<unknown>) => handlers.onMessage(event.data);
  socket.onclose = (event) => handlers.onClose(event.code, event.reason);
  socket.onerror = () => handlers.onError(new Error(`WebSocket error on ${url}`));
  return socket;
};
