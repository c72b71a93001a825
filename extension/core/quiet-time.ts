/**
 * Whether the user's quiet hours (`UserSettings.notifications.quietHours`) are in force at a
 * given moment. Pure, so the background (health notifications) and the options page (the "quiet
 * now" line, through options/quiet-hours.ts) read the schedule the same way. The relay applies
 * the same rule to new mail (relay/src/notify/should-notify.ts).
 */
import type { UserSettings } from '../../shared/index.js';

export type QuietHours = UserSettings['notifications']['quietHours'];

/** Minutes since midnight of `"HH:MM"`. */
function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Weekday (0 = Sunday) and minutes since midnight of `epochMs` in `timeZone`. */
export function localTime(epochMs: number, timeZone: string): { day: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(epochMs);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(get('weekday'));
  return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

/**
 * Whether the schedule is in force at `epochMs`. A schedule that crosses midnight (22:00–07:00)
 * belongs to the day it starts on: Friday night's quiet hours still hold at 06:00 on Saturday
 * even if Saturday is not a selected day. Start = end means all day on the selected days.
 */
export function isQuietAt(quiet: QuietHours, epochMs: number): boolean {
  if (!quiet.enabled || quiet.days.length === 0) return false;
  let now: { day: number; minutes: number };
  try {
    now = localTime(epochMs, quiet.timeZone);
  } catch {
    return false;
  }
  const start = minutes(quiet.start);
  const end = minutes(quiet.end);
  const days = new Set(quiet.days);
  if (start === end) return days.has(now.day);
  if (start < end) return days.has(now.day) && now.minutes >= start && now.minutes < end;
  const yesterday = (now.day + 6) % 7;
  return (days.has(now.day) && now.minutes >= start) || (days.has(yesterday) && now.minutes < end);
}
