import { createAdaptorServer } from '@hono/node-server';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { watch } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';
import { WebSocketServer } from 'ws';
import { CloseCode, Limits } from '../../shared/index.js';
import { AccountRegistry } from './accounts/account-registry.js';
import type { SecretBox } from './crypto/secret-box.js';
import { EventHub } from './events/hub.js';
import { createApp } from './http/app.js';
import { DEFAULT_IMAP_TIMINGS, type ImapTimings } from './imap/timings.js';
import type { Logger } from './log.js';
import type { ReachPolicy } from './net/reach-policy.js';
import { DiagnosisLimiter } from './setup/diagnosis-limiter.js';
import type { OAuthEndpointOverrides } from './oauth/client-config.js';
import { SignInFlows } from './oauth/sign-in-flows.js';
import { OAuthTokens } from './oauth/token-manager.js';
import { createDiscoveryOptions, type DiscoveryOptions } from './setup/discover.js';
import type { Store } from './store/types.js';
import type { RelayServices } from './ws/context.js';
import { RelayWebSocket } from './ws/relay-websocket.js';
import type { Session } from './ws/session.js';

export interface RelayOptions {
  host: string;
  port: number;
  store: Store;
  secretBox: SecretBox;
  tls: { cert: string; key: string } | null;
  log: Logger;
  version: string;
  /** Reverse proxy addresses whose X-Forwarded-For names the client (default none). */
  trustProxy?: readonly string[];
  /** Where accounts.discover looks; default the real autoconfig URLs and the system's DNS. */
  discovery?: DiscoveryOptions;
  /** Row cache on the command connections (default true; off only to benchmark the uncached path). */
  rowCache?: boolean;
  /**
   * The store's file, watched (fs.watch on its folder) so a CLI change reaches the relay at once;
   * the poll every Limits.storePollMs stays as the fallback. Omit for an in-memory store.
   */
  storeFile?: string;
  /** Which addresses the relay may connect to for users (relay/src/net/reach-policy.ts). */
  reach: ReachPolicy;
  /** OAuth2 provider endpoints replacing the built-in ones (TIDINGS_OAUTH_ENDPOINTS; tests). */
  oauthEndpoints?: OAuthEndpointOverrides;
  /** IMAP deadlines and intervals; default from shared/limits.ts. */
  imapTimings?: ImapTimings;
}

export interface RunningRelay {
  /** ws://host:port or wss://host:port */
  url: string;
  port: number;
  /**
   * Replaces the TLS certificate and key for new connections (SIGHUP after a renewal); open
   * connections keep the session they negotiated. Throws on a relay without TLS.
   */
  reloadTls(tls: { cert: string; key: string }): void;
  close(): Promise<void>;
}

/**
 * Starts the relay: HTTP(S) server with the Hono app and the WebSocket endpoint, one
 * AccountRuntime per stored account, and a watch (plus a slower poll) of the store so changes
 * made by the CLI in another process (accounts added or removed, devices revoked) take effect at once.
 */
