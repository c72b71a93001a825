// Benchmark `resync` (BENCHMARKS.md): the relay↔IMAP link is cut for 10 s (a fault proxy between
// the relay and Dovecot) while 20 messages are appended directly to Dovecot; then it is restored.
// Two kinds of cut, each sample runs both:
//   blackhole  every open and new connection is accepted and its bytes are dropped both ways
//              (a middlebox that loses state; Dovecot's EXISTS during the cut are lost). The
//              relay only notices a silent connection by its liveness probe (Limits.idleProbeMs,
//              50 s, then idleProbeTimeoutMs), so a cut that misses the probe is found late: a
//              probe during the cut replaces the connection (pushed soon after the restore); a
//              cut that heals first is caught by the next probe's re-check, at most about
//              idleProbeMs after the watcher's last STATUS (keepalives do not postpone it).
//   stall      bytes are held both ways and delivered at the restore (a cable pulled and plugged
//              back: TCP retransmits what was sent); figures prefixed `stall_`.
// Figures:
//   visible_after_restore_ms  restore → all 20 messages delivered to a connected client as
//                             message.new events (the push path an open extension relies on; the
//                             client does not poll messages.list). p50; `_max_ms` the worst.
//   duplicates                rows of those messages pushed more than once, plus duplicate rows in
//                             a final messages.list of the mailbox (both kinds of cut)
//   missed                    those messages not pushed within WAIT_MS of the restore, or absent
//                             from the final messages.list (both kinds of cut); missed_push and
//                             missed_list count each way apart
// A sample where not all 20 were pushed in time adds no time (samples_all_visible says how many did).
// The account uses plain IMAP on the STARTTLS port through the proxy (as in sync-journal.test.ts).
import type { ServerEvent } from '../../shared/index.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { appendMessage } from '../harness/mail.js';
import { startMailRelay, waitForAccount } from '../harness/mail-relay.js';
import type { TestClient } from '../harness/protocol-client.js';
import { addAccountViaCli } from '../harness/relay.js';
import type { Dovecot, ImapUser } from '../harness/dovecot.js';
import { percentile, round } from './stats.js';

const MESSAGES = 20;
const CUT_MS = 10_000;
/** Long enough for the liveness probe (50 s without a byte, then 10 s for the NOOP) and a reconnect. */
const WAIT_MS = 70_000;

type Cut = 'blackhole' | 'stall';
interface Outcome {
  visibleMs: number | null;
  duplicates: number;
  notPushed: number;
  notListed: number;
  missed: number;
}

export async function benchResync(options: { samples: number }): Promise<Record<string, number>> {
  const samples = Math.max(1, options.samples);
  await using mail = await startMailRelay();
  await using proxy = await startFaultProxy({ host: mail.dovecot.host, port: mail.dovecot.starttlsPort });
  const user = await mail.dovecot.addUser();
  const accountId = await addAccountViaCli(mail.relay.dataDir, { ...mail.dovecot, starttlsPort: proxy.port }, user, {
    security: 'plain',
    name: 'Resync',
  });
  using client = await mail.connect();
  await waitForAccount(client, accountId);

  const outcomes: Record<Cut, Outcome[]> = { blackhole: [], stall: [] };
  for (let s = 0; s < samples; s++) {
    for (const cut of ['blackhole', 'stall'] as const) {
      const setup = { dovecot: mail.dovecot, user, proxy, client, accountId };
      outcomes[cut].push(await cutOnce(setup, cut, `resync ${cut} ${s}`));
    }
  }
  const all = [...outcomes.blackhole, ...outcomes.stall];
  const sum = (key: 'duplicates' | 'notPushed' | 'notListed' | 'missed') => all.reduce((a, o) => a + o[key], 0);
  const times = (cut: Cut) => outcomes[cut].flatMap((o) => (o.visibleMs === null ? [] : [o.visibleMs]));
  const p50 = (t: number[]) => (t.length ? round(percentile(t, 50)) : Number.NaN);
  const max = (t: number[]) => (t.length ? round(Math.max(...t)) : Number.NaN);
  return {
    visible_after_restore_ms: p50(times('blackhole')),
    visible_after_restore_max_ms: max(times('blackhole')),
    stall_visible_after_restore_ms: p50(times('stall')),
    stall_visible_after_restore_max_ms: max(times('stall')),
    duplicates: sum('duplicates'),
    missed: sum('missed'),
    missed_push: sum('notPushed'),
    missed_list: sum('notListed'),
    samples,
    samples_all_visible: times('blackhole').length,
    stall_samples_all_visible: times('stall').length,
  };
}

async function cutOnce(
  setup: { dovecot: Dovecot; user: ImapUser; proxy: FaultProxy; client: TestClient; accountId: string },
  cut: Cut,
  prefix: string,
): Promise<Outcome> {
  const { dovecot, user, proxy, client, accountId } = setup;
  const subjects = Array.from({ length: MESSAGES }, (_, i) => `${prefix}-${i}`);
  // The link being cut is a live one.
  await waitForAccount(client, accountId, WAIT_MS);
  const from = client.events.length;
  if (cut === 'blackhole') proxy.blackhole();
  else proxy.stall();
  const cutAt = Date.now();
  for (let i = 0; i < MESSAGES; i++) {
    const due = cutAt + ((i + 0.5) * CUT_MS) / MESSAGES - Date.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    await appendMessage(dovecot, user, { subject: subjects[i]! });
  }
  const rest = cutAt + CUT_MS - Date.now();
  if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  proxy.resume();
  const restoredAt = Date.now();
  const pushedRows = () => newRows(client.events.slice(from), accountId).filter((r) => subjects.includes(r.subject));
  const allPushed = () => new Set(pushedRows().map((r) => r.subject)).size === MESSAGES;
  await client.waitFor(allPushed, WAIT_MS, `${MESSAGES} messages after restore`).catch(() => undefined);
  const visibleMs = allPushed() ? Date.now() - restoredAt : null;
  // Let late duplicates arrive before counting.
  await new Promise((r) => setTimeout(r, 1_000));
  const pushedIds = pushedRows().map((r) => r.id);
  const { rows } = await client.request('messages.list', {
    scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
    cursor: null,
    limit: 50,
  });
  const listed = rows.map((r) => r.subject).filter((subject) => subjects.includes(subject));
  const pushed = new Set(pushedRows().map((r) => r.subject));
  const notPushed = subjects.filter((subject) => !pushed.has(subject));
  const notListed = subjects.filter((subject) => !listed.includes(subject));
  if (notPushed.length) process.stderr.write(`${prefix}: not pushed within ${WAIT_MS} ms: ${notPushed.length}\n`);
  return {
    visibleMs,
    duplicates: pushedIds.length - new Set(pushedIds).size + listed.length - new Set(listed).size,
    notPushed: notPushed.length,
    notListed: notListed.length,
    missed: subjects.filter((subject) => notPushed.includes(subject) || notListed.includes(subject)).length,
  };
}

function newRows(events: ServerEvent[], accountId: string): { id: string; subject: string }[] {
  const rows: { id: string; subject: string }[] = [];
  for (const e of events) {
    if (e.event !== 'message.new' || e.payload.accountId !== accountId) continue;
    for (const row of e.payload.rows) rows.push({ id: JSON.stringify(row.id), subject: row.subject });
  }
  return rows;
}
