import { describe, expect, it, vi } from 'vitest';

// i18n.ts reads the UI language from the extension API (wxt/browser): an English browser.
vi.stubGlobal('chrome', { i18n: { getUILanguage: () => 'en', getMessage: () => '' } });
const { formatRelative } = await import('./i18n.js');

describe('formatRelative', () => {
  const now = Date.UTC(2026, 5, 1, 12);
  it('never says a time is in the future (issue 8): a clock ahead of ours reads as now', () => {
    expect(formatRelative(now + 3 * 60_000, now)).toBe(formatRelative(now, now));
    expect(formatRelative(now + 3 * 60_000, now)).not.toMatch(/^in /);
  });

  it('still says how long ago a past time was', () => {
    expect(formatRelative(now - 5 * 60_000, now)).toBe('5 minutes ago');
  });
});
