import { createAdaptorServer } from '@hono/node-server';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { CloseCode, Limits } from '../../shared/index.js';
import { AccountRegistry } from './accounts/account-registry.js';
import type { SecretBox } from './crypto/secret-box.js';
import { EventHub } from './events/hub.js';
import { createApp } from './http/app.js';
import type { Logger } from './log.js';
import type { OAuthEndpointOverrides } from './oauth/client-config.js';
import { SignInFlows } from './oauth/sign-in-flows.js';
import { OAuthTokens } from './oauth/token-manager.js';
import { createDiscoveryOptions, type DiscoveryOptions } from './setup/discover.js';
import type { Store } from './store/types.js';
import type { RelayServices } from './ws/context.js';
import type { Session } from './ws/session.js';

export interface RelayOptions {
  host: string;
  port: number;
  store: Store;
  secretBox: SecretBox;
  tls: { cert: string; key: string } | null;
  log: Logger;
  version: string;
  /** Where accounts.discover looks; default the real autoconfig URLs and the system's DNS. */
  discovery?: DiscoveryOptions;
  /** OAuth2 provider endpoints replacing the built-in ones (TIDINGS_OAUTH_ENDPOINTS; tests). */
  oauthEndpoints?: OAuthEndpointOverrides;
}

export interface RunningRelay {
  /** ws://host:port or wss://host:port */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the relay: HTTP(S) server with the Hono app and the WebSocket endpoint, one
 * AccountRuntime per stored account, and a poll of the store so changes made by the CLI in
 * another process (accounts added or removed, devices revoked) take effect within a second.
 */
export async function startRelay(options: RelayOptions): Promise<RunningRelay> {
  const { store, log } = options;
  const hub = new EventHub();
  const overrides = options.oauthEndpoints ?? {};
  const tokens = new OAuthTokens({ store, secretBox: options.secretBox, log, overrides });
  const accounts = new AccountRegistry({ store, secretBox: options.secretBox, hub, log, tokens });
  const signIns = new SignInFlows({ store, secretBox: options.secretBox, tokens, accounts, log, overrides });
  const sessions = new Set<Session>();
  const services: RelayServices = {
    store,
    accounts,
    hub,
    log,
    version: options.version,
    now: Date.now,
    secretBox: options.secretBox,
    discovery: options.discovery ?? createDiscoveryOptions(),
    signIns,
    closeDeviceSockets(deviceId, code, reason) {
      for (const s of sessions) if (s.deviceId === deviceId) s.close(code, reason);
    },
  };
  const app = createApp({ services, sessions });

  const wss = new WebSocketServer({ noServer: true, maxPayload: Limits.maxClientFrameBytes });
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
  const poll = setInterval(() => {
    const change = store.changeCounter();
    if (change === lastChange) return;
    lastChange = change;
    void accounts.sync();
    closeRevokedSessions(store, sessions, log);
  }, Limits.storePollMs);

  const hostForUrl = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `${options.tls ? 'wss' : 'ws'}://${hostForUrl}:${port}`;
  log.info('relay listening', { url });

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    close() {
      closing ??= (async () => {
        clearInterval(poll);
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
