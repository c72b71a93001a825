// Benchmark `push` (BENCHMARKS.md): another client APPENDs → the toolbar badge text changes in
// Chromium. Baseline in the same run: a direct imapflow client idling on the same mailbox.
//   e2e   = badge set − APPEND sent
//   floor = direct client's EXISTS − APPEND sent (Dovecot's own ~0.5 s delay lives here)
//   ours  = badge set − relay received EXISTS (from the relay's debug log)
import { launchExtension } from '../harness/chromium.js';
import { startDovecot } from '../harness/dovecot.js';
import { appendMessage, connectImap } from '../harness/mail.js';
import { pairFromOptions } from '../harness/options-page.js';
import { addAccountViaCli, startRelayProcess } from '../harness/relay.js';
import { summary } from './stats.js';

const now = () => performance.timeOrigin + performance.now();

export async function benchPush(options: { samples: number }): Promise<Record<string, number>> {
  await using dovecot = await startDovecot();
  await using relay = await startRelayProcess({ args: ['--log-level', 'debug'] });
  const user = await dovecot.addUser();
  await addAccountViaCli(relay.dataDir, dovecot, user, { name: 'Bench' });
  await using browser = await launchExtension();

  const page = await pairFromOptions(browser, relay);
  await page.getByTestId('account-row').first().waitFor({ timeout: 15_000 });
  await page.close();
  await browser.waitForBadge((t) => t === '' || t === '0', 15_000).catch(() => undefined);

  await using floor = await connectImap(dovecot, user);
  // Like the relay's watcher: EXAMINE, so both sessions watch the mailbox the same way.
  await floor.mailboxOpen('INBOX', { readOnly: true });
  let floorExistsAt = 0;
  floor.on('exists', () => (floorExistsAt = now()));
  void floor.idle();

  const e2e: number[] = [];
  const ours: number[] = [];
  const floorSamples: number[] = [];
  const warmup = 3;
  for (let i = 0; i < options.samples + warmup; i++) {
    const expected = String(i + 1);
    const logStart = relay.output().length;
    floorExistsAt = 0;
    const sentAt = now();
    await appendMessage(dovecot, user, { subject: `bench ${i}` });
    await browser.waitForBadge((t) => t === expected, 10_000);
    const sw = await browser.serviceWorker();
    const badgeAt = await sw.evaluate(
      (text) =>
        (
          globalThis as unknown as { tidingsDiagnostics?: { badge: { text: string; at: number }[] } }
        ).tidingsDiagnostics?.badge.find((b) => b.text === text)?.at ?? 0,
      expected,
    );
    const relayExistsAt = relayExistsTime(relay.output().slice(logStart));
    // Let the floor client catch up if its EXISTS came after the badge (it sometimes does).
    const deadline = Date.now() + 3_000;
    while (floorExistsAt === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    if (i < warmup) continue;
    if (!badgeAt || !relayExistsAt || !floorExistsAt)
      throw new Error(
        `push sample ${i}: missing timestamp (badge ${badgeAt}, relay ${relayExistsAt}, floor ${floorExistsAt})`,
      );
    e2e.push(badgeAt - sentAt);
    ours.push(badgeAt - relayExistsAt);
    floorSamples.push(floorExistsAt - sentAt);
    // The next message arrives on a quiet account, as mail does: the relay's watcher back in IDLE
    // after its refresh. Sent 50 ms after the floor's EXISTS (as before), an APPEND landed while
    // the watcher was still between its FETCH and IDLE, so Dovecot answered the new IDLE at once
    // and skipped its ~0.5 s notification delay: e2e p50 103 ms, below the floor it cannot beat.
    await relayIdle(relay.output, 5_000);
  }
  const e = summary(e2e);
  const o = summary(ours);
  const f = summary(floorSamples);
  return {
    e2e_p50_ms: e.p50,
    e2e_p95_ms: e.p95,
    ours_p50_ms: o.p50,
    ours_p95_ms: o.p95,
    floor_p50_ms: f.p50,
    floor_p95_ms: f.p95,
    samples: e.n,
  };
}

/**
 * Resolves once the relay's debug log has been quiet for 300 ms with its last IMAP line the
 * watcher entering IDLE (imapflow's "Initiated IDLE"); throws after `timeoutMs`.
 */
async function relayIdle(output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen = output().length;
  let quietSince = Date.now();
  for (;;) {
    await new Promise((r) => setTimeout(r, 50));
    const text = output();
    if (text.length !== seen) {
      seen = text.length;
      quietSince = Date.now();
    }
    const last = text.trimEnd().split('\n').at(-1) ?? '';
    if (Date.now() - quietSince >= 300 && last.includes('Initiated IDLE')) return;
    if (Date.now() > deadline) throw new Error(`push: the relay's watcher did not go back to IDLE: ${last}`);
  }
}

/** The first "mailbox changed" (exists) timestamp in a slice of the relay's JSON log. */
function relayExistsTime(log: string): number {
  for (const line of log.split('\n')) {
    if (!line.includes('"mailbox changed"') || !line.includes('"exists"')) continue;
    try {
      const entry: unknown = JSON.parse(line);
      if (typeof entry === 'object' && entry !== null && 'at' in entry && typeof entry.at === 'number') return entry.at;
    } catch {
      // Not a log line of ours.
    }
  }
  return 0;
}
