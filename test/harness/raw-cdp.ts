import WebSocket from 'ws';

/**
 * A minimal Chrome DevTools Protocol client over the endpoint launchExtension opens
 * (`--remote-debugging-port`), with flat sessions (`sessionId` on each command). Playwright's own
 * connection hides the child sessions this needs: cdp-network.ts attaches to every target, and
 * action-popup.ts to the toolbar popup, which Playwright does not expose as a page.
 */

export interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { message: string };
  sessionId?: string;
}

export interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

export class RawCdp {
  #nextId = 1;
  #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #listeners: ((message: CdpMessage) => void)[] = [];

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as CdpMessage;
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) pending?.reject(new Error(message.error.message));
        else pending?.resolve(message.result);
        return;
      }
      for (const listener of this.#listeners) listener(message);
    });
    socket.on('close', () => {
      for (const pending of this.#pending.values()) pending.reject(new Error('CDP connection closed'));
      this.#pending.clear();
    });
  }

  static async connect(endpoint: string): Promise<RawCdp> {
    const socket = new WebSocket(endpoint, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    // Errors after open surface as rejected sends / a closed socket; never crash the worker.
    socket.on('error', () => undefined);
    return new RawCdp(socket);
  }

  async send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<unknown> {
    if (this.socket.readyState !== WebSocket.OPEN) throw new Error('CDP connection closed');
    const id = this.#nextId++;
    const result = new Promise<unknown>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
    this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    return await result;
  }

  onEvent(listener: (message: CdpMessage) => void): void {
    this.#listeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
      setTimeout(() => {
        this.socket.terminate();
        resolve();
      }, 1_000).unref();
    });
  }
}
