/**
 * Whether a new message should raise a desktop notification. Decided once, by the relay, so every
 * browser of the user agrees (the `notify` flag of `message.new`). Pure: everything it needs is
 * passed in, including the clock.
 *
 * @example
 * shouldNotify({ settings, accountId: 'a1', row, now: Date.now() }) // false during quiet hours
 */
import type { MessageRow, UserSettings } from '../../../shared/index.js';

export interface ShouldNotifyInput {
  settings: UserSettings;
  accountId: string;
  /** The row as fetched after EXISTS: its flags are the server's at that moment. */
  row: Pick<MessageRow, 'seen' | 'flags'>;
  /** Epoch ms. */
  now: number;
}

export function shouldNotify({ settings, accountId, row, now }: ShouldNotifyInput): boolean {
  const n = settings.notifications;
  if (!n.enabled) return false;
  if (n.mutedAccounts.includes(accountId)) return false;
  // Read on another device before we fetched it, or already deleted (\Deleted awaiting EXPUNGE).
  if (row.seen || row.flags.includes('\\Seen') || row.flags.includes('\\Deleted')) return false;
  return !inQuietHours(n.quietHours, now);
}

type QuietHours = UserSettings['notifications']['quietHours'];

/**
 * True when `now` falls inside the quiet-hours schedule, evaluated in the schedule's own IANA
 * time zone (so a laptop that travels keeps the user's intended nights).
 *
 * - start < end (09:00–17:00): quiet from start until end on the listed days.
 * - start > end (22:00–07:00) crosses midnight: the `days` list names the day the quiet period
 *   STARTS on, so Monday listed means Monday 22:00 to Tuesday 07:00 (as phone "bedtime" modes do).
 * - start = end: the whole listed day.
 * The end minute itself is not quiet (07:00 sharp notifies).
 */
export function inQuietHours(quiet: QuietHours, now: number): boolean {
  if (!quiet.enabled || quiet.days.length === 0) return false;
  const { weekday, minutes } = localTime(now, quiet.timeZone);
  const start = toMinutes(quiet.start);
  const end = toMinutes(quiet.end);
  const on = (day: number) => quiet.days.includes(day);
  if (start === end) return on(weekday);
  if (start < end) return minutes >= start && minutes < end && on(weekday);
  if (minutes >= start) return on(weekday);
  if (minutes < end) return on((weekday + 6) % 7);
  return false;
}

function toMinutes(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      // Settings are validated on save; a zone this Node no longer knows degrades to UTC.
      f = formatter('UTC');
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Weekday (0 = Sunday) and minutes since local midnight at `now` in `timeZone`. */
export function localTime(now: number, timeZone: string): { weekday: number; minutes: number } {
  let weekday = 0;
  let hour = 0;
  let minute = 0;
  for (const part of formatter(timeZone).formatToParts(now)) {
    if (part.type === 'weekday') weekday = WEEKDAYS[part.value] ?? 0;
    else if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return { weekday, minutes: hour * 60 + minute };
}
