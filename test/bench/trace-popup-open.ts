// Where the time of `popup_list` goes (BENCHMARKS.md, issue 10): opens the real extension's
// toolbar popup as popup_list does (harness/action-popup.ts) while Chromium traces (Chrome
// DevTools protocol Tracing, browser-wide), and prints, per open, the popup renderer's main
// thread from navigation start to "50 rows in the list" by phase (script compile/evaluate, HTML
// parse, style, layout, paint, GC, idle = waiting on the worker or the disk), the script time per
// chunk (compile + module evaluation, from the v8 events), and the slowest events. Warm opens
// (cache present, worker alive) by default; TRACE_CASE=restart stops the worker before each
// traced open; TRACE_CASE=cold also empties the extension's cache and restarts the relay, as
// popup_list's cold case does.
//   node --import tsx test/bench/trace-popup-open.ts     (TRACE_OPENS=5 traced opens)
// Uses the test build (.output/chrome-mv3-test, or TIDINGS_EXTENSION_DIR). Tracing slows the open
// down: compare phases between builds, not these totals with the benchmark's.
import type { CDPSession } from 'playwright-core';
import { seedMaildir } from '../harness/mail.js';
import { ACTION_POPUP_ARGS, actionPopupOpener } from '../harness/action-popup.js';
import { startPopupWorld } from '../e2e/popup-world.js';
import {
  awaitInPage,
  clearMailCache,
  openActionPopupOnce,
  READY_PROBE,
  readActionPopup,
  relayRestarter,
} from './popup-list.js';
import { round } from './stats.js';
import { groupSelfTime, TRACE_CATEGORIES, type TraceEvent } from './trace-phases.js';

export interface PopupOpenTrace {
  ms: number;
  phases: Record<string, number>;
  /** Compile + evaluate time per script file (wall time of the outermost v8 event per file). */
  scripts: Record<string, number>;
  /** Busy time (top-level events) of the other threads in the same window: the worker's, the browser's. */
  threads: Record<string, number>;
  topEvents: { name: string; self: number }[];
}

class MissingNavigationStart extends Error {
  constructor() {
    super('trace: navigationStart is missing');
  }
}

async function traced(cdp: CDPSession, run: () => Promise<number>): Promise<PopupOpenTrace> {
  const events: TraceEvent[] = [];
  const onData = (params: { value: unknown[] }) => {
    events.push(...(params.value as TraceEvent[]));
  };
  cdp.on('Tracing.dataCollected', onData);
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: TRACE_CATEGORIES },
  });
  const ms = await run();
  const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
  await cdp.send('Tracing.end');
  await complete;
  cdp.off('Tracing.dataCollected', onData);

  const end = events.find((e) => e.name === 'popup-ready' && e.ph !== 'M');
  if (!end) throw new Error('trace: the popup-ready mark is missing');
  // The popup's navigation start on the same thread: the last navigationStart before the mark.
  const start = events
    .filter((e) => e.name === 'navigationStart' && e.pid === end.pid && e.tid === end.tid && e.ts <= end.ts)
    .sort((a, b) => b.ts - a.ts)[0];
  if (!start) throw new MissingNavigationStart();
  const main = events
    .filter((e) => e.ph === 'X' && e.pid === end.pid && e.tid === end.tid && e.ts >= start.ts && e.ts <= end.ts)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const self = new Map<TraceEvent, number>();
  const stack: TraceEvent[] = [];
  const scripts: Record<string, number> = {};
  for (const e of main) {
    while (stack.length && stack.at(-1)!.ts + (stack.at(-1)!.dur ?? 0) <= e.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent, (self.get(parent) ?? 0) - (e.dur ?? 0));
    self.set(e, (self.get(e) ?? 0) + (e.dur ?? 0));
    const url = e.args?.data?.url ?? e.args?.fileName ?? e.args?.url;
    if (url && /^(v8\.|V8\.|EvaluateScript|CompileScript)/.test(e.name)) {
      // Count only the outermost script event of a file (compile and evaluate nest).
      const file = url
        .split('/')
        .at(-1)!
        .replace(/-[\w-]{8}\.js$/, '.js');
      const nested = stack.some((s) => (s.args?.data?.url ?? s.args?.fileName ?? s.args?.url) === url);
      if (!nested) scripts[file] = round((scripts[file] ?? 0) + (e.dur ?? 0) / 1000, 1);
    }
    stack.push(e);
  }
  const { phases, byName, busy } = groupSelfTime(self);
  phases.idle = (end.ts - start.ts) / 1000 - busy;
  phases.busy = busy;
  // Other threads (the extension's service worker, the browser's UI and IO threads) in the window.
  const names = new Map<string, string>();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, String(e.args?.name ?? e.tid));
  }
  const threads: Record<string, number> = {};
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X' || e.ts < start.ts || e.ts > end.ts || (e.pid === end.pid && e.tid === end.tid)) continue;
    const key = `${e.pid}:${e.tid}`;
    byThread.set(key, [...(byThread.get(key) ?? []), e]);
  }
  for (const [key, list] of byThread) {
    list.sort((a, b) => a.ts - b.ts);
    let until = 0;
    let total = 0;
    for (const e of list) {
      if (e.ts >= until) {
        total += e.dur ?? 0;
        until = e.ts + (e.dur ?? 0);
      }
    }
    const name = `${names.get(key) ?? key}`;
    if (total >= 2000) threads[name] = round((threads[name] ?? 0) + total / 1000, 1);
  }
  for (const k of Object.keys(phases)) phases[k] = round(phases[k]!, 1);
  return {
    ms: round(ms, 1),
    phases,
    scripts,
    threads,
    topEvents: [...byName]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([name, v]) => ({ name, self: round(v, 1) })),
  };
}

