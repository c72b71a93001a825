import { describe, expect, it } from 'vitest';
import { FlagOrder } from './flag-order.js';

describe('FlagOrder', () => {
  it('publishes a change only when it is newer than the last published for that message', () => {
    const order = new FlagOrder();
    expect(order.admit('a', 10n)).toBe(true);
    // The IDLE report of the same change, and an older state reported late.
    expect(order.admit('a', 10n)).toBe(false);
    expect(order.admit('a', 9n)).toBe(false);
    expect(order.admit('a', 11n)).toBe(true);
    expect(order.admit('a', 10n)).toBe(false);
    // Messages are ordered apart.
    expect(order.admit('b', 3n)).toBe(true);
  });

  it('always publishes a change without a modseq (a server without CONDSTORE)', () => {
    const order = new FlagOrder();
    expect(order.admit('a', undefined)).toBe(true);
    expect(order.admit('a', undefined)).toBe(true);
    expect(order.admit('a', 5n)).toBe(true);
    expect(order.admit('a', undefined)).toBe(true);
    expect(order.admit('a', 4n)).toBe(false);
  });

  it('forgets the least recently changed message first when full', () => {
    const order = new FlagOrder(2);
    order.admit('a', 1n);
    order.admit('b', 1n);
    order.admit('a', 2n);
    order.admit('c', 1n);
    expect(order.size).toBe(2);
    // b went (changed least recently): an old state of b is published again; c is still ordered.
    expect(order.admit('b', 0n)).toBe(true);
    expect(order.admit('c', 1n)).toBe(false);
  });
});
