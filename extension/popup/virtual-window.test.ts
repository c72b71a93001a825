import { describe, expect, it } from 'vitest';
import { nearEnd, rowWindow, scrollToRow } from './virtual-window.js';

describe('rowWindow', () => {
  const base = { rowHeight: 60, viewportHeight: 480, overscan: 5 };

  it('renders only the visible rows plus overscan, whatever the list length', () => {
    const w = rowWindow({ ...base, scrollTop: 0, count: 10_000 });
    expect(w).toEqual({ start: 0, end: 14 });
    const far = rowWindow({ ...base, scrollTop: 60 * 5_000, count: 10_000 });
    expect(far).toEqual({ start: 4_995, end: 5_014 });
    expect(far.end - far.start).toBeLessThanOrEqual(20);
  });

  it('clamps at the end and for short or empty lists', () => {
    expect(rowWindow({ ...base, scrollTop: 60 * 9_999, count: 10_000 })).toEqual({ start: 9_994, end: 10_000 });
    expect(rowWindow({ ...base, scrollTop: 0, count: 3 })).toEqual({ start: 0, end: 3 });
    expect(rowWindow({ ...base, scrollTop: 500, count: 0 })).toEqual({ start: 0, end: 0 });
    // A scroll position past the end (the list shrank) still renders the last rows.
    expect(rowWindow({ ...base, scrollTop: 60 * 50, count: 10 })).toEqual({ start: 4, end: 10 });
  });

  it('scrolls a row into view with the least movement', () => {
    expect(scrollToRow(0, 120, 480, 60)).toBe(0);
    expect(scrollToRow(10, 0, 480, 60)).toBe(660 - 480);
    expect(scrollToRow(3, 0, 480, 60)).toBeNull();
  });

  it('says when the next page should load', () => {
    expect(nearEnd({ start: 30, end: 45 }, 50, 10)).toBe(true);
    expect(nearEnd({ start: 0, end: 14 }, 50, 10)).toBe(false);
    expect(nearEnd({ start: 0, end: 0 }, 0, 10)).toBe(false);
  });
});
