import WebSocket from 'ws';

/**
 * A browser-wide network recorder over a raw Chrome DevTools Protocol connection.
 *
 * Why not a page CDP session with `Network.enable` (verified on Chromium 156): Chromium runs
 * sandboxed srcdoc iframes — how mail bodies are rendered — and cross-site iframes in their own
 * processes. Their requests reach neither the page session nor Playwright's `request` events, and
 * a sandboxed srcdoc frame is not paused by `waitForDebuggerOnStart`, so even auto-attaching to it
 * loses the race with its first <img>. What does see them is `Fetch.enable` on the *browser*
 * target: it intercepts every frame's HTTP(S) requests in the browser process. It does not see
 * service-worker fetches or WebSocket handshakes, so the recorder also auto-attaches (recursively)
 * to every target and enables `Network` there (`requestWillBeSent`, `webSocketCreated`).
 * Playwright hides the child sessions of its own connection, hence this second connection to the
 * endpoint launchExtension opens (`--remote-debugging-port`).
 */

interface CdpMessage {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: unknown;
  error?: { message: string };
  sessionId?: string;
}

interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
}

class RawCdp {
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

/** One observation. The same request may be observed by both sources. */
export interface NetworkEntry {
  url: string;
  kind: 'request' | 'websocket';
  /** `fetch`: browser-level interception (all frames); `network`: a target's Network domain. */
  source: 'fetch' | 'network';
  /** CDP resource type when known (Document, Image, Script, Fetch, ...). */
  resourceType: string | undefined;
  /** For `network` entries: the target that made it (page, iframe, service_worker, worker, ...). */
  targetType: string | undefined;
  targetUrl: string | undefined;
}

export interface NetworkRecorder {
  /** Distinct URLs requested anywhere in the browser (HTTP(S) and WebSocket), in first-seen order. */
  requests(): string[];
  /** Every observation, with where it came from. */
  entries(): NetworkEntry[];
  /**
   * Distinct URLs that left the browser: all but the extension's own, Chromium's internal pages
   * and inline schemes (chrome-extension:, chrome:, devtools:, data:, blob:, about:).
   */
  external(): string[];
  stop(): Promise<void>;
}

/** Targets of Chromium's own UI (omnibox popup, ...): resumed, never recorded. */
const IGNORED_TARGET_TYPES = new Set(['browser_ui', 'other', 'tab']);

/** Starts recording every request in the browser behind `endpoint` until `stop()`. */
export async function startCdpNetworkRecorder(endpoint: string): Promise<NetworkRecorder> {
  const cdp = await RawCdp.connect(endpoint);
  const sessions = new Map<string, TargetInfo>();
  const entries: NetworkEntry[] = [];
  const autoAttach = { autoAttach: true, waitForDebuggerOnStart: true, flatten: true };

  cdp.onEvent((message) => {
    const params = message.params ?? {};
    switch (message.method) {
      case 'Fetch.requestPaused': {
        const request = params['request'] as { url: string };
        entries.push({
          url: request.url,
          kind: 'request',
          source: 'fetch',
          resourceType: params['resourceType'] as string | undefined,
          targetType: undefined,
          targetUrl: undefined,
        });
        // Let it through unchanged; the recorder only watches.
        cdp.send('Fetch.continueRequest', { requestId: params['requestId'] }, message.sessionId).catch(() => undefined);
        break;
      }
      case 'Target.attachedToTarget': {
        const sessionId = params['sessionId'] as string;
        const target = params['targetInfo'] as TargetInfo;
        const record = !IGNORED_TARGET_TYPES.has(target.type);
        if (record) sessions.set(sessionId, target);
        void (async () => {
          if (record) {
            try {
              await cdp.send('Network.enable', {}, sessionId);
              // Recurse: out-of-process iframes and workers attach to their parent's session.
              await cdp.send('Target.setAutoAttach', autoAttach, sessionId);
            } catch {
              // Targets without a Network domain, or gone meanwhile.
            }
          }
          if (params['waitingForDebugger'] === true) {
            await cdp.send('Runtime.runIfWaitingForDebugger', {}, sessionId).catch(() => undefined);
          }
        })();
        break;
      }
      case 'Target.detachedFromTarget':
        sessions.delete(params['sessionId'] as string);
        break;
      case 'Network.requestWillBeSent':
      case 'Network.webSocketCreated': {
        const target = message.sessionId ? sessions.get(message.sessionId) : undefined;
        if (!target) break;
        const isSocket = message.method === 'Network.webSocketCreated';
        entries.push({
          url: isSocket ? (params['url'] as string) : (params['request'] as { url: string }).url,
          kind: isSocket ? 'websocket' : 'request',
          source: 'network',
          resourceType: params['type'] as string | undefined,
          targetType: target.type,
          targetUrl: target.url,
        });
        break;
      }
      default:
        break;
    }
  });
  await cdp.send('Fetch.enable', { patterns: [{ urlPattern: '*', requestStage: 'Request' }] });
  // Browser level: attaches to every existing and future top-level target (pages, service workers).
  await cdp.send('Target.setAutoAttach', autoAttach);
  // Attach events for existing targets arrive right after; give their Network.enable a moment.
  await new Promise((r) => setTimeout(r, 100));

  const distinct = (): string[] => [...new Set(entries.map((e) => e.url))];
  let stopped = false;
  return {
    requests: distinct,
    entries: () => [...entries],
    external: () => distinct().filter((u) => !/^(data|blob|about|chrome-extension|chrome|devtools):/.test(u)),
    async stop() {
      if (stopped) return;
      stopped = true;
      // Closing the connection detaches every session and ends interception.
      await cdp.close();
    },
  };
}
