import { describe, expect, it } from 'vitest';
import { ActionJournal } from './action-journal.js';

describe('ActionJournal', () => {
  it('answers a replay with the first outcome instead of acting twice', async () => {
    const journal = new ActionJournal<number>();
    let runs = 0;
    const act = async () => ++runs;
    expect(await journal.run('a1', 'x', act)).toBe(1);
    expect(await journal.run('a1', 'x', act)).toBe(1);
    expect(runs).toBe(1);
  });

  it('makes a concurrent replay wait for the first run', async () => {
    const journal = new ActionJournal<string>();
    let release!: (v: string) => void;
    let runs = 0;
    const act = () => {
      runs += 1;
      return new Promise<string>((resolve) => (release = resolve));
    };
    const first = journal.run('a', 'x', act);
    const second = journal.run('a', 'x', act);
    release('done');
    expect(await Promise.all([first, second])).toEqual(['done', 'done']);
    expect(runs).toBe(1);
  });

  it('refuses a reused id with other content', async () => {
    const journal = new ActionJournal<number>();
    await journal.run('a', 'x', async () => 1);
    await expect(journal.run('a', 'y', async () => 2)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('forgets a failed run so a retry acts, and is bounded by count and age', async () => {
    let now = 0;
    const journal = new ActionJournal<number>({ max: 3, ttlMs: 1_000, now: () => now });
    await expect(journal.run('f', 'x', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await journal.run('f', 'x', async () => 7)).toBe(7);
    for (const id of ['b', 'c', 'd']) await journal.run(id, 'x', async () => 0);
    expect(journal.size).toBe(3);
    now = 5_000;
    await journal.run('e', 'x', async () => 0);
    expect(journal.size).toBe(1);
  });
});
