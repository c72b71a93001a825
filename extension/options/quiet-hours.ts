/**
 * Display helpers for the quiet-hours schedule of `UserSettings.notifications.quietHours`. The
 * relay decides whether a message notifies (it owns the clock that matters); these only describe
 * the schedule and say whether it is in force right now, in the user's language.
 */
import type { QuietHours } from '../core/quiet-time.js';
import type { Translate } from '../i18n/i18n.js';

// The schedule itself is read in core/ (the background needs it too); re-exported for the page.
export { isQuietAt, localTime, type QuietHours } from '../core/quiet-time.js';

/** 0 = Sunday … 6 = Saturday, as in the protocol. 2023-01-01 was a Sunday. */
const SUNDAY_UTC = Date.UTC(2023, 0, 1, 12);

/** Weekday names in `locale`, index 0 = Sunday. */
export function weekdayNames(locale: string, style: 'long' | 'short' | 'narrow' = 'short'): string[] {
  const format = new Intl.DateTimeFormat(locale, { weekday: style, timeZone: 'UTC' });
  return Array.from({ length: 7 }, (_, day) => format.format(SUNDAY_UTC + day * 86_400_000));
}

/** Days in the order the locale's week starts (Monday first except in en-US-like locales). */
export function weekdayOrder(locale: string): number[] {
  const info = (new Intl.Locale(locale) as Intl.Locale & { getWeekInfo?: () => { firstDay: number } }).getWeekInfo?.();
  // Intl's firstDay is 1 = Monday … 7 = Sunday; English defaults to Sunday, most others Monday.
  const first = info ? info.firstDay % 7 : locale.toLowerCase().startsWith('en') ? 0 : 1;
  return Array.from({ length: 7 }, (_, i) => (first + i) % 7);
}

/** `"22:00"` as the locale writes times (`10:00 PM` in en-US, `22:00` in es). */
export function formatClock(hhmm: string, locale: string): string {
  const [h, m] = hhmm.split(':').map(Number);
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(
    Date.UTC(2023, 0, 1, h ?? 0, m ?? 0),
  );
}

/**
 * One line describing the schedule, e.g. "10:00 PM – 7:00 AM, every day (Europe/Madrid)" or
 * "22:00 – 7:00, lun, mar (Europe/Madrid)".
 */
export function describeQuietHours(quiet: QuietHours, options: { t: Translate; locale: string }): string {
  const { t, locale } = options;
  if (!quiet.enabled) return t('quiet_off');
  if (quiet.days.length === 0) return t('quiet_noDays');
  const range = t('quiet_range', [formatClock(quiet.start, locale), formatClock(quiet.end, locale)]);
  const days = new Set(quiet.days);
  let when: string;
  if (days.size === 7) when = t('quiet_everyDay');
  else if (days.size === 5 && [1, 2, 3, 4, 5].every((d) => days.has(d))) when = t('quiet_weekdays');
  else if (days.size === 2 && days.has(0) && days.has(6)) when = t('quiet_weekends');
  else {
    const names = weekdayNames(locale);
    const list = new Intl.ListFormat(locale, { style: 'narrow', type: 'conjunction' });
    when = list.format(
      weekdayOrder(locale)
        .filter((d) => days.has(d))
        .map((d) => names[d] ?? ''),
    );
  }
  return t('quiet_summary', [range, when, quiet.timeZone]);
}
