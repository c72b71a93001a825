// What the machine was doing while a benchmark ran, so its figures can be read (issue 10: the same
// code gave a cold popup of 230 ms in one full run and 391 ms in another on this 2-core VM).
//   steal_pct — CPU time the hypervisor gave to other guests, as a share of this VM's CPU time over
//               the benchmark (/proc/stat; 0 off Linux). High: a noisy neighbour, not our code.
//   load1     — the 1-minute load average just before the benchmark.
//   settle_ms — how long the benchmark waited for the machine to go quiet first (settle): the
//               previous benchmark's Chromium, Dovecot and relay processes can still be exiting or
//               writing, and their CPU would otherwise land in the first samples.
//   busy_pct  — the share of all CPUs busy over the last second of that wait (the benchmark starts
//               anyway after SETTLE_MAX_MS, and this says how busy the machine still was).
// A timed JavaScript loop was tried as a speed probe and dropped: V8 optimised it at different
// points of different runs (32 ms or 7 ms for the same loop), so it measured the JIT, not the CPU.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { round } from './stats.js';

export interface Conditions {
  steal_pct: number;
  load1: number;
  settle_ms: number;
  busy_pct: number;
}

/** The machine's CPU time counters (all CPUs, in clock ticks), or null off Linux. */
function cpuTicks(): { steal: number; idle: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user/nice).
    const total = values.slice(0, 8).reduce((sum, v) => sum + v, 0);
    return { steal: values[7] ?? 0, idle: (values[3] ?? 0) + (values[4] ?? 0), total };
  } catch {
    return null;
  }
}

/** Quiet: under this share of all CPUs busy over one second. An idle VM here reads 1-5 %. */
const SETTLE_BUSY_BELOW = 0.15;
/** A machine that never goes quiet (another job) does not hold the run up longer than this. */
const SETTLE_MAX_MS = 30_000;

/**
 * Waits until the machine has been quiet for a whole second (at most SETTLE_MAX_MS), and says how
 * long that took and how busy the last second was. Off Linux it returns at once.
 */
export async function settle(): Promise<{ settle_ms: number; busy_pct: number }> {
  const started = Date.now();
  let before = cpuTicks();
  if (!before) return { settle_ms: 0, busy_pct: 0 };
  for (;;) {
    await new Promise((r) => setTimeout(r, 1_000));
    const after = cpuTicks();
    if (!after) return { settle_ms: Date.now() - started, busy_pct: 0 };
    const total = after.total - before.total;
    const busy = total > 0 ? 1 - (after.idle - before.idle) / total : 0;
    before = after;
    if (busy < SETTLE_BUSY_BELOW || Date.now() - started >= SETTLE_MAX_MS)
      return { settle_ms: Date.now() - started, busy_pct: round(busy * 100) };
  }
}

/** Waits for a quiet machine (settle), runs `bench` and reports the machine's conditions around it. */
export async function withConditions<T>(bench: () => Promise<T>): Promise<{ result: T; conditions: Conditions }> {
  const quiet = await settle();
  const load1 = round(loadavg()[0] ?? 0);
  const before = cpuTicks();
  const result = await bench();
  const after = cpuTicks();
  const total = before && after ? after.total - before.total : 0;
  const steal_pct = before && after && total > 0 ? round(((after.steal - before.steal) / total) * 100) : 0;
  return { result, conditions: { steal_pct, load1, ...quiet } };
}
