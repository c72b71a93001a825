import { describe, expect, it } from 'vitest';
import {
  describeQuietHours,
  formatClock,
  isQuietAt,
  localTime,
  weekdayNames,
  weekdayOrder,
  type QuietHours,
} from './quiet-hours.js';
import { testTranslator } from '../testing/translator.js';

const base: QuietHours = {
  enabled: true,
  start: '22:00',
  end: '07:00',
  days: [0, 1, 2, 3, 4, 5, 6],
  timeZone: 'Europe/Madrid',
};
/** 2026-06-05 is a Friday; Madrid is UTC+2 in June. */
const madrid = (day: number, hh: number, mm = 0) => Date.UTC(2026, 5, day, hh - 2, mm);

describe('quiet hours', () => {
  it('reads the local weekday and time in the schedule’s zone', () => {
    expect(localTime(madrid(5, 23, 30), 'Europe/Madrid')).toEqual({ day: 5, minutes: 23 * 60 + 30 });
    expect(localTime(madrid(5, 23, 30), 'America/New_York')).toEqual({ day: 5, minutes: 17 * 60 + 30 });
  });

  it('holds across midnight, belonging to the day it starts on', () => {
    const fridays = { ...base, days: [5] };
    expect(isQuietAt(fridays, madrid(5, 21, 59))).toBe(false);
    expect(isQuietAt(fridays, madrid(5, 22, 0))).toBe(true);
    // Saturday 06:00 is still Friday night's quiet hours, though Saturday is not selected.
    expect(isQuietAt(fridays, madrid(6, 6, 0))).toBe(true);
    expect(isQuietAt(fridays, madrid(6, 7, 0))).toBe(false);
    expect(isQuietAt(fridays, madrid(6, 22, 30))).toBe(false);
    // Friday 06:00 belongs to Thursday night, which is not selected.
    expect(isQuietAt(fridays, madrid(5, 6, 0))).toBe(false);
  });

  it('handles a same-day range, all-day (start = end), off and no days', () => {
    const lunch = { ...base, start: '12:00', end: '13:30', days: [1, 2, 3, 4, 5] };
    expect(isQuietAt(lunch, madrid(5, 12, 45))).toBe(true);
    expect(isQuietAt(lunch, madrid(6, 12, 45))).toBe(false);
    expect(isQuietAt({ ...base, start: '00:00', end: '00:00', days: [6] }, madrid(6, 15))).toBe(true);
    expect(isQuietAt({ ...base, enabled: false }, madrid(5, 23))).toBe(false);
    expect(isQuietAt({ ...base, days: [] }, madrid(5, 23))).toBe(false);
    expect(isQuietAt({ ...base, timeZone: 'Not/AZone' }, madrid(5, 23))).toBe(false);
  });

  it('describes the schedule in the user’s language', () => {
    const en = { t: testTranslator('en'), locale: 'en-US' };
    const es = { t: testTranslator('es'), locale: 'es' };
    expect(describeQuietHours(base, en)).toBe('10:00 PM – 7:00 AM, every day (Europe/Madrid)');
    expect(describeQuietHours(base, es)).toBe('22:00 – 7:00, todos los días (Europe/Madrid)');
    expect(describeQuietHours({ ...base, days: [1, 2, 3, 4, 5] }, en)).toMatch(/Monday to Friday/);
    expect(describeQuietHours({ ...base, days: [0, 6] }, es)).toMatch(/los fines de semana/);
    expect(describeQuietHours({ ...base, days: [0, 3] }, en)).toBe('10:00 PM – 7:00 AM, Sun, Wed (Europe/Madrid)');
    expect(describeQuietHours({ ...base, days: [0, 3] }, es)).toBe('22:00 – 7:00, mié y dom (Europe/Madrid)');
    expect(describeQuietHours({ ...base, enabled: false }, en)).toBe('Off');
  });

  it('names and orders weekdays per locale', () => {
    expect(weekdayNames('en-US')[0]).toBe('Sun');
    expect(weekdayNames('es', 'long')[1]).toBe('lunes');
    expect(weekdayOrder('en-US')[0]).toBe(0);
    expect(weekdayOrder('es')[0]).toBe(1);
    expect(formatClock('07:05', 'en-US')).toBe('7:05 AM');
  });
});
