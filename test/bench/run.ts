// `npm run bench`: runs the benchmarks of BENCHMARKS.md that exist so far against a private
// Dovecot, the real relay and the built extension, prints a table with the targets, and writes
// test/bench/results.json. Not a test: figures are reported, never asserted.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { benchBodyOpen } from './body-open.js';
import { benchListScaling } from './list-scaling.js';
import { benchPopupList } from './popup-list.js';
import { benchPush } from './push.js';
import { benchRelayOverhead } from './relay-overhead.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const only = process.argv.slice(2);

const benchmarks: Record<string, { run: () => Promise<Record<string, number>>; targets: string }> = {
  list_scaling: {
    run: () => benchListScaling({ samples: Number(process.env.BENCH_SAMPLES ?? 40) }),
    targets: 'ratio_100k_1k <= 1.5',
  },
  relay_overhead: {
    run: () => benchRelayOverhead({ samples: Number(process.env.BENCH_SAMPLES ?? 60) }),
    targets: 'ratio_p50 <= 1.15',
  },
  push: {
    run: () => benchPush({ samples: Number(process.env.BENCH_SAMPLES ?? 40) }),
    targets: 'ours_p50_ms <= 15, ours_p95_ms <= 40, e2e_p50_ms <= floor_p50_ms + 20',
  },
  body_open: {
    run: () => benchBodyOpen({ samples: Number(process.env.BENCH_SAMPLES ?? 30) }),
    targets: 'html60k_p50_ms <= 80, big_p50_ms <= 250, big_bytes_from_imap <= 2 x big_text_part_bytes',
  },
  popup_list: {
    run: () => benchPopupList({ samples: Number(process.env.BENCH_SAMPLES ?? 30) }),
    targets: 'warm_p50_ms <= 100, cold_p50_ms <= 250',
  },
};

// The test build: the benchmarks read the worker's test hooks (badge timings, cache clearing).
if (!existsSync(join(root, '.output', 'chrome-mv3-test', 'manifest.json')) || process.env.BENCH_BUILD !== '0') {
  const build = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'wxt', 'bin', 'wxt.mjs'), 'build', 'extension'],
    { cwd: root, stdio: 'inherit' },
  );
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const results: Record<string, Record<string, number>> = {};
for (const [id, bench] of Object.entries(benchmarks)) {
  if (only.length && !only.includes(id)) continue;
  process.stdout.write(`\n▶ ${id} …\n`);
  const started = Date.now();
  results[id] = await bench.run();
  process.stdout.write(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

process.stdout.write('\nbenchmark  figure               value\n');
for (const [id, figures] of Object.entries(results)) {
  for (const [name, value] of Object.entries(figures))
    process.stdout.write(`${id.padEnd(10)} ${name.padEnd(20)} ${value}\n`);
  process.stdout.write(`${''.padEnd(10)} targets: ${benchmarks[id]!.targets}\n`);
}
const out = join(root, 'test', 'bench', 'results.json');
// A run of some ids (`npm run bench -- push`) keeps the other benchmarks' last figures.
const previous = only.length && existsSync(out) ? previousResults(out) : {};
writeFileSync(
  out,
  JSON.stringify({ version: 1, at: new Date().toISOString(), benchmarks: { ...previous, ...results } }, null, 2) + '\n',
);
process.stdout.write(`\nwrote ${out}\n`);

function previousResults(file: string): Record<string, Record<string, number>> {
  const parsed = z
    .object({ benchmarks: z.record(z.string(), z.record(z.string(), z.number())) })
    .safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data.benchmarks : {};
}
