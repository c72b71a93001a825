/**
 * Hooks for test drivers and benchmarks, readable from DevTools or Playwright as
 * `tidingsDiagnostics` in the worker. Installed only by the test build (`npm run build:test`,
 * WXT mode `test`); the production build does not contain this module. Holds no mail content.
 */
import type { MessageId } from '../../shared/index.js';

export interface TestHooks {
  /**
   * The last badge texts with the time they were set (epoch ms, sub-ms precision). The `push`
   * benchmark measures "relay received EXISTS → badge set" from these. Bounded.
   */
  badge: { text: string; at: number }[];
  recordBadge(text: string): void;
  /** Runs a notification button's handler as a click would (e2e tests). */
  notificationButton?: (notificationId: string, buttonIndex: number) => Promise<void>;
  /** Runs a notification's click handler as a click would (e2e tests). */
  notificationClick?: (notificationId: string) => Promise<void>;
  /**
   * Shortens the health notifications' waits (failing before the outage notice, live before the
   * recovery) so an e2e test need not wait minutes. Lasts until the worker stops.
   */
  healthTiming?: (timing: { outageAfterMs?: number; recoveredAfterMs?: number }) => void;
  /** Empties the mail cache (the popup_list benchmark's cold case). */
  clearMailCache?: () => Promise<void>;
  /** Whether the mail cache holds this message's body (the prefetch e2e test). */
  hasCachedMessage?: (id: MessageId) => Promise<boolean>;
}

const MAX_BADGE_ENTRIES = 100;

export function installTestHooks(): TestHooks {
  const hooks: TestHooks = {
    badge: [],
    recordBadge(text) {
      hooks.badge.push({ text, at: performance.timeOrigin + performance.now() });
      if (hooks.badge.length > MAX_BADGE_ENTRIES) hooks.badge.splice(0, hooks.badge.length - MAX_BADGE_ENTRIES);
    },
  };
  (globalThis as { tidingsDiagnostics?: TestHooks }).tidingsDiagnostics = hooks;
  return hooks;
}