/** warm: cache present, worker alive; restart: the worker stopped; cold: popup_list's cold case. */
export type TraceCase = 'warm' | 'restart' | 'cold';

export async function tracePopupOpen(options: { opens: number; case: TraceCase }): Promise<PopupOpenTrace[]> {
  await using world = await startPopupWorld({
    seed: async (dovecot, [user]) => {
      await seedMaildir(dovecot, user!, 500, { seenRatio: 0.7 });
    },
    launch: { extraArgs: ACTION_POPUP_ARGS, pinAction: true },
  });
  await using opener = await actionPopupOpener(world.browser);
  for (let i = 0; i < 3; i++) await openActionPopupOnce(opener);
  const pipeBrowser = world.browser.context.browser();
  if (!pipeBrowser) throw new Error('trace: no Browser behind the context');
  // Tracing records every process; the browser session starts it, as the popup is no Page.
  const cdp = await pipeBrowser.newBrowserCDPSession();
  // The mark is set when the rows are in (the probe's promise), without a timer polling the page.
  const probe = `${READY_PROBE}; window.__popupReadyPromise.then(() => performance.mark('popup-ready'));`;
  const traces: PopupOpenTrace[] = [];
  const freshRelay = options.case === 'cold' ? await relayRestarter(world) : null;
  for (let i = 0; i < options.opens; i++) {
    if (options.case === 'cold') await clearMailCache(world.browser);
    if (options.case !== 'warm') await world.browser.stopServiceWorker();
    await freshRelay?.();
    const trace = async () =>
      traced(cdp, () =>
        readActionPopup(opener, probe, (popup) =>
          popup.evaluate<number>(
            awaitInPage(
              "window.__popupReadyPromise.then(() => performance.getEntriesByName('popup-ready')[0].startTime)",
            ),
          ),
        ),
      );
    // Now and then Chromium's trace lacks the page's navigationStart: that open is traced again.
    traces.push(
      await trace().catch((error: unknown) => {
        if (!(error instanceof MissingNavigationStart)) throw error;
        return trace();
      }),
    );
  }
  await cdp.detach();
  return traces;
}

export function printPopupTraces(traces: PopupOpenTrace[]): void {
  const out = (line: string) => process.stdout.write(line + '\n');
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  for (const [i, t] of traces.entries()) {
    out(`\nopen ${i + 1}: ${t.ms} ms navigation start → 50 rows (traced)`);
    out(
      `  main thread by phase (ms): ${Object.entries(t.phases)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    out(
      `  scripts (ms): ${Object.entries(t.scripts)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    out(
      `  other threads busy (ms): ${Object.entries(t.threads)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
    out(`  top events (self ms): ${t.topEvents.map((e) => `${e.name} ${e.self}`).join(', ')}`);
  }
  const phases = new Set(traces.flatMap((t) => Object.keys(t.phases)));
  const scripts = new Set(traces.flatMap((t) => Object.keys(t.scripts)));
  out(`\nmedians: total ${median(traces.map((t) => t.ms))} ms`);
  out(`  phases: ${[...phases].map((p) => `${p} ${median(traces.map((t) => t.phases[p] ?? 0))}`).join(', ')}`);
  out(`  scripts: ${[...scripts].map((s) => `${s} ${median(traces.map((t) => t.scripts[s] ?? 0))}`).join(', ')}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printPopupTraces(
    await tracePopupOpen({
      opens: Number(process.env.TRACE_OPENS ?? 5),
      case: traceCase(process.env.TRACE_CASE),
    }),
  );
}

function traceCase(value: string | undefined): TraceCase {
  if (value === undefined || value === 'warm' || value === 'restart' || value === 'cold') return value ?? 'warm';
  throw new Error(`TRACE_CASE must be warm, restart or cold, not "${value}"`);
}
