import { afterEach, describe, expect, it, vi } from 'vitest';

// i18n.ts reads the UI language from the extension API (wxt/browser): an English browser.
vi.stubGlobal('chrome', { i18n: { getUILanguage: () => 'en', getMessage: () => '' } });

describe('warmDateFormats', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('builds every formatter a popup row uses, so the rows build none (entrypoints/popup/App.svelte)', async () => {
    const { formatDateTime, formatRelative, warmDateFormats } = await import('./i18n.js');
    const now = Date.UTC(2026, 11, 6, 12);
    warmDateFormats(now);
    const dates = vi.spyOn(Intl, 'DateTimeFormat');
    const relative = vi.spyOn(Intl, 'RelativeTimeFormat');
    // A row's date (relative, then a date after a week) and its tooltip, for mail of every age.
    for (const age of [5_000, 5 * 60_000, 5 * 3_600_000, 3 * 86_400_000, 30 * 86_400_000]) {
      formatRelative(now - age, now);
      formatDateTime(now - age);
    }
    expect(dates).not.toHaveBeenCalled();
    expect(relative).not.toHaveBeenCalled();
  });

  it('is what builds them: without it, the same rows build formatters', async () => {
    const { formatDateTime, formatRelative } = await import('./i18n.js');
    const dates = vi.spyOn(Intl, 'DateTimeFormat');
    const relative = vi.spyOn(Intl, 'RelativeTimeFormat');
    const now = Date.UTC(2026, 11, 6, 12);
    formatRelative(now - 30 * 86_400_000, now);
    formatDateTime(now);
    formatRelative(now - 5_000, now);
    expect(dates).toHaveBeenCalledTimes(2);
    expect(relative).toHaveBeenCalledTimes(1);
  });
});
