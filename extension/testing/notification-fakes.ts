/** A `chrome.notifications` stand-in for the notifier unit tests. Not shipped. */
import type { NotificationContent, NotificationsApi } from '../background/notifications.js';

/**
 * Keeps what is on screen as Chrome does (update of a dismissed id answers false) and records
 * every call as `"<call> <id>"`, with the fake clock's time when `now` is given.
 */
export function fakeNotificationsApi(now?: () => number): {
  api: NotificationsApi;
  onScreen: Map<string, NotificationContent>;
  calls: string[];
  /** Every create/update in order, with its content and time. */
  shown: { call: 'create' | 'update'; id: string; content: NotificationContent; at: number }[];
} {
  const onScreen = new Map<string, NotificationContent>();
  const calls: string[] = [];
  const shown: { call: 'create' | 'update'; id: string; content: NotificationContent; at: number }[] = [];
  return {
    onScreen,
    calls,
    shown,
    api: {
      create: async (id, content) => {
        calls.push(`create ${id}`);
        shown.push({ call: 'create', id, content, at: now?.() ?? 0 });
        onScreen.set(id, content);
      },
      update: async (id, content) => {
        calls.push(`update ${id}`);
        if (!onScreen.has(id)) return false;
        shown.push({ call: 'update', id, content, at: now?.() ?? 0 });
        onScreen.set(id, content);
        return true;
      },
      clear: async (id) => {
        calls.push(`clear ${id}`);
        return onScreen.delete(id);
      },
    },
  };
}
