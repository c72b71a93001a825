import { RawCdp, type TargetInfo } from './raw-cdp.js';

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
