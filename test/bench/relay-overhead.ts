// Benchmark `relay_overhead` (BENCHMARKS.md): the newest 50 rows of a 10k mailbox (envelope,
// flags, size, INTERNALDATE, BODYSTRUCTURE and the 2 KB preview partial: ROW_QUERY) through
// relay + WebSocket vs a direct imapflow client fetching the SAME items for the SAME 50 messages
// (one FETCH of the same sequence window on its selected mailbox) from the same Dovecot,
// interleaved, both on warm connections (mailbox selected, Dovecot's cache file warm). The relays
// run the production build (`npm run build`'s JavaScript, built-relay.ts), not the sources
// through tsx, whose transform alone tripled the relay's own CPU per page.
//
// Headline (`relay_p50_ms`, `direct_p50_ms`, `ratio_p50`): same work, uncached. The relay runs
//   with TIDINGS_ROW_CACHE=off, so every request does the full FETCH the direct client does; what
//   remains is the cost of our layering (WebSocket, JSON and zod on both ends, the command
//   connection's lock, row building and preview decoding). Both sides tokenise the response with
//   imapflow; the relay then reads the rows straight from the parsed items (relay/src/imap/
//   row-fetch.ts) where the direct client gets imapflow's general message objects.
// Cached, labelled (`relay_cached_p50_ms`, `ratio_cached_p50`): a second relay process with its
//   row cache on, listing the same first page again (the popup reopening): one FETCH (UID FLAGS).
// Fresh processes, labelled (`relay_fresh_p50_ms`, `direct_fresh_p50_ms`, `ratio_fresh_p50`): the
//   first page of a relay process just started (its account online, no command connection yet:
//   popup_list's cold case) against a new bare imapflow process in the same state, whose second
//   connection logs in, SELECTs and FETCHes the same items (direct-fresh.ts). Both pay V8's
//   warm-up of a new process and a new IMAP login; the ratio is what the relay adds there.
// `direct_envelope_p50_ms`: a bare "envelope + flags" FETCH of the same window, for reference.
// `direct_rowfetch_p50_ms`: a second direct client reading the same FETCH the way the relay does
//   (row-fetch.ts, no imapflow message objects), for reference: relay_p50_ms over it is the cost of
//   the WebSocket, JSON, zod and row building alone.
// CPU per request (less noisy than wall time on a shared machine): `relay_cpu_ms` is the relay
// process's (from /proc, summed over its uncached requests), `relay_client_cpu_ms` this process's
// while it waited for the relay (socket, JSON, zod), `direct_cpu_ms` this process's for a direct
// FETCH (imapflow parsing the same response the relay parses).
// BENCH_CPU_PROF=<file.cpuprofile>: the uncached relay's CPU profile over the timed samples (through
// its inspector), to open in Chrome DevTools.
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod/mini';
import { ROW_QUERY } from '../../relay/src/imap/message-rows.js';
import { fetchRowMessages, markIdleFree } from '../../relay/src/imap/row-fetch.js';
import { Limits } from '../../shared/index.js';
import { connectImap, seedMaildir } from '../harness/mail.js';
import { pairToken, startMailRelay, waitForAccount } from '../harness/mail-relay.js';
import { TestClient } from '../harness/protocol-client.js';
import { freePort } from '../harness/ports.js';
import { addAccountViaCli, startRelayProcess } from '../harness/relay.js';
import { buildRelay } from './built-relay.js';
import { directFreshFirstPage } from './direct-fresh.js';
import { NodeInspector } from './inspector.js';
import { round, summary } from './stats.js';

const COUNT = 10_000;

