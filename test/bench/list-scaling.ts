// Benchmark `list_scaling` (BENCHMARKS.md): a page of 50 rows through the relay (WebSocket →
// messages.list → IMAP → rows) for mailboxes of 1k, 10k and 100k messages, on warm connections,
// UNCACHED: the relay runs with TIDINGS_ROW_CACHE=off, so every page is fetched from Dovecot.
// Three positions per size: page 1 (cursor null), page 20 (the cursor a walk of 19 pages hands
// out) and a cursor 90 % down the mailbox (built like the relay builds one: below UID n/10, whose
// sequence number it was). The work per page must not grow with the mailbox (sequence windows
// from EXISTS and the cursor's hint, never SEARCH ALL or a list of all UIDs), so the target is
// ratio_100k_1k <= 1.5 on the deep pages; test/integration/mail-list.test.ts checks that the
// IMAP commands per page are the same whatever the size. Samples are interleaved across sizes and
// positions so machine noise hits all alike.
import { encodeCursor } from '../../relay/src/mail/cursor.js';
import { Limits, type RequestResult } from '../../shared/index.js';
import { seedMaildir } from '../harness/mail.js';
import { startMailRelay } from '../harness/mail-relay.js';
import { round, summary } from './stats.js';

const SIZES = [
  { label: '1k', count: 1_000 },
  { label: '10k', count: 10_000 },
  { label: '100k', count: 100_000 },
] as const;
type Position = 'page1' | 'page20' | 'deep';

export async function benchListScaling(options: { samples: number }): Promise<Record<string, number>> {
  await using mail = await startMailRelay({ relayEnv: { TIDINGS_ROW_CACHE: 'off' } });
  const client = await mail.connect();
  using _c = client;
  // The relay allows Limits.requestsPerSecond per socket: pace the requests below it (untimed).
  const pace = () => new Promise((r) => setTimeout(r, 1_000 / (Limits.requestsPerSecond - 4)));

  interface Target {
    label: string;
    position: Position;
    accountId: string;
    cursor: string | null;
    /** UID of the page's first (newest) row: seeded UIDs are 1..count. */
    firstUid: number;
  }
  const targets: Target[] = [];
  for (const size of SIZES) {
    const user = await mail.dovecot.addUser();
    await seedMaildir(mail.dovecot, user, size.count, { seenRatio: 0.7 });
    const { accountId } = await mail.addAccount({ user, name: `Bench ${size.label}` });
    const scope = { kind: 'mailbox' as const, accountId, mailbox: 'INBOX' };
    // Walk to page 20 once (untimed) for its cursor; this also warms the command connection.
    let cursor: string | null = null;
    let uidValidity = '';
    for (let page = 1; page < 20; page++) {
      const result: RequestResult<'messages.list'> = await client.request('messages.list', {
        scope,
        cursor,
        limit: 50,
      });
      uidValidity = result.rows[0]!.id.uidValidity;
      cursor = result.nextCursor;
      await pace();
    }
    const deepSeq = Math.round(size.count / 10);
    const deep = encodeCursor({
      k: 'm',
      a: accountId,
      m: 'INBOX',
      p: { uv: uidValidity, u: deepSeq + 1, s: deepSeq + 1 },
    });
    targets.push(
      { label: size.label, position: 'page1', accountId, cursor: null, firstUid: size.count },
      { label: size.label, position: 'page20', accountId, cursor, firstUid: size.count - 19 * 50 },
      { label: size.label, position: 'deep', accountId, cursor: deep, firstUid: deepSeq },
    );
  }

  const list = async (t: Target) => {
    const page = await client.request('messages.list', {
      scope: { kind: 'mailbox', accountId: t.accountId, mailbox: 'INBOX' },
      cursor: t.cursor,
      limit: 50,
    });
    if (page.rows.length !== 50 || page.rows[0]!.id.uid !== t.firstUid)
      throw new Error(
        `list_scaling: ${t.label} ${t.position} returned ${page.rows.length} rows from UID ${page.rows[0]?.id.uid} (want 50 from ${t.firstUid})`,
      );
  };
  // Warm: Dovecot has indexed and cached the windows, every command connection has INBOX selected.
  for (let i = 0; i < 3; i++)
    for (const t of targets) {
      await list(t);
      await pace();
    }

  const samples = new Map<string, number[]>(targets.map((t) => [`${t.position} ${t.label}`, []]));
  for (let i = 0; i < options.samples; i++) {
    // Rotate the order so no target always follows the same one.
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(i + k) % targets.length]!;
      const started = performance.now();
      await list(t);
      samples.get(`${t.position} ${t.label}`)!.push(performance.now() - started);
      await pace();
    }
  }
  const s = (position: Position, label: string) => summary(samples.get(`${position} ${label}`)!);
  const figures: Record<string, number> = {};
  // The headline figures are the deep pages (BENCHMARKS.md: "ratio_100k_1k (deep pages)").
  for (const { label } of SIZES) figures[`p50_ms_${label}`] = s('deep', label).p50;
  figures.ratio_100k_1k = round(s('deep', '100k').p50 / s('deep', '1k').p50);
  for (const { label } of SIZES) figures[`p95_ms_${label}`] = s('deep', label).p95;
  for (const position of ['page1', 'page20'] as const) {
    for (const { label } of SIZES) figures[`${position}_p50_ms_${label}`] = s(position, label).p50;
    figures[`${position}_ratio_100k_1k`] = round(s(position, '100k').p50 / s(position, '1k').p50);
  }
  figures.samples = s('deep', '1k').n;
  return figures;
}
