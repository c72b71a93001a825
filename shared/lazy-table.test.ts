import { describe, expect, it } from 'vitest';
import { lazyTable } from './lazy-table.js';

describe('lazyTable', () => {
  it('builds an entry on its first read, once, and keeps it', () => {
    const built: string[] = [];
    const table = lazyTable({
      a: () => (built.push('a'), { n: 1 }),
      b: () => (built.push('b'), { n: 2 }),
    });
    expect(Object.keys(table)).toEqual(['a', 'b']);
    expect(Object.hasOwn(table, 'a')).toBe(true);
    expect(built).toEqual([]);
    const first = table.a;
    expect(first).toEqual({ n: 1 });
    expect(table.a).toBe(first);
    expect(built).toEqual(['a']);
    expect(() => Object.assign(table, { a: { n: 3 } })).toThrow(TypeError);
    expect(table.a).toBe(first);
  });
});