export async function benchRelayOverhead(options: { samples: number }): Promise<Record<string, number>> {
  // BENCH_CPU_PROF=<file>: a CPU profile of the uncached relay over the timed samples only.
  const profileFile = process.env.BENCH_CPU_PROF;
  const inspectPort = profileFile ? await freePort() : null;
  // Both relays run the production build (built-relay.ts), as deployed.
  using built = await buildRelay();
  await using mail = await startMailRelay({
    relayInstallDir: built.installDir,
    relayEnv: {
      TIDINGS_ROW_CACHE: 'off',
      ...(inspectPort ? { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort}` } : {}),
    },
  });
  using inspector = inspectPort ? await NodeInspector.connect(inspectPort) : null;
  const user = await mail.dovecot.addUser();
  await seedMaildir(mail.dovecot, user, COUNT, { seenRatio: 0.7 });
  const { accountId } = await mail.addAccount({ user, name: 'Bench overhead' });
  const client = await mail.connect();
  using _c = client;

  // The cached figure's relay: same Dovecot user, row cache on (the default).
  await using cachedRelay = await startRelayProcess({ installDir: built.installDir });
  const cachedAccountId = await addAccountViaCli(cachedRelay.dataDir, mail.dovecot, user, { name: 'Bench cached' });
  const { client: cachedClient } = await TestClient.connect(cachedRelay.url, await pairToken(cachedRelay));
  using _cc = cachedClient;
  await waitForAccount(cachedClient, cachedAccountId);

  await using direct = await connectImap(mail.dovecot, user);
  const lock = await direct.getMailboxLock('INBOX');
  // Like the relay's command connection: no IDLE, so row-fetch.ts reads its FETCH directly.
  await using rowClient = await connectImap(mail.dovecot, user, { disableAutoIdle: true });
  markIdleFree(rowClient);
  const rowLock = await rowClient.getMailboxLock('INBOX');
  try {
    const list = async (via: TestClient, id: string) => {
      const page = await via.request('messages.list', {
        scope: { kind: 'mailbox', accountId: id, mailbox: 'INBOX' },
        cursor: null,
        limit: 50,
      });
      if (page.rows.length !== 50) throw new Error(`relay_overhead: relay returned ${page.rows.length} rows`);
    };
    const viaImap = async (query: typeof ROW_QUERY) => {
      const rows = await direct.fetchAll(`${COUNT - 49}:${COUNT}`, query);
      if (rows.length !== 50) throw new Error(`relay_overhead: direct fetch returned ${rows.length} rows`);
    };
    const envelopeOnly = { uid: true, flags: true, envelope: true };
    const viaRowFetch = async () => {
      const rows = await fetchRowMessages(rowClient, `${COUNT - 49}:${COUNT}`, { uid: false });
      if (rows.length !== 50) throw new Error(`relay_overhead: row fetch returned ${rows.length} rows`);
    };
    // Warm-up: connections open, mailbox selected on every side, Dovecot's cache warm, JIT warm.
    for (let i = 0; i < 15; i++) {
      await list(client, accountId);
      await list(cachedClient, cachedAccountId);
      await viaImap(ROW_QUERY);
      await viaImap(envelopeOnly);
      await viaRowFetch();
      await new Promise((r) => setTimeout(r, 120));
    }

    const relay: number[] = [];
    const directSame: number[] = [];
    const cached: number[] = [];
    const envelope: number[] = [];
    const rowFetch: number[] = [];
    // The relay allows Limits.requestsPerSecond per socket: every call (both sides alike) is
    // followed by the same untimed pause.
    const pace = () => new Promise((r) => setTimeout(r, 1_000 / (Limits.requestsPerSecond - 4)));
    const relayPid = mail.relay.pid;
    const cpu = { relay: 0, relayClient: 0, direct: 0 };
    const time = async (into: number[], fn: () => Promise<void>, charge?: 'relay' | 'direct') => {
      const relayBefore = charge === 'relay' ? processCpuMs(relayPid) : 0;
      const ownBefore = process.cpuUsage();
      const started = performance.now();
      await fn();
      into.push(performance.now() - started);
      const own = process.cpuUsage(ownBefore);
      if (charge === 'relay') {
        cpu.relay += processCpuMs(relayPid) - relayBefore;
        cpu.relayClient += (own.user + own.system) / 1_000;
      } else if (charge === 'direct') cpu.direct += (own.user + own.system) / 1_000;
      await pace();
    };
    if (inspector) {
      await inspector.send('Profiler.enable');
      await inspector.send('Profiler.setSamplingInterval', { interval: 100 });
      await inspector.send('Profiler.start');
    }
    for (let i = 0; i < options.samples; i++) {
      // Rotate the order so neither side always runs right after the other.
      const runs = [
        () => time(relay, () => list(client, accountId), 'relay'),
        () => time(directSame, () => viaImap(ROW_QUERY), 'direct'),
        () => time(cached, () => list(cachedClient, cachedAccountId)),
        () => time(envelope, () => viaImap(envelopeOnly)),
        () => time(rowFetch, viaRowFetch),
      ];
      for (let k = 0; k < runs.length; k++) await runs[(i + k) % runs.length]!();
    }
    if (inspector && profileFile) {
      const stopped = z.object({ profile: z.unknown() }).parse(await inspector.send('Profiler.stop'));
      writeFileSync(profileFile, JSON.stringify(stopped.profile));
    }

    // Fresh processes, last (each restarts the relay): the first page of a relay process started
    // fresh, as popup_list's cold case finds it (account online, no command connection yet),
    // against a bare imapflow process in the same state (direct-fresh.ts), alternating.
    const relayFresh: number[] = [];
    const directFresh: number[] = [];
    for (let i = 0; i < Math.max(8, Math.round(options.samples / 6)); i++) {
      await mail.relay.restart();
      const { client: fresh } = await TestClient.connect(mail.relay.url, mail.token);
      using _f = fresh;
      await waitForAccount(fresh, accountId);
      const started = performance.now();
      await list(fresh, accountId);
      relayFresh.push(performance.now() - started);
      const direct = await directFreshFirstPage(mail.dovecot, user, {
        range: `${COUNT - 49}:${COUNT}`,
        query: ROW_QUERY,
      });
      if (direct.rows !== 50) throw new Error(`relay_overhead: the fresh direct process fetched ${direct.rows} rows`);
      directFresh.push(direct.ms);
    }
    const r = summary(relay);
    const d = summary(directSame);
    const c = summary(cached);
    const e = summary(envelope);
    return {
      relay_p50_ms: r.p50,
      direct_p50_ms: d.p50,
      ratio_p50: round(r.p50 / d.p50),
      relay_p95_ms: r.p95,
      direct_p95_ms: d.p95,
      relay_cached_p50_ms: c.p50,
      ratio_cached_p50: round(c.p50 / d.p50),
      direct_envelope_p50_ms: e.p50,
      direct_rowfetch_p50_ms: summary(rowFetch).p50,
      relay_cpu_ms: round(cpu.relay / r.n),
      relay_client_cpu_ms: round(cpu.relayClient / r.n),
      direct_cpu_ms: round(cpu.direct / d.n),
      relay_fresh_p50_ms: summary(relayFresh).p50,
      direct_fresh_p50_ms: summary(directFresh).p50,
      ratio_fresh_p50: round(summary(relayFresh).p50 / summary(directFresh).p50),
      samples: r.n,
    };
  } finally {
    lock.release();
    rowLock.release();
  }
}

/** User + system CPU time of a process in ms, from /proc/<pid>/stat (clock ticks of 10 ms). */
function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}
