import { describe, expect, it } from 'vitest';
import { uidSet } from './sync-window.js';

describe('uidSet', () => {
  it('compresses runs, sorts and drops duplicates', () => {
    expect(uidSet([9, 1, 2, 3, 7, 10, 2])).toBe('1:3,7,9:10');
    expect(uidSet([5])).toBe('5');
    expect(uidSet([])).toBe('');
  });
});
