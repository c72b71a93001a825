import { describe, expect, it } from 'vitest';
import { announceSelection } from './selection-announcement.js';

const t = (key: string, subs?: string | string[]) => [key, ...[subs ?? []].flat()].join(':');
const say = (prev: string[], next: string[]) => announceSelection(new Set(prev), new Set(next), t, String);

describe('announceSelection', () => {
  it('says the toggled row and the count', () => {
    expect(say([], ['a'])).toBe('popup_announceSelected:1');
    expect(say(['a'], ['a', 'b'])).toBe('popup_announceSelected:2');
    expect(say(['a', 'b'], ['a'])).toBe('popup_announceDeselected:1');
    expect(say(['a'], [])).toBe('popup_announceDeselected:0');
  });

  it('says the count after select all, and that a selection was cleared', () => {
    expect(say(['a'], ['a', 'b', 'c'])).toBe('popup_announceSelectedCount:3');
    expect(say(['a', 'b', 'c'], [])).toBe('popup_announceSelectionCleared');
  });

  it('says nothing when the selection did not change', () => {
    expect(say(['a', 'b'], ['b', 'a'])).toBeNull();
    expect(say([], [])).toBeNull();
  });
});
