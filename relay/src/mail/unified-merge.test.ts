import { describe, expect, it } from 'vitest';
import { TidingsError } from '../../../shared/index.js';
import type { FetchedRow } from '../imap/message-rows.js';
import { silentLogger } from '../log.js';
import { mergeNewestFirst, type MergeSource } from './unified-merge.js';

/** A fake account whose INBOX holds rows with these arrival times (UID = index + 1). */
function account(accountId: string, arrivals: number[], fail?: Error): MergeSource<number> & { fetches: number } {
  const rows: FetchedRow[] = arrivals.map((arrival, i) => ({
    seq: i + 1,
    arrival,
    row: {
      id: { accountId, mailbox: 'INBOX', uidValidity: '1', uid: i + 1 },
      from: [],
      to: [],
      subject: `${accountId}${i + 1}`,
      date: arrival,
      flags: [],
      seen: false,
      flagged: false,
      answered: false,
      size: 1,
      hasAttachments: false,
      preview: '',
    },
  }));
  const source = {
    accountId,
    position: null as number | null | 0,
    lastTotal: 0,
    fetches: 0,
    after: (row: FetchedRow) => row.row.id.uid,
    fetch: async (position: number | null) => {
      source.fetches += 1;
      if (fail) throw fail;
      const below = rows.filter((r) => r.row.id.uid < (position ?? Infinity)).reverse();
      const page = below.slice(0, 2);
      return {
        rows: page,
        next: below.length > 2 ? page.at(-1)!.row.id.uid : null,
        start: rows.length + 1,
        total: rows.length,
      };
    },
  };
  return source;
}

async function drain(sources: ReturnType<typeof account>[], limit: number): Promise<string[][]> {
  const pages: string[][] = [];
  for (let i = 0; i < 20; i++) {
    const result = await mergeNewestFirst(sources, limit, silentLogger);
    pages.push(result.rows.map((r) => r.subject));
    if (!result.entries) return pages;
    for (const s of sources) {
      const e = result.entries[s.accountId]!;
      s.position = e.p;
      s.lastTotal = e.t;
    }
  }
  throw new Error('did not end');
}

describe('unified merge', () => {
  it('merges by arrival without duplicates or gaps, keeping each stream in its order', async () => {
    // b2 arrived before b1 (arrival not monotonic in UID): it must still follow b1, not be skipped.
    const pages = await drain([account('a', [10, 30, 50]), account('b', [40, 20, 60])], 2);
    expect(pages.flat()).toEqual(['b3', 'a3', 'a2', 'b2', 'b1', 'a1']);
    expect(new Set(pages.flat()).size).toBe(6);
  });

  it('leaves a failing account out, and fails when all fail or a uidValidity is stale', async () => {
    const ok = account('a', [1, 2]);
    const down = account('z', [5], new TidingsError('UNREACHABLE', 'down'));
    const first = await mergeNewestFirst([ok, down], 50, silentLogger);
    expect(first.rows.map((r) => r.subject)).toEqual(['a2', 'a1']);
    await expect(
      mergeNewestFirst([account('z', [1], new TidingsError('UNREACHABLE', 'down'))], 5, silentLogger),
    ).rejects.toMatchObject({ code: 'UNREACHABLE' });
    await expect(
      mergeNewestFirst([ok, account('s', [1], new TidingsError('STALE_UIDVALIDITY', 'x'))], 5, silentLogger),
    ).rejects.toMatchObject({ code: 'STALE_UIDVALIDITY' });
  });
});
