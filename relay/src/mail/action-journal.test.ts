import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../store/sqlite-store.js';
import { ActionJournal, storeBacking, type JournalAttempt } from './action-journal.js';

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

  it('keeps a run that failed after recording its intent pending, and the replay recovers', async () => {
    const journal = new ActionJournal<string>();
    await expect(
      journal.run('m', 'x', async (attempt) => {
        attempt.recordIntent({ moving: ['<a@b>'] });
        throw new Error('connection lost mid-MOVE');
      }),
    ).rejects.toThrow('mid-MOVE');
    let seen: JournalAttempt | null = null;
    expect(
      await journal.run('m', 'x', async (attempt) => {
        seen = attempt;
        return 'recovered';
      }),
    ).toBe('recovered');
    expect(seen).toMatchObject({ recovering: true, intent: { moving: ['<a@b>'] } });
  });

  it('answers a replay after a restart from the store: a new journal over the same database', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const user = store.ensureDefaultUser();
    const account = store.createAccount({
      userId: user.id,
      name: 'a',
      host: 'h',
      port: 993,
      security: 'tls',
      username: 'u',
      secretEnc: 'x',
      watchedMailboxes: ['INBOX'],
      pinnedFingerprint: null,
      caPem: null,
    });
    const parse = (v: unknown) => (typeof v === 'number' ? v : null);
    const first = new ActionJournal<number>({ backing: storeBacking(store, account.id), parse });
    expect(await first.run('a1', 'x', async () => 42)).toBe(42);
    // A crashed run: intent recorded, never finished.
    const crashed = first.run('a2', 'x', (attempt) => {
      attempt.recordIntent({ step: 'MOVE sent' });
      return new Promise<number>(() => undefined);
    });
    void crashed;
    const second = new ActionJournal<number>({ backing: storeBacking(store, account.id), parse });
    let runs = 0;
    expect(await second.run('a1', 'x', async () => ++runs)).toBe(42);
    expect(runs).toBe(0);
    const attempts: JournalAttempt[] = [];
    expect(
      await second.run('a2', 'x', async (attempt) => {
        attempts.push(attempt);
        return 7;
      }),
    ).toBe(7);
    expect(attempts[0]).toMatchObject({ recovering: true, intent: { step: 'MOVE sent' } });
    await expect(second.run('a1', 'other', async () => 0)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    store.close();
  });
});
