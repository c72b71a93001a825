// What the CDP trace tools (trace-body-open.ts, trace-popup-open.ts) record and how they group
// the renderer's trace events into phases: one list, so both tools' "script" or "layout" mean
// the same thing.

/** Trace categories to record (`__metadata` names the threads). */
export const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'blink.user_timing',
  'v8',
  'v8.execute',
  'loading',
  'blink',
  '__metadata',
];

/** First match wins: compile is checked before script, whose `v8.` prefix would also match it. */
const PHASES: [string, RegExp][] = [
  ['gc', /GC|Scavenge|MarkCompact|Sweep/i],
  [
    'compile',
    /^(v8\.compile|V8\.Compile|v8\.parseOnBackground|V8\.ScriptCompiler|v8\.produceModuleCache|CompileScript)/,
  ],
  [
    'parse html',
    /^(ParseHTML|HTMLDocumentParser|DocumentLoader::CommitNavigation|WebLocalFrameImpl::createChildframe)/,
  ],
  [
    'style',
    /^(UpdateLayoutTree|RecalculateStyles|ParseAuthorStyleSheet|Document::recalcStyle|Document::rebuildLayoutTree|Document::updateStyle)/,
  ],
  ['layout', /^(Layout|LocalFrameView::performLayout|InlineNode::|UpdateLayerTree|LayoutBlock|LayoutText)/],
  [
    'paint',
    /^(Paint|PrePaint|Layerize|PaintImage|CompositeLayers|Commit|UpdateLayer|Decode|Blink\.(PrePaint|Paint|CompositingInputs|Compositing))/,
  ],
  [
    'script',
    /^(FunctionCall|EvaluateScript|v8\.|V8\.|RunMicrotasks|EventDispatch|TimerFire|FireAnimationFrame|FireIdleCallback|XHR|ResizeObserver)/,
  ],
  ['task overhead', /^(RunTask|ThreadControllerImpl|AsyncTask|ScheduledAction)/],
];

/** The phase a trace event's name belongs to ('other' when none matches). */
export const phaseOf = (name: string): string => PHASES.find(([, re]) => re.test(name))?.[0] ?? 'other';

/** Self time (µs per event) summed into phases and event names, in ms, with their total. */
export function groupSelfTime<E extends { name: string }>(
  self: Iterable<[E, number]>,
): { phases: Record<string, number>; byName: Map<string, number>; busy: number } {
  const phases: Record<string, number> = {};
  const byName = new Map<string, number>();
  let busy = 0;
  for (const [e, us] of self) {
    const phase = phaseOf(e.name);
    phases[phase] = (phases[phase] ?? 0) + us / 1000;
    byName.set(e.name, (byName.get(e.name) ?? 0) + us / 1000);
    busy += us / 1000;
  }
  return { phases, byName, busy };
}

/** One event of a Chrome DevTools protocol trace, with the fields the tracers read. */
export interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of the event, µs: unlike `dur`, not stretched when other processes hold the CPU. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: {
    data?: { url?: string; frame?: string; name?: string; functionName?: string };
    fileName?: string;
    url?: string;
    name?: string;
  };
}
