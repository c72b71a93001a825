import { describe, expect, it } from 'vitest';
import { DEFAULT_USER_SETTINGS, type UserSettings } from '../../../shared/index.js';
import { inQuietHours, localTime, shouldNotify } from './should-notify.js';

const unseen = { seen: false, flags: [] as string[] };

function settings(
  patch: Partial<UserSettings['notifications']['quietHours']> = {},
  more: Partial<UserSettings['notifications']> = {},
): UserSettings {
  const base = structuredClone(DEFAULT_USER_SETTINGS);
  return {
    ...base,
    notifications: { ...base.notifications, ...more, quietHours: { ...base.notifications.quietHours, ...patch } },
  };
}

// 2026-03-02 is a Monday.
const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('shouldNotify', () => {
  it('notifies an unseen message by default', () => {
    expect(shouldNotify({ settings: settings(), accountId: 'a', row: unseen, now: utc('2026-03-02T12:00:00') })).toBe(
      true,
    );
  });

  it('stays quiet when notifications are off or the account is muted', () => {
    const now = utc('2026-03-02T12:00:00');
    expect(shouldNotify({ settings: settings({}, { enabled: false }), accountId: 'a', row: unseen, now })).toBe(false);
    const muted = settings({}, { mutedAccounts: ['a'] });
    expect(shouldNotify({ settings: muted, accountId: 'a', row: unseen, now })).toBe(false);
    expect(shouldNotify({ settings: muted, accountId: 'b', row: unseen, now })).toBe(true);
  });

  it('does not notify a message already read or deleted when the event was built', () => {
    const now = utc('2026-03-02T12:00:00');
    expect(shouldNotify({ settings: settings(), accountId: 'a', row: { seen: true, flags: ['\\Seen'] }, now })).toBe(
      false,
    );
    expect(
      shouldNotify({ settings: settings(), accountId: 'a', row: { seen: false, flags: ['\\Deleted'] }, now }),
    ).toBe(false);
  });

  it('respects quiet hours', () => {
    const s = settings({ enabled: true, start: '22:00', end: '07:00' });
    expect(shouldNotify({ settings: s, accountId: 'a', row: unseen, now: utc('2026-03-02T23:30:00') })).toBe(false);
    expect(shouldNotify({ settings: s, accountId: 'a', row: unseen, now: utc('2026-03-02T12:00:00') })).toBe(true);
  });
});

describe('inQuietHours', () => {
  it('is off when disabled or with no days', () => {
    expect(inQuietHours(settings({ enabled: false }).notifications.quietHours, utc('2026-03-02T23:00:00'))).toBe(false);
    expect(
      inQuietHours(settings({ enabled: true, days: [] }).notifications.quietHours, utc('2026-03-02T23:00:00')),
    ).toBe(false);
  });

  it('handles a same-day window, end minute excluded', () => {
    const q = settings({ enabled: true, start: '09:00', end: '17:00' }).notifications.quietHours;
    expect(inQuietHours(q, utc('2026-03-02T08:59:00'))).toBe(false);
    expect(inQuietHours(q, utc('2026-03-02T09:00:00'))).toBe(true);
    expect(inQuietHours(q, utc('2026-03-02T16:59:00'))).toBe(true);
    expect(inQuietHours(q, utc('2026-03-02T17:00:00'))).toBe(false);
  });

  it('handles a window across midnight, keyed by the day it starts', () => {
    // Quiet on Friday and Saturday nights only: Fri 22:00 → Sat 07:00 and Sat 22:00 → Sun 07:00.
    const q = settings({ enabled: true, start: '22:00', end: '07:00', days: [5, 6] }).notifications.quietHours;
    expect(inQuietHours(q, utc('2026-03-06T23:00:00'))).toBe(true); // Fri night
    expect(inQuietHours(q, utc('2026-03-07T06:59:00'))).toBe(true); // Sat early (started Fri)
    expect(inQuietHours(q, utc('2026-03-07T07:00:00'))).toBe(false);
    expect(inQuietHours(q, utc('2026-03-08T03:00:00'))).toBe(true); // Sun early (started Sat)
    expect(inQuietHours(q, utc('2026-03-08T23:00:00'))).toBe(false); // Sun night: not listed
    expect(inQuietHours(q, utc('2026-03-06T03:00:00'))).toBe(false); // Fri early: started Thu, not listed
    expect(inQuietHours(q, utc('2026-03-06T21:59:00'))).toBe(false);
  });

  it('treats start = end as the whole listed day', () => {
    const q = settings({ enabled: true, start: '00:00', end: '00:00', days: [0] }).notifications.quietHours;
    expect(inQuietHours(q, utc('2026-03-08T12:00:00'))).toBe(true); // Sunday
    expect(inQuietHours(q, utc('2026-03-09T12:00:00'))).toBe(false); // Monday
  });

  it('evaluates the schedule in its own time zone', () => {
    // 22:00–07:00 in Madrid (UTC+1 in March before DST) and New York (UTC-5).
    const madrid = settings({ enabled: true, start: '22:00', end: '07:00', timeZone: 'Europe/Madrid' }).notifications
      .quietHours;
    expect(inQuietHours(madrid, utc('2026-03-02T21:30:00'))).toBe(true); // 22:30 Madrid
    expect(inQuietHours(madrid, utc('2026-03-02T20:30:00'))).toBe(false); // 21:30 Madrid
    const ny = { ...madrid, timeZone: 'America/New_York' };
    expect(inQuietHours(ny, utc('2026-03-02T21:30:00'))).toBe(false); // 16:30 New York
    expect(inQuietHours(ny, utc('2026-03-03T04:00:00'))).toBe(true); // 23:00 New York, Monday
  });

  it('uses the local weekday, not the UTC one', () => {
    // 2026-03-03T02:00Z is Monday 21:00 in New York but Tuesday in UTC.
    expect(localTime(utc('2026-03-03T02:00:00'), 'America/New_York')).toEqual({ weekday: 1, minutes: 21 * 60 });
    const mondaysOnly = settings({
      enabled: true,
      start: '20:00',
      end: '23:00',
      days: [1],
      timeZone: 'America/New_York',
    }).notifications.quietHours;
    expect(inQuietHours(mondaysOnly, utc('2026-03-03T02:00:00'))).toBe(true);
    expect(inQuietHours({ ...mondaysOnly, timeZone: 'UTC' }, utc('2026-03-03T02:00:00'))).toBe(false);
  });

  it('follows daylight saving time', () => {
    // Madrid switches to UTC+2 on 2026-03-29: 20:30Z is 22:30 local after the switch.
    const q = settings({ enabled: true, start: '22:00', end: '23:00', timeZone: 'Europe/Madrid' }).notifications
      .quietHours;
    expect(inQuietHours(q, utc('2026-03-28T20:30:00'))).toBe(false); // 21:30 CET
    expect(inQuietHours(q, utc('2026-03-30T20:30:00'))).toBe(true); // 22:30 CEST
  });
});
