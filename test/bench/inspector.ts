// The relay's own view of its memory for the benchmarks, read through the V8 inspector of a relay
// started with `NODE_OPTIONS=--inspect=127.0.0.1:<port>` (no debug hook in the relay itself):
// `process.memoryUsage()` and a full garbage collection on demand.
import WebSocket from 'ws';
import { z } from 'zod/mini';

export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

const MemoryUsageSchema = z.object({
  rss: z.number(),
  heapTotal: z.number(),
  heapUsed: z.number(),
  external: z.number(),
  arrayBuffers: z.number(),
});
const ReplySchema = z.object({
  id: z.number(),
  result: z.optional(z.unknown()),
  error: z.optional(z.object({ message: z.string() })),
});
const EvaluateSchema = z.object({
  result: z.object({ type: z.string(), value: z.optional(z.unknown()) }),
  exceptionDetails: z.optional(z.unknown()),
});

/** A CDP session to a Node process's inspector. */
export class NodeInspector implements Disposable {
  readonly #ws: WebSocket;
  #next = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (data: Buffer) => {
      const parsed = ReplySchema.safeParse(JSON.parse(data.toString()));
      if (!parsed.success) return; // events (no id)
      const waiter = this.#pending.get(parsed.data.id);
      if (!waiter) return;
      this.#pending.delete(parsed.data.id);
      if (parsed.data.error) waiter.reject(new Error(`inspector: ${parsed.data.error.message}`));
      else waiter.resolve(parsed.data.result);
    });
  }

  /** Connects to the inspector listening on `port` (the relay's only target). */
  static async connect(port: number, timeoutMs = 15_000): Promise<NodeInspector> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const list = z
          .array(z.object({ webSocketDebuggerUrl: z.string() }))
          .parse(await (await fetch(`http://127.0.0.1:${port}/json/list`)).json());
        const url = list[0]?.webSocketDebuggerUrl;
        if (!url) throw new Error('no inspector target');
        const ws = new WebSocket(url);
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        return new NodeInspector(ws);
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`inspector on port ${port} not reachable`, { cause: err });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** `process.memoryUsage()` of the inspected process. */
  async memoryUsage(): Promise<MemoryUsage> {
    const reply = EvaluateSchema.parse(
      await this.send('Runtime.evaluate', { expression: 'process.memoryUsage()', returnByValue: true }),
    );
    if (reply.exceptionDetails) throw new Error('inspector: process.memoryUsage() threw');
    return MemoryUsageSchema.parse(reply.result.value);
  }

  /** A full, compacting garbage collection in the inspected process. */
  async collectGarbage(): Promise<void> {
    await this.send('HeapProfiler.collectGarbage');
  }

  [Symbol.dispose](): void {
    for (const waiter of this.#pending.values()) waiter.reject(new Error('inspector closed'));
    this.#pending.clear();
    this.#ws.close();
  }
}
