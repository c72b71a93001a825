// Where the time of `body_open` goes (BENCHMARKS.md, issue 10): opens 60 KB HTML messages in the
// real popup while Chromium traces (Chrome DevTools protocol Tracing + a sampling CPU profile),
// then prints, per open, the popup renderer's main thread between the keypress and the painted
// frame by phase (script, HTML parse, style, layout, paint, GC, idle = waiting on the worker,
// relay and IMAP), the slowest trace events, and the JS functions with the most self time.
// The bundle is minified: in the MessageView chunk, DOMPurify's helpers (its `unapply` wrapper
// and `regExpTest`) and MessageFrame's measure() (whose self time is the forced layout of the
// frame's document) are the usual names at the top. Tracing and the profiler slow the open down.
//   node --import tsx test/bench/trace-body-open.ts      (TRACE_OPENS=5 traced opens; TRACE_WARM=1:
//   each message opened once untraced first, so the traced open is served from the cache)
// The message frame is same-origin (sandbox="allow-same-origin"), so its parsing, style and
// layout run on the popup's renderer main thread and show up here.
import type { CDPSession } from 'playwright-core';
import { launchExtension } from '../harness/chromium.js';
import { startDovecot } from '../harness/dovecot.js';
import { connectImap } from '../harness/mail.js';
import { pairFromOptions } from '../harness/options-page.js';
import { addAccountViaCli, startRelayProcess } from '../harness/relay.js';
import { buildMime } from '../fixtures/hostile/mime.js';
import { newsletterHtml, TIME_OPEN, waitForRows } from './body-open.js';
import { round } from './stats.js';
import { groupSelfTime, TRACE_CATEGORIES, type TraceEvent } from './trace-phases.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

export interface BodyOpenTrace {
  ms: number;
  /** CPU time of the popup's main thread between keypress and paint (top-level tasks' thread time). */
  cpu: number;
  phases: Record<string, number>;
  topEvents: { name: string; self: number }[];
  topFunctions: { fn: string; self: number }[];
  /** JS functions by total time (their own plus their callees'), native calls included. */
  topInclusive: { fn: string; total: number }[];
  /** The main thread's tasks of 1 ms or more, in order: start (ms after the keypress), length, what ran most. */
  tasks: { at: number; ms: number; top: string }[];
}

