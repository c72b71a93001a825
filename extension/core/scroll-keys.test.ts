import { describe, expect, it } from 'vitest';
import { LINE_PX, scrollTarget } from './scroll-keys.js';

const box = { scrollTop: 500, clientHeight: 400, scrollHeight: 2000 };
const key = (k: string, shiftKey = false) => scrollTarget({ key: k, shiftKey }, box);

describe('scrollTarget', () => {
  it('scrolls a line with the arrows and a page (one line of overlap) with Space and PageUp/PageDown', () => {
    expect(key('ArrowDown')).toBe(500 + LINE_PX);
    expect(key('ArrowUp')).toBe(500 - LINE_PX);
    expect(key(' ')).toBe(500 + 400 - LINE_PX);
    expect(key(' ', true)).toBe(500 - 400 + LINE_PX);
    expect(key('PageDown')).toBe(500 + 400 - LINE_PX);
    expect(key('PageUp')).toBe(500 - 400 + LINE_PX);
  });

  it('goes to the ends with Home and End, and never past them', () => {
    expect(key('Home')).toBe(0);
    expect(key('End')).toBe(1600);
    expect(scrollTarget({ key: 'PageDown', shiftKey: false }, { ...box, scrollTop: 1500 })).toBe(1600);
    expect(scrollTarget({ key: 'ArrowUp', shiftKey: false }, { ...box, scrollTop: 10 })).toBe(0);
    expect(scrollTarget({ key: 'End', shiftKey: false }, { scrollTop: 0, clientHeight: 400, scrollHeight: 100 })).toBe(
      0,
    );
  });

  it('leaves other keys alone', () => {
    for (const k of ['j', 'Enter', 'Escape', 'ArrowLeft', 'Tab']) expect(key(k)).toBeNull();
  });
});
