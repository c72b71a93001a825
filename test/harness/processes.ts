import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

interface ProcInfo {
  pid: number;
  ppid: number;
  cmdline: string;
}

/** Every process visible in /proc (Linux only; empty elsewhere). Racy by nature: processes come and go. */
export function listProcesses(): ProcInfo[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Field 2 is "(comm)" and may contain spaces or parentheses: parse after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(entry), ppid: Number(rest[1]), cmdline });
    } catch {
      // The process exited while we looked.
    }
  }
  return out;
}

/** All descendants of `pid` (children, grandchildren, ...), found by walking parent pids. */
export function descendantsOf(pid: number, processes: ProcInfo[] = listProcesses()): number[] {
  const children = new Map<number, number[]>();
  for (const p of processes) {
    const list = children.get(p.ppid) ?? [];
    list.push(p.pid);
    children.set(p.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    for (const child of children.get(next) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Sends `sig` to `pid` and to every descendant, collected *before* signalling so that children
 * re-parented to init are not lost. Used for SIGKILL: Dovecot's imap processes keep serving open
 * connections when only the master is killed.
 */
export function killTree(pid: number, sig: NodeJS.Signals = 'SIGKILL'): void {
  const descendants = descendantsOf(pid);
  signal(pid, sig);
  for (const child of descendants) signal(child, sig);
}

/** True while a process with this pid exists (and is not a zombie we could still reap). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Kills (SIGKILL, whole tree) every process whose command line mentions `path`, except this
 * process and its ancestors. Cleans up after runs that crashed: Dovecot's master is started with
 * `-c <dir>/dovecot.conf`, the relay with `--data-dir <dir>`, Chromium with `--user-data-dir=<dir>`.
 * Returns the pids it signalled.
 */
export function killProcessesMentioning(path: string): number[] {
  const processes = listProcesses();
  const protectedPids = new Set<number>([process.pid]);
  let cursor: number | undefined = process.ppid;
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  while (cursor !== undefined && cursor > 1 && !protectedPids.has(cursor)) {
    protectedPids.add(cursor);
    cursor = byPid.get(cursor)?.ppid;
  }
  const killed: number[] = [];
  for (const p of processes) {
    if (protectedPids.has(p.pid) || !p.cmdline.includes(path)) continue;
    const tree = [p.pid, ...descendantsOf(p.pid, processes)];
    for (const pid of tree) signal(pid, 'SIGKILL');
    killed.push(...tree);
  }
  return killed;
}

/** Resolves true once the child has exited, false after `timeoutMs`. */
export async function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return await new Promise<boolean>((resolveExit) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolveExit(false);
    }, timeoutMs);
    const onExit = (): void => {
      clearTimeout(timer);
      resolveExit(true);
    };
    child.once('exit', onExit);
  });
}

/** True once the child has exited (or was killed by a signal). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

const tracked = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Registers a child process to be SIGKILLed (with its descendants) if this process exits while it
 * is still running — the last line of defence when a test crashes past its `await using`.
 * 'exit' handlers must be synchronous, which killTree is. Returns an unregister function.
 */
export function killOnExit(child: ChildProcess): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of tracked) if (c.pid !== undefined && !hasExited(c)) killTree(c.pid, 'SIGKILL');
    });
  }
  tracked.add(child);
  const untrack = (): void => {
    tracked.delete(child);
  };
  child.once('exit', untrack);
  return untrack;
}

/** Keeps the last `maxChars` of a process's combined output. */
export class OutputBuffer {
  #text = '';
  constructor(private readonly maxChars = 256 * 1024) {}
  append(chunk: Buffer | string): void {
    this.#text += chunk.toString();
    if (this.#text.length > this.maxChars) this.#text = this.#text.slice(-this.maxChars);
  }
  toString(): string {
    return this.#text;
  }
}
