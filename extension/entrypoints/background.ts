import { browser } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { BackgroundController } from '../lib/background-controller.js';
import type { Badge } from '../lib/badge.js';
import { consoleLogger } from '../lib/log.js';
import { UI_PORT_NAME } from '../lib/messages.js';
import type { CreateSocket } from '../lib/relay-client.js';
import { serveUiPort } from '../lib/ui-port-server.js';

/** Wakes the worker and reconnects if the socket is not open (see BackgroundController.onAlarm). */
const RECONNECT_ALARM = 'tidings-reconnect';

/**
 * The only place that touches `browser.*`: it builds the controller from real browser services
 * and registers every listener synchronously in `main`, as MV3 requires for events that start
 * the worker (alarm, port connect).
 */
export default defineBackground({
  type: 'module',
  main() {
    const log = consoleLogger('background');
    const controller = new BackgroundController({
      store: {
        get: async (key) => (await browser.storage.local.get(key))[key],
        set: (key, value) => browser.storage.local.set({ [key]: value }),
      },
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
        return `${import.meta.env.BROWSER === 'firefox' ? 'Firefox' : 'Chrome'} on ${os}`;
      },
      log,
    });

    browser.runtime.onConnect.addListener((port) => {
      // onConnect only fires for our own pages (other extensions use onConnectExternal); the name
      // check keeps future ports from being served as UI ports by accident.
      if (port.name !== UI_PORT_NAME || port.sender?.id !== browser.runtime.id) {
        port.disconnect();
        return;
      }
      serveUiPort(port, controller, log);
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
 * The last badge texts with the time they were set (epoch ms, sub-ms precision), readable from
 * DevTools or a test driver as `tidingsDiagnostics.badge`. The `push` benchmark measures "relay
 * received EXISTS → badge set" from these. Bounded; holds no mail content.
 */
const diagnostics = { badge: [] as { text: string; at: number }[] };
(globalThis as { tidingsDiagnostics?: typeof diagnostics }).tidingsDiagnostics = diagnostics;

async function setBadge(badge: Badge): Promise<void> {
  await Promise.all([
    browser.action.setBadgeText({ text: badge.text }),
    browser.action.setBadgeBackgroundColor({ color: badge.color }),
    browser.action.setTitle({ title: badge.title }),
  ]);
  diagnostics.badge.push({ text: badge.text, at: performance.timeOrigin + performance.now() });
  if (diagnostics.badge.length > 100) diagnostics.badge.splice(0, diagnostics.badge.length - 100);
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
