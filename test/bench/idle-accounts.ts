// Benchmark `idle_accounts` (BENCHMARKS.md): the relay's cost per idle account — its watcher
// idling on INBOX and one signed-in WebSocket per account — at N = 1, 50 and 200 accounts on one
// relay process (accounts and sockets are added between the steps).
//   rss_per_account_kib          slope of the relay's RSS over N (least squares over the three
//                                steps), as the relay runs: at each step it settles 5 s, then RSS
//                                is the median of five VmRSS readings (no forced collection).
//   rss_per_account_kib_after_gc the same slope after a full garbage collection at each step
//                                (HeapProfiler.collectGarbage through the relay's inspector)
//   heap_used_per_account_kib, external_per_account_kib, array_buffers_per_account_kib
//                                slopes of process.memoryUsage()'s parts after that collection:
//                                where a per-account cost lives (JS heap, or native: TLS, buffers)
//   idle_cpu_pct                 the relay's CPU (user + system, /proc/<pid>/stat) over 10 s of
//                                idling at N = 200, in % of one core
//   imap_connections_per_account Dovecot's IMAP sessions of the accounts' users (doveadm who) / N
// The bench Dovecot's base config already allows this many (mail_max_userip_connections 10000,
// imap process_limit 2048, imap-login client_limit 1000). The accounts are added while the relay
// runs (it watches the store) by the CLI's own `accounts add --no-test` code, called in this
// process: 200 CLI processes (tsx start-up each) take minutes on 2 shared cores.
import { readFileSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { Limits } from '../../shared/index.js';
import { runAccounts } from '../../relay/src/cli/accounts.js';
import type { Dovecot, ImapUser } from '../harness/dovecot.js';
import { makeTempDir, removeDir, repoRoot } from '../harness/paths.js';
import { freePort } from '../harness/ports.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';
import { TestClient } from '../harness/protocol-client.js';
import { ACCOUNT_ID_PATTERN } from '../harness/relay.js';
import { pairDevices } from '../harness/setup-fixtures.js';
import { buildRelay } from './built-relay.js';
import { NodeInspector, type MemoryUsage } from './inspector.js';
import { round } from './stats.js';

const STEPS = [1, 50, 200];
const SETTLE_MS = 5_000;
const CPU_WINDOW_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchIdleAccounts(): Promise<Record<string, number>> {
  const inspectPort = await freePort();
  // The production build, as deployed (built-relay.ts): tsx's transform gives every function the
  // relay creates its own property store (~12 KiB of heap per idle account).
  using built = await buildRelay();
  await using mail = await startMailRelay({
    relayInstallDir: built.installDir,
    relayEnv: { NODE_OPTIONS: `--inspect=127.0.0.1:${inspectPort}` },
  });
  const pid = mail.relay.pid;
  if (pid === undefined) throw new Error('idle_accounts: the relay has no pid');
  using inspector = await NodeInspector.connect(inspectPort);
  const users: ImapUser[] = [];
  const accountIds: string[] = [];
  const sockets: TestClient[] = [];
  const figures: Record<string, number> = {};
  const points: { n: number; rssKib: number; gcRssKib: number; usage: MemoryUsage }[] = [];
  const caDir = makeTempDir('ca-file');
  const caFile = join(caDir, 'ca.pem');
  writeFileSync(caFile, mail.dovecot.caPem);
  try {
    for (const n of STEPS) {
      const startedAt = Date.now();
      const fresh = await Promise.all(Array.from({ length: n - users.length }, () => mail.dovecot.addUser()));
      for (const user of fresh) accountIds.push(await addAccount(mail, caFile, user));
      users.push(...fresh);
      const tokens = await pairDevices(mail.relay, Math.ceil((n - sockets.length) / Limits.maxSocketsPerDevice));
      for (let i = 0; sockets.length < n; i++) {
        sockets.push(
          (await TestClient.connect(mail.relay.url, tokens[Math.floor(i / Limits.maxSocketsPerDevice)]!)).client,
        );
      }
      await allOnline(sockets[0]!, accountIds);
      await sleep(SETTLE_MS);
      const readings: number[] = [];
      for (let i = 0; i < 5; i++) {
        readings.push(rssKib(pid));
        await sleep(300);
      }
      const rss = readings.sort((a, b) => a - b)[2]!;
      await inspector.collectGarbage();
      await sleep(1_000);
      const usage = await inspector.memoryUsage();
      const gcRss = rssKib(pid);
      points.push({ n, rssKib: rss, gcRssKib: gcRss, usage });
      let sessions = 0;
      for (let i = 0; i < users.length; i += 20) {
        const counts = await Promise.all(users.slice(i, i + 20).map((u) => mail.dovecot.sessionsOf(u.username)));
        sessions += counts.reduce((a, b) => a + b, 0);
      }
      figures[`rss_mib_${n}`] = round(rss / 1024, 1);
      figures[`rss_after_gc_mib_${n}`] = round(gcRss / 1024, 1);
      figures[`heap_used_mib_${n}`] = round(usage.heapUsed / 2 ** 20, 1);
      figures[`external_mib_${n}`] = round(usage.external / 2 ** 20, 1);
      figures[`array_buffers_mib_${n}`] = round(usage.arrayBuffers / 2 ** 20, 1);
      figures[`imap_connections_${n}`] = sessions;
      figures[`setup_s_${n}`] = round((Date.now() - startedAt) / 1_000, 1);
      if (n === STEPS[STEPS.length - 1]) {
        figures.imap_connections_per_account = round(sessions / n);
        const before = cpuTicks(pid);
        const t0 = Date.now();
        await sleep(CPU_WINDOW_MS);
        const ticks = cpuTicks(pid) - before;
        // USER_HZ is 100 on Linux.
        figures.idle_cpu_pct = round(((ticks / 100) * 1_000 * 100) / (Date.now() - t0));
      }
    }
  } finally {
    for (const socket of sockets) socket[Symbol.dispose]();
    removeDir(caDir);
  }
  const perAccountKib = (value: (p: (typeof points)[number]) => number) =>
    round(
      slope(
        points.map((p) => p.n),
        points.map(value),
      ),
      1,
    );
  figures.rss_per_account_kib = perAccountKib((p) => p.rssKib);
  figures.rss_per_account_kib_after_gc = perAccountKib((p) => p.gcRssKib);
  figures.heap_used_per_account_kib = perAccountKib((p) => p.usage.heapUsed / 1024);
  figures.external_per_account_kib = perAccountKib((p) => p.usage.external / 1024);
  figures.array_buffers_per_account_kib = perAccountKib((p) => p.usage.arrayBuffers / 1024);
  return figures;
}

/** `relay accounts add --no-test` (IMAPS, the test CA) run in this process; returns the account id. */
async function addAccount(mail: MailRelay, caFile: string, user: ImapUser): Promise<string> {
  const dovecot: Dovecot = mail.dovecot;
  let stdout = '';
  let stderr = '';
  const argv = ['add', '--name', `Idle ${user.username}`, '--host', dovecot.host, '--port', String(dovecot.imapsPort)];
  argv.push('--security', 'tls', '--username', user.username, '--password-stdin', '--ca-file', caFile, '--no-test');
  argv.push('--data-dir', mail.relay.dataDir);
  const code = await runAccounts(argv, {
    env: {},
    cwd: repoRoot,
    stdin: Readable.from([`${user.password}\n`]),
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    signal: new AbortController().signal,
    onHangup: () => () => undefined,
    now: Date.now,
  });
  const id = ACCOUNT_ID_PATTERN.exec(stdout)?.[1];
  if (code !== 0 || !id) throw new Error(`idle_accounts: accounts add exited with ${code}:\n${stdout}\n${stderr}`);
  return id;
}

async function allOnline(client: TestClient, ids: string[]): Promise<void> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const { accounts } = await client.request('accounts.list', {});
    const online = accounts.filter((a) => ids.includes(a.id) && a.state.status === 'online').length;
    if (online === ids.length) return;
    if (Date.now() > deadline) throw new Error(`idle_accounts: only ${online} of ${ids.length} accounts came online`);
    await sleep(250);
  }
}

function rssKib(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kib === undefined) throw new Error(`idle_accounts: no VmRSS for pid ${pid}`);
  return Number(kib);
}

/** utime + stime of a process in clock ticks (/proc/<pid>/stat fields 14 and 15). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Least-squares slope of y over x. */
function slope(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i]! - mx) * (y[i]! - my);
    den += (x[i]! - mx) ** 2;
  }
  return num / den;
}