export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const { store, log } = options;
  const hub = new EventHub();
  const overrides = options.oauthEndpoints ?? {};
  const tokens = new OAuthTokens({ store, secretBox: options.secretBox, log, overrides });
  const accounts = new AccountRegistry({
    store,
    secretBox: options.secretBox,
    hub,
    log,
    reach: options.reach,
    rowCache: options.rowCache ?? true,
    tokens,
    ...(options.imapTimings ? { timings: options.imapTimings } : {}),
  });
  const signIns = new SignInFlows({
    store,
    secretBox: options.secretBox,
    tokens,
    accounts,
    log,
    overrides,
    reach: options.reach,
  });
  const sessions = new Set<Session>();
  const services: RelayServices = {
    store,
    accounts,
    hub,
    log,
    version: options.version,
    now: Date.now,
    trustedProxies: new Set(options.trustProxy ?? []),
    secretBox: options.secretBox,
    discovery: options.discovery ?? createDiscoveryOptions(),
    reach: options.reach,
    diagnoses: new DiagnosisLimiter({ now: Date.now }),
    imapConnectTimeoutMs: (options.imapTimings ?? DEFAULT_IMAP_TIMINGS).connectTimeoutMs,
    signIns,
    tokens,
    closeDeviceSockets(deviceId, code, reason) {
      for (const s of sessions) if (s.deviceId === deviceId) s.close(code, reason);
    },
    countDeviceSockets(deviceId) {
      let n = 0;
      for (const s of sessions) if (s.deviceId === deviceId) n += 1;
      return n;
    },
  };
  const app = createApp({ services, sessions });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: Limits.maxClientFrameBytes,
    // Sends FRAME_TOO_LARGE before ws closes an oversized frame's socket with 1009.
    WebSocket: RelayWebSocket,
  });
  wss.on('error', (err) => log.error('websocket server error', { err }));
  const server = createAdaptorServer({
    fetch: app.fetch,
    hostname: options.host,
    websocket: { server: wss },
    ...(options.tls
      ? {
          createServer: createHttpsServer,
          serverOptions: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' },
        }
      : { createServer: createHttpServer }),
  });
  server.on('clientError', (err, socket) => {
    log.debug('http client error', { err });
    socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error('server error', { err }));
  const port = (server.address() as AddressInfo).port;

  await accounts.sync();
  let lastChange = store.changeCounter();
  let storeBroken = false;
  const checkStore = () => {
    let change: number;
    try {
      change = store.changeCounter();
    } catch (err) {
      // Log once, not every second; the relay keeps serving what it has.
      if (!storeBroken) log.error('cannot read the store; CLI changes will not reach the relay', { err });
      storeBroken = true;
      return;
    }
    storeBroken = false;
    if (change === lastChange) return;
    lastChange = change;
    void accounts.sync().catch((err: unknown) => log.error('account sync failed', { err }));
    closeRevokedSessions(store, sessions, log);
  };
  const poll = setInterval(checkStore, Limits.storePollMs);
  const watcher = options.storeFile ? watchStoreFile({ file: options.storeFile, onChange: checkStore, log }) : null;

  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `${options.tls ? 'wss' : 'ws'}://${hostForUrl}:${port}`;
  log.info('relay listening', { url });

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    reloadTls(tls) {
      if (!options.tls || !('setSecureContext' in server)) throw new Error('this relay does not use TLS');
      server.setSecureContext({ cert: tls.cert, key: tls.key, minVersion: 'TLSv1.2' });
      log.info('TLS certificate reloaded');
    },
    close() {
      closing ??= (async () => {
        clearInterval(poll);
        watcher?.close();
        for (const s of sessions) s.close(CloseCode.GOING_AWAY, 'relay shutting down');
        signIns.stopAll();
        await accounts.stopAll();
        await new Promise<void>((resolve) => {
          wss.close(() => resolve());
          for (const client of wss.clients) client.terminate();
        });
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive HTTP connections would hold close() open indefinitely.
          if ('closeAllConnections' in server) server.closeAllConnections();
        });
        log.info('relay stopped');
      })();
      return closing;
    },
  };
}

/**
 * Calls `onChange` soon after another process writes the store: SQLite commits touch the
 * database file or its `-wal`, and inotify (fs.watch) reports that within milliseconds. Events
 * are coalesced; a failing watch (network filesystems) leaves the poll to do the job.
 */
function watchStoreFile(options: { file: string; onChange: () => void; log: Logger }): { close(): void } | null {
  const name = basename(options.file);
  let timer: ReturnType<typeof setTimeout> | null = null;
  try {
    const watcher = watch(dirname(options.file), { persistent: false }, (_event, filename) => {
      if (filename !== null && !filename.startsWith(name)) return;
      timer ??= setTimeout(() => {
        timer = null;
        options.onChange();
      }, 20);
    });
    watcher.on('error', (err) => options.log.warn('store watch failed; relying on the poll', { err }));
    return {
      close() {
        if (timer) clearTimeout(timer);
        watcher.close();
      },
    };
  } catch (err) {
    options.log.warn('cannot watch the store folder; relying on the poll', { err });
    return null;
  }
}

function closeRevokedSessions(store: Store, sessions: Set<Session>, log: Logger): void {
  for (const s of sessions) {
    const deviceId = s.deviceId;
    if (!deviceId) continue;
    const device = store.getDevice(deviceId);
    if (!device || device.revokedAt !== null) {
      log.info('device revoked; closing its socket', { deviceId });
      s.close(CloseCode.UNAUTHORIZED, 'device revoked');
    }
  }
}
