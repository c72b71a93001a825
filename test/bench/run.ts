// `npm run bench`: runs the benchmarks of BENCHMARKS.md that exist so far against a private
// Dovecot, the real relay and the built extension, prints a table with each figure beside its
// target, and writes test/bench/results.json (with the machine it ran on). `npm run bench -- <id>`
// runs some and merges them into results.json. Not a test: figures are reported, never asserted.
// BENCH_SAMPLES=<n> overrides every sample count (for a quick look; committed figures come from
// the defaults below). Beside each benchmark it records the machine's conditions (conditions.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod/mini';
import { CHROMIUM_BIN, DOVECOT_BIN } from '../harness/binaries.js';
import { RELAY_INSTALL_DIR_ENV } from '../harness/relay.js';
import { benchBodyOpen } from './body-open.js';
import { buildRelay } from './built-relay.js';
import { benchBurst } from './burst.js';
import { withConditions, type Conditions } from './conditions.js';
import { benchIdleAccounts } from './idle-accounts.js';
import { benchListScaling } from './list-scaling.js';
import { benchPopupList } from './popup-list.js';
import { benchPush } from './push.js';
import { benchRecover } from './recover.js';
import { benchRelayOverhead } from './relay-overhead.js';
import { benchResync } from './resync.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const only = process.argv.slice(2);

type Figures = Record<string, number>;
/** One target: a figure's limit, absolute or relative to another figure of the same run. */
interface Target {
  figure: string;
  max: number | ((figures: Figures) => number);
  text: string;
}
interface Benchmark {
  /** Drives the built extension in Chromium (the others need no extension build). */
  browser?: true;
  defaultSamples: number;
  run: (options: { samples: number }) => Promise<Figures>;
  targets: Target[];
}

const le = (figure: string, max: number): Target => ({ figure, max, text: `<= ${max}` });

const benchmarks: Record<string, Benchmark> = {
  list_scaling: { defaultSamples: 40, run: benchListScaling, targets: [le('ratio_100k_1k', 1.5)] },
  relay_overhead: { defaultSamples: 60, run: benchRelayOverhead, targets: [le('ratio_p50', 1.15)] },
  push: {
    browser: true,
    defaultSamples: 40,
    run: benchPush,
    targets: [
      le('ours_p50_ms', 15),
      le('ours_p95_ms', 40),
      { figure: 'e2e_p50_ms', max: (f) => (f.floor_p50_ms ?? Number.NaN) + 20, text: '<= floor_p50_ms + 20' },
    ],
  },
  body_open: {
    browser: true,
    // 40: each phase keeps its messages within the popup's first page of 50.
    defaultSamples: 40,
    run: benchBodyOpen,
    targets: [
      le('html60k_p50_ms', 80),
      le('big_p50_ms', 250),
      { figure: 'big_bytes_ratio', max: 2, text: '<= 2 (bytes from IMAP / text part)' },
    ],
  },
  popup_list: {
    browser: true,
    defaultSamples: 40,
    run: benchPopupList,
    targets: [le('warm_p50_ms', 100), le('cold_p50_ms', 250)],
  },
  burst: {
    browser: true,
    defaultSamples: 1,
    run: benchBurst,
    targets: [
      le('converge_ms', 2_000),
      { figure: 'max_notifications_per_2s', max: 1, text: '<= 1 per 2 s per account' },
    ],
  },
  resync: {
    // Each sample cuts the link twice for 10 s (blackhole, stall); a missed probe can add ~60 s.
    defaultSamples: 2,
    run: benchResync,
    targets: [le('visible_after_restore_ms', 3_000), le('duplicates', 0), le('missed', 0)],
  },
  recover: {
    browser: true,
    defaultSamples: 5,
    run: benchRecover,
    targets: [le('relay_restart_to_live_ms', 3_000), le('server_restart_to_live_ms', 5_000)],
  },
  idle_accounts: {
    // One run at N = 1, 50 and 200 (no samples to repeat).
    defaultSamples: 1,
    run: benchIdleAccounts,
    targets: [le('rss_per_account_kib', 300), le('idle_cpu_pct', 1), le('imap_connections_per_account', 2)],
  },
};

