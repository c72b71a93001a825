// Benchmark `list_scaling` (BENCHMARKS.md): the newest 50 rows through the relay (WebSocket →
// messages.list → IMAP → rows) for mailboxes of 1k, 10k and 100k messages, warm. The work per
// page must not grow with the mailbox (sequence windows from EXISTS, never SEARCH ALL or a list
// of all UIDs), so the target is ratio_100k_1k <= 1.5. Samples are interleaved across the sizes
// so machine noise hits all three alike.
import { Limits } from '../../shared/index.js';
import { seedMaildir } from '../harness/mail.js';
import { startMailRelay } from '../harness/mail-relay.js';
import { round, summary } from './stats.js';

const SIZES = [
  { label: '1k', count: 1_000 },
  { label: '10k', count: 10_000 },
  { label: '100k', count: 100_000 },
] as const;

export async function benchListScaling(options: { samples: number }): Promise<Record<string, number>> {
  await using mail = await startMailRelay();
  const accounts: { label: string; accountId: string }[] = [];
  for (const size of SIZES) {
    const user = await mail.dovecot.addUser();
    await seedMaildir(mail.dovecot, user, size.count, { seenRatio: 0.7 });
    const { accountId } = await mail.addAccount({ user, name: `Bench ${size.label}` });
    accounts.push({ label: size.label, accountId });
  }
  const client = await mail.connect();
  using _c = client;
  // The relay allows Limits.requestsPerSecond per socket: pace the requests below it (untimed).
  const pace = () => new Promise((r) => setTimeout(r, 1_000 / (Limits.requestsPerSecond - 4)));
  const list = (accountId: string) =>
    client.request('messages.list', {
      scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
      cursor: null,
      limit: 50,
    });

  // Warm: Dovecot has indexed and cached the mailboxes, the command connections are open.
  for (const { accountId } of accounts)
    for (let i = 0; i < 5; i++) {
      await list(accountId);
      await pace();
    }

  const samples = new Map<string, number[]>(accounts.map((a) => [a.label, []]));
  for (let i = 0; i < options.samples; i++) {
    for (const { label, accountId } of accounts) {
      const started = performance.now();
      const page = await list(accountId);
      samples.get(label)!.push(performance.now() - started);
      if (page.rows.length !== 50) throw new Error(`list_scaling: ${label} returned ${page.rows.length} rows`);
      await pace();
    }
  }
  const s1k = summary(samples.get('1k')!);
  const s10k = summary(samples.get('10k')!);
  const s100k = summary(samples.get('100k')!);
  return {
    p50_ms_1k: s1k.p50,
    p50_ms_10k: s10k.p50,
    p50_ms_100k: s100k.p50,
    p95_ms_1k: s1k.p95,
    p95_ms_100k: s100k.p95,
    ratio_100k_1k: round(s100k.p50 / s1k.p50),
    samples: s1k.n,
  };
}
