// Benchmark `relay_overhead` (BENCHMARKS.md): the newest 50 rows (envelope, flags, size,
// BODYSTRUCTURE and the 2 KB preview partial) through relay + WebSocket vs a direct imapflow
// client fetching the same items (one FETCH on its selected mailbox) from the same Dovecot,
// interleaved, warm.
//
// `relay_p50_ms`/`ratio_p50` are the popup's real case, the first page listed again: the relay
// then sends one `FETCH (UID FLAGS)` (its row cache holds the immutable parts, and its IDLE
// watcher says nothing changed, so no NOOP). `relay_uncached_p50_ms`/`ratio_uncached_p50` take
// the cache out: pages the relay has not seen (walking down with the cursor) against the direct
// client fetching the same sequence windows, both with Dovecot warm — the pure cost of our
// layering (socket, JSON, zod on both ends, the command connection's lock, row building).
// `direct_envelope_p50_ms` is a bare "envelope + flags" FETCH, for reference.
import { ROW_QUERY } from '../../relay/src/imap/message-rows.js';
import { Limits } from '../../shared/index.js';
import { connectImap, seedMaildir } from '../harness/mail.js';
import { startMailRelay } from '../harness/mail-relay.js';
import { round, summary } from './stats.js';

const COUNT = 10_000;

export async function benchRelayOverhead(options: { samples: number }): Promise<Record<string, number>> {
  await using mail = await startMailRelay();
  const user = await mail.dovecot.addUser();
  await seedMaildir(mail.dovecot, user, COUNT, { seenRatio: 0.7 });
  const { accountId } = await mail.addAccount({ user, name: 'Bench overhead' });
  const client = await mail.connect();
  using _c = client;
  await using direct = await connectImap(mail.dovecot, user);
  const lock = await direct.getMailboxLock('INBOX');
  const scope = { kind: 'mailbox' as const, accountId, mailbox: 'INBOX' };
  try {
    // Dovecot warm for every window either side will fetch (its cache file holds the items).
    const region = (options.samples + 20) * 50;
    for (let hi = COUNT; hi > COUNT - region; hi -= 500) await direct.fetchAll(`${hi - 499}:${hi}`, ROW_QUERY);

    const viaRelay = async () => {
      const page = await client.request('messages.list', { scope, cursor: null, limit: 50 });
      if (page.rows.length !== 50) throw new Error(`relay_overhead: relay returned ${page.rows.length} rows`);
    };
    let cursor: string | null = null;
    const viaRelayUncached = async () => {
      const page = await client.request('messages.list', { scope, cursor, limit: 50 });
      if (page.rows.length !== 50) throw new Error(`relay_overhead: relay returned ${page.rows.length} rows`);
      cursor = page.nextCursor;
    };
    const viaImap = async (query: typeof ROW_QUERY, hi = COUNT) => {
      const rows = await direct.fetchAll(`${hi - 49}:${hi}`, query);
      if (rows.length !== 50) throw new Error(`relay_overhead: direct fetch returned ${rows.length} rows`);
    };
    const envelopeOnly = { uid: true, flags: true, envelope: true };
    for (let i = 0; i < 10; i++) {
      await viaRelay();
      await viaImap(ROW_QUERY);
      await viaImap(envelopeOnly);
      await new Promise((r) => setTimeout(r, 100));
    }
    // The uncached walk starts below the (cached) first page.
    cursor = (await client.request('messages.list', { scope, cursor: null, limit: 50 })).nextCursor;

    const relay: number[] = [];
    const relayUncached: number[] = [];
    const same: number[] = [];
    const sameWindows: number[] = [];
    const envelope: number[] = [];
    // The relay allows Limits.requestsPerSecond per socket: every call (both sides alike) is
    // followed by the same untimed pause.
    const pace = () => new Promise((r) => setTimeout(r, 1_000 / (Limits.requestsPerSecond - 4)));
    const time = async (into: number[], fn: () => Promise<void>) => {
      const started = performance.now();
      await fn();
      into.push(performance.now() - started);
      await pace();
    };
    for (let i = 0; i < options.samples; i++) {
      // The window the relay's next uncached page covers (page i+1 below the first).
      const window = COUNT - 50 * (i + 1);
      // Rotate the order so neither side always runs right after the other.
      const runs = [
        () => time(relay, viaRelay),
        () => time(same, () => viaImap(ROW_QUERY)),
        () => time(relayUncached, viaRelayUncached),
        () => time(sameWindows, () => viaImap(ROW_QUERY, window)),
        () => time(envelope, () => viaImap(envelopeOnly)),
      ];
      for (let k = 0; k < runs.length; k++) await runs[(i + k) % runs.length]!();
    }
    const r = summary(relay);
    const d = summary(same);
    const ru = summary(relayUncached);
    const dw = summary(sameWindows);
    const e = summary(envelope);
    return {
      relay_p50_ms: r.p50,
      direct_p50_ms: d.p50,
      ratio_p50: round(r.p50 / d.p50),
      relay_p95_ms: r.p95,
      direct_p95_ms: d.p95,
      relay_uncached_p50_ms: ru.p50,
      direct_same_windows_p50_ms: dw.p50,
      ratio_uncached_p50: round(ru.p50 / dw.p50),
      direct_envelope_p50_ms: e.p50,
      samples: r.n,
    };
  } finally {
    lock.release();
  }
}
