import { describe, expect, it } from 'vitest';
import { row, rows } from '../testing/mail-fakes.js';
import { byDate, mergeByDate } from './date-order.js';

const uids = (list: readonly { id: { uid: number } }[]) => list.map((r) => r.id.uid);

describe('date order of the popup list', () => {
  it('shows a message moved back by undo (new, highest UID; old date) at its date, not first', () => {
    // The relay pages by UID: the message undone from Archive came back as UID 2003 and is first.
    const relayPage = [row(2003, { date: row(3).date }), ...rows(1, 5).filter((r) => r.id.uid !== 3)];
    expect(uids(relayPage)).toEqual([2003, 5, 4, 2, 1]);
    expect(uids(byDate(relayPage))).toEqual([5, 4, 2003, 2, 1]);
  });

  it('orders ties by date by UID, newest first', () => {
    const date = row(1).date;
    expect(uids(byDate([row(7, { date }), row(9, { date }), row(8, { date })]))).toEqual([9, 8, 7]);
  });

  it('merges an older page, skipping rows already listed and placing a newer one among them', () => {
    const listed = byDate(rows(6, 10));
    const page = [row(8), row(5), row(4), row(1000, { date: row(7).date + 1 })];
    expect(uids(mergeByDate(listed, page))).toEqual([10, 9, 8, 1000, 7, 6, 5, 4]);
    expect(uids(mergeByDate([], page))).toEqual([8, 1000, 5, 4]);
    expect(uids(mergeByDate(listed, []))).toEqual([10, 9, 8, 7, 6]);
  });
});