const unknown = only.filter((id) => !(id in benchmarks));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}\n`);
  process.exit(2);
}

// The test build: the benchmarks read the worker's test hooks (badge timings, cache clearing).
// Skipped when none of the benchmarks to run drives the extension.
const needsExtension = Object.entries(benchmarks).some(([id, b]) => b.browser && (!only.length || only.includes(id)));
const built = existsSync(join(root, '.output', 'chrome-mv3-test', 'manifest.json'));
if (needsExtension && (!built || process.env.BENCH_BUILD !== '0')) {
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'wxt', 'bin', 'wxt.mjs'), 'build', 'extension', '--mode', 'test'],
    { cwd: root, stdio: 'inherit' },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// Every benchmark runs the relay as deployed (built-relay.ts), built once for the run.
using relayBuild = await buildRelay();
process.env[RELAY_INSTALL_DIR_ENV] = relayBuild.installDir;

const override = process.env.BENCH_SAMPLES ? Number(process.env.BENCH_SAMPLES) : null;
const results: Record<string, Figures> = {};
/** What the machine was doing during each benchmark (conditions.ts): read the figures with it. */
const conditions: Record<string, Conditions> = {};
const runStarted = Date.now();
for (const [id, bench] of Object.entries(benchmarks)) {
  if (only.length && !only.includes(id)) continue;
  process.stdout.write(`\n▶ ${id} …\n`);
  const started = Date.now();
  const run = await withConditions(() => bench.run({ samples: override ?? bench.defaultSamples }));
  results[id] = run.result;
  conditions[id] = run.conditions;
  process.stdout.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

const machine = machineInfo();
process.stdout.write(
  `\nmachine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}, Chromium ${machine.chromium}, Dovecot ${machine.dovecot}; ` +
    `total ${((Date.now() - runStarted) / 1000).toFixed(0)} s\n\n`,
);
process.stdout.write(`${'benchmark'.padEnd(15)}${'figure'.padEnd(28)}${'value'.padStart(10)}  target\n`);
for (const [id, figures] of Object.entries(results)) {
  const targets = benchmarks[id]!.targets;
  for (const [name, value] of Object.entries(figures)) {
    const target = targets.find((t) => t.figure === name);
    let verdict = '';
    if (target) {
      const max = typeof target.max === 'number' ? target.max : target.max(figures);
      verdict = `${target.text}  ${value <= max ? 'ok' : 'MISS'}`;
    }
    process.stdout.write(`${id.padEnd(15)}${name.padEnd(28)}${String(value).padStart(10)}  ${verdict}\n`);
  }
}
process.stdout.write(
  `\nconditions (CPU time stolen by other guests; load average before; wait for a quiet machine, and how busy it still was):\n`,
);
for (const [id, c] of Object.entries(conditions)) {
  process.stdout.write(
    `${id.padEnd(15)}steal ${c.steal_pct} %, load ${c.load1}, settled in ${(c.settle_ms / 1000).toFixed(1)} s at ${c.busy_pct} % busy\n`,
  );
}
const out = join(root, 'test', 'bench', 'results.json');
// A run of some ids (`npm run bench -- push`) keeps the other benchmarks' last figures.
const previous = only.length && existsSync(out) ? previousResults(out) : { benchmarks: {}, conditions: {} };
writeFileSync(
  out,
  JSON.stringify(
    {
      version: 1,
      at: new Date().toISOString(),
      machine,
      benchmarks: { ...previous.benchmarks, ...results },
      conditions: { ...previous.conditions, ...conditions },
    },
    null,
    2,
  ) + '\n',
);
process.stdout.write(`\nwrote ${out}\n`);

function previousResults(file: string): {
  benchmarks: Record<string, Figures>;
  conditions: Record<string, Conditions>;
} {
  const parsed = z
    .object({
      benchmarks: z.record(z.string(), z.record(z.string(), z.number())),
      conditions: z._default(
        z.record(
          z.string(),
          z.object({
            steal_pct: z.number(),
            load1: z.number(),
            // Absent in results written before benchmarks waited for a quiet machine.
            settle_ms: z._default(z.number(), 0),
            busy_pct: z._default(z.number(), -1),
          }),
        ),
        {},
      ),
    })
    .safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : { benchmarks: {}, conditions: {} };
}

/** BENCHMARKS.md's `machine`: cores, Node, Chromium and Dovecot versions (and the CPU model). */
function machineInfo(): { cores: number; cpu: string; node: string; chromium: string; dovecot: string } {
  const version = (bin: string, args: string[]) => {
    try {
      return execFileSync(bin, args, { encoding: 'utf8', timeout: 10_000 }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    chromium:
      version(CHROMIUM_BIN, ['--version'])
        .replace(/^Chromium\s+/, '')
        .split(' ')[0] ?? 'unknown',
    dovecot: version(DOVECOT_BIN, ['--version']),
  };
}
