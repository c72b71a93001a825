import { describe, expect, it } from 'vitest';
import { hasBidiControls, REPLACEMENT, safeLine, safeMultiline } from './safe-text.js';

describe('safeLine', () => {
  it('replaces the right-to-left override so a file name cannot fake its extension', () => {
    const shown = safeLine('invoice\u202Efdp.exe');
    expect(shown).toBe(`invoice${REPLACEMENT}fdp.exe`);
    expect(shown.endsWith('.exe')).toBe(true);
  });

  it.each([
    ['LRE', '\u202A'],
    ['RLE', '\u202B'],
    ['PDF', '\u202C'],
    ['LRO', '\u202D'],
    ['RLO', '\u202E'],
    ['LRI', '\u2066'],
    ['RLI', '\u2067'],
    ['FSI', '\u2068'],
    ['PDI', '\u2069'],
  ])('replaces %s', (_name, control) => {
    expect(safeLine(`a${control}b`)).toBe(`a${REPLACEMENT}b`);
    expect(hasBidiControls(`a${control}b`)).toBe(true);
  });

  it('keeps markup-looking text exactly (it is inserted as text)', () => {
    const raw = `<img src=x onerror="parent.__pwned=1">&amp; "quoted" 'single'`;
    expect(safeLine(raw)).toBe(raw);
    expect(hasBidiControls(raw)).toBe(false);
  });

  it('keeps right-to-left scripts and directional marks', () => {
    expect(safeLine('\u05E9\u05DC\u05D5\u05DD \u200F(work)')).toBe('\u05E9\u05DC\u05D5\u05DD \u200F(work)');
    expect(safeLine('\u0645\u0631\u062D\u0628\u0627\u061C')).toBe('\u0645\u0631\u062D\u0628\u0627\u061C');
  });

  it('folds line breaks and tabs into one space and replaces other controls', () => {
    expect(safeLine('a\r\n\tb')).toBe('a b');
    expect(safeLine('a\u0000b\u001Bc\u0085d')).toBe(`a${REPLACEMENT}b${REPLACEMENT}c${REPLACEMENT}d`);
  });
});

describe('safeMultiline', () => {
  it('keeps line breaks but not bidi controls', () => {
    expect(safeMultiline('one\r\ntwo\u202Eowt\n\tthree')).toBe(`one\r\ntwo${REPLACEMENT}owt\n\tthree`);
  });
});
