import { describe, expect, it } from 'vitest';
import { EventHub } from './hub.js';

const counts = (n: number) => ({ accountId: 'a1', unread: n, mailboxes: [] });

describe('EventHub', () => {
  it('numbers events per user and delivers them to that user only', () => {
    const hub = new EventHub({ initialSeq: 100 });
    const got: number[] = [];
    const other: number[] = [];
    hub.subscribe('u1', null, (e) => got.push(e.seq));
    hub.subscribe('u2', null, (e) => other.push(e.seq));
    hub.publish('u1', 'counts', counts(1));
    hub.publish('u1', 'counts', counts(2));
    expect(got).toEqual([101, 102]);
    expect(other).toEqual([]);
  });

  it('replays what a client missed and asks for a resync when the gap is gone', () => {
    const hub = new EventHub({ initialSeq: 0, capacity: 3 });
    for (let i = 1; i <= 5; i++) hub.publish('u', 'counts', counts(i));
    const recent = hub.subscribe('u', 3, () => {});
    expect(recent.resync).toBe(false);
    expect(recent.replay.map((e) => e.seq)).toEqual([4, 5]);
    const upToDate = hub.subscribe('u', 5, () => {});
    expect(upToDate).toMatchObject({ resync: false, replay: [] });
    const tooOld = hub.subscribe('u', 1, () => {});
    expect(tooOld).toMatchObject({ resync: true, replay: [] });
    expect(hub.subscribe('u', null, () => {}).resync).toBe(true);
    // A seq from the future (a relay restart resets seqs) is a resync, not a silent skip.
    expect(hub.subscribe('u', 99, () => {}).resync).toBe(true);
  });

  it('stops delivering after unsubscribe', () => {
    const hub = new EventHub();
    let n = 0;
    const sub = hub.subscribe('u', null, () => n++);
    hub.publish('u', 'counts', counts(1));
    sub.unsubscribe();
    hub.publish('u', 'counts', counts(2));
    expect(n).toBe(1);
  });
});
