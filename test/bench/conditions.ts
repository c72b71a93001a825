// What the machine was doing while a benchmark ran, so its figures can be read (issue 10: the same
// code gave a cold popup of 230 ms in one full run and 391 ms in another on this 2-core VM).
//   steal_pct — CPU time the hypervisor gave to other guests, as a share of this VM's CPU time over
//               the benchmark (/proc/stat; 0 off Linux). High: a noisy neighbour, not our code.
//   load1     — the 1-minute load average just before the benchmark.
// A timed JavaScript loop was tried as a speed probe and dropped: V8 optimised it at different
// points of different runs (32 ms or 7 ms for the same loop), so it measured the JIT, not the CPU.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { round } from './stats.js';

export interface Conditions {
  steal_pct: number;
  load1: number;
}

/** The machine's CPU time counters (all CPUs, in clock ticks), or null off Linux. */
function cpuTicks(): { steal: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest and guest_nice are inside user/nice).
    const total = values.slice(0, 8).reduce((sum, v) => sum + v, 0);
    return { steal: values[7] ?? 0, total };
  } catch {
    return null;
  }
}

/** Runs `bench` and reports the machine's conditions around it. */
export async function withConditions<T>(bench: () => Promise<T>): Promise<{ result: T; conditions: Conditions }> {
  const load1 = round(loadavg()[0] ?? 0);
  const before = cpuTicks();
  const result = await bench();
  const after = cpuTicks();
  const total = before && after ? after.total - before.total : 0;
  const steal_pct = before && after && total > 0 ? round(((after.steal - before.steal) / total) * 100) : 0;
  return { result, conditions: { steal_pct, load1 } };
}