async function traced(cdp: CDPSession, run: () => Promise<number>): Promise<BodyOpenTrace> {
  const events: TraceEvent[] = [];
  const onData = (params: { value: unknown[] }) => {
    events.push(...(params.value as TraceEvent[]));
  };
  cdp.on('Tracing.dataCollected', onData);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: TRACE_CATEGORIES },
  });
  await cdp.send('Profiler.start');
  const ms = await run();
  const { profile } = (await cdp.send('Profiler.stop')) as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
  };
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.end');
  await complete;
  cdp.off('Tracing.dataCollected', onData);

  const start = events.find((e) => e.name === 'trace-open-start');
  const end = events.find((e) => e.name === 'trace-open-end');
  if (!start || !end) throw new Error('trace: the open marks are missing');
  const main = events
    .filter((e) => e.ph === 'X' && e.pid === start.pid && e.tid === start.tid && e.ts >= start.ts && e.ts <= end.ts)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  // Self time per event: its duration minus its direct children's (events nest on one thread).
  const self = new Map<TraceEvent, number>();
  const stack: TraceEvent[] = [];
  for (const e of main) {
    while (stack.length && stack.at(-1)!.ts + (stack.at(-1)!.dur ?? 0) <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent, (self.get(parent) ?? 0) - (e.dur ?? 0));
    self.set(e, (self.get(e) ?? 0) + (e.dur ?? 0));
    stack.push(e);
  }
  // Top-level tasks: events with no parent on the stack, 1 ms or longer.
  const tasks: { at: number; ms: number; top: string }[] = [];
  let cpuUs = 0;
  {
    let open: { e: TraceEvent; names: Map<string, number> } | null = null;
    const flush = () => {
      if (!open || (open.e.dur ?? 0) < 1000) return;
      const top = [...open.names].sort((a, b) => b[1] - a[1]).slice(0, 3);
      tasks.push({
        at: round((open.e.ts - start.ts) / 1000, 1),
        ms: round((open.e.dur ?? 0) / 1000, 1),
        top: top.map(([n, us]) => `${n} ${round(us / 1000, 1)}`).join(', '),
      });
    };
    for (const e of main) {
      if (!open || e.ts >= open.e.ts + (open.e.dur ?? 0)) {
        flush();
        open = { e, names: new Map() };
        cpuUs += e.tdur ?? 0;
      }
      open.names.set(e.name, (open.names.get(e.name) ?? 0) + (self.get(e) ?? 0));
    }
    flush();
  }
  const { phases, byName, busy } = groupSelfTime(self);
  const window = (end.ts - start.ts) / 1000;
  phases.idle = window - busy;
  for (const k of Object.keys(phases)) phases[k] = round(phases[k]!, 1);

  // CPU profile: self time per function (minified names; the chunk says whose code it is).
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const fnSelf = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id)?.callFrame;
    if (!frame) return;
    const file = frame.url.split('/').at(-1) || '(native)';
    const key = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  // Inclusive: each sample counts once for every distinct function on its stack.
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const keyOf = (frame: ProfileNode['callFrame']) =>
    `${frame.functionName || '(anonymous)'} ${frame.url.split('/').at(-1) || '(native)'}:${frame.lineNumber + 1}:${frame.columnNumber + 1}`;
  const fnTotal = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const frame = nodes.get(n)?.callFrame;
      if (frame && frame.functionName !== '(root)') seen.add(keyOf(frame));
    }
    for (const key of seen) fnTotal.set(key, (fnTotal.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const top = <K>(m: Map<K, number>, n: number) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return {
    ms: round(ms, 1),
    cpu: round(cpuUs / 1000, 1),
    phases,
    topEvents: top(byName, 10).map(([name, v]) => ({ name, self: round(v, 1) })),
    topFunctions: top(fnSelf, 10)
      .filter(([fn]) => !fn.startsWith('(idle)') && !fn.startsWith('(program)'))
      .map(([fn, v]) => ({ fn, self: round(v, 1) })),
    topInclusive: top(fnTotal, 40)
      .filter(([fn]) => !fn.startsWith('(idle)') && !fn.startsWith('(program)'))
      .map(([fn, v]) => ({ fn, total: round(v, 1) })),
    tasks,
  };
}

/** Opens `opens` different 60 KB messages (after one warm-up open) under the tracer. */
export async function traceBodyOpen(options: { opens: number; warm?: boolean }): Promise<BodyOpenTrace[]> {
  await using dovecot = await startDovecot();
  await using relay = await startRelayProcess();
  const user = await dovecot.addUser();
  await addAccountViaCli(relay.dataDir, dovecot, user, { name: 'Trace' });
  const html = newsletterHtml(60, 'trace');
  {
    await using client = await connectImap(dovecot, user);
    for (let i = 0; i <= options.opens; i++)
      await client.append('INBOX', buildMime({ subject: `trace60k ${i}`, html }), []);
  }
  await using browser = await launchExtension();
  (await pairFromOptions(browser, relay)).close().catch(() => undefined);
  const page = await browser.openPage('popup.html');
  await waitForRows(page, 'trace60k', options.opens + 1);
  const cdp = await browser.context.newCDPSession(page);
  const open = async (index: number) => {
    await page.getByTestId('message-list').focus();
    await page.keyboard.press('Home');
    for (let i = 0; i < index; i++) await page.keyboard.press('j');
    const run = async () =>
      (await page.evaluate(
        `(async () => { performance.mark('trace-open-start'); const ms = await (${TIME_OPEN})(); performance.mark('trace-open-end'); return ms; })()`,
      )) as number;
    return run;
  };
  // Warm-up (code paths, the relay's command connection), untraced.
  await (
    await open(options.opens)
  )();
  await page.getByTestId('back-button').click();
  const traces: BodyOpenTrace[] = [];
  // Upwards, as body_open: the popup prefetches the message below an open one, which was opened
  // already, so no uncached open is served by a prefetch.
  for (let i = options.opens - 1; i >= 0; i--) {
    if (options.warm) {
      // Open it once untraced, so the traced open finds the body in the extension's cache.
      await (
        await open(i)
      )();
      await page.getByTestId('back-button').click();
      await page.getByTestId('message-list').waitFor({ timeout: 20_000 });
    }
    const run = await open(i);
    traces.push(await traced(cdp, run));
    await page.getByTestId('back-button').click();
    await page.getByTestId('message-list').waitFor({ timeout: 20_000 });
  }
  await cdp.detach();
  return traces;
}

/** Per-phase medians over the traced opens, for the benchmark's extra output. */
export function summariseTraces(traces: BodyOpenTrace[]): Record<string, number> {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  const phases = new Set(traces.flatMap((t) => Object.keys(t.phases)));
  const out: Record<string, number> = {
    trace_open_p50_ms: median(traces.map((t) => t.ms)),
    trace_main_cpu_p50_ms: median(traces.map((t) => t.cpu)),
  };
  for (const p of phases) out[`trace_${p.replace(/\s+/g, '_')}_p50_ms`] = median(traces.map((t) => t.phases[p] ?? 0));
  return out;
}

export function printTraces(traces: BodyOpenTrace[]): void {
  const out = (line: string) => process.stdout.write(line + '\n');
  for (const [i, t] of traces.entries()) {
    out(`\nopen ${i + 1}: ${t.ms} ms keypress → painted frame, main thread CPU ${t.cpu} ms`);
    out(
      `  main thread by phase (ms): ${Object.entries(t.phases)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    out(`  top events (self ms): ${t.topEvents.map((e) => `${e.name} ${e.self}`).join(', ')}`);
    out(`  top JS functions (self ms): ${t.topFunctions.map((f) => `${f.fn} ${f.self}`).join('; ')}`);
    out(`  top JS functions (total ms): ${t.topInclusive.map((f) => `${f.fn} ${f.total}`).join('; ')}`);
    out(`  main-thread tasks (start ms: length ms, top events):`);
    for (const task of t.tasks) out(`    ${task.at}: ${task.ms} (${task.top})`);
  }
  const summary = summariseTraces(traces);
  out(
    `\nmedians: ${Object.entries(summary)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTraces(
    await traceBodyOpen({ opens: Number(process.env.TRACE_OPENS ?? 5), warm: process.env.TRACE_WARM === '1' }),
  );
}
