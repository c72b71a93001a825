import { upgradeWebSocket } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { WebSocket } from 'ws';
import { bodyLimit } from 'hono/body-limit';
import { pairRequestSchema, RelayPaths, type ErrorCode } from '../../../shared/index.js';
import { redeemPairingCode } from '../auth/pairing.js';
import { PairingLimiter } from '../auth/pairing-limiter.js';
import type { RelayServices } from '../ws/context.js';
import { Session } from '../ws/session.js';
import { registerAttachmentRoute } from './attachment.js';
import { clientAddress } from './client-address.js';
import { healthReport } from './health.js';
import { isExtensionOrigin } from './origins.js';
import { hasCredentialInQuery } from './url-secrets.js';

export interface AppDeps {
  services: RelayServices;
  /** Live sessions, so the server can close them on shutdown or revocation. */
  sessions: Set<Session>;
}

const errorBody = (code: ErrorCode, message: string) => ({ error: { code, message } });

/**
 * The relay's HTTP surface: health, pairing, and the WebSocket upgrade. Built from its
 * dependencies, so tests can call `app.request()` on a real app without a server.
 */
export function createApp(deps: AppDeps): Hono {
  const { services, sessions } = deps;
  const app = new Hono();
  const pairLimiter = new PairingLimiter({ now: services.now });

  app.get(RelayPaths.health, (c) =>
    c.json(healthReport({ version: services.version, states: services.accounts.states() })),
  );

  // CORS for pairing only, and only for extension origins: the options page calls it with fetch.
  app.use(RelayPaths.pair, async (c, next) => {
    const origin = c.req.header('origin');
    if (isExtensionOrigin(origin)) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Vary', 'Origin');
    }
    if (c.req.method === 'OPTIONS') {
      if (!isExtensionOrigin(origin)) return c.body(null, 403);
      c.header('Access-Control-Allow-Methods', 'POST');
      c.header('Access-Control-Allow-Headers', 'content-type');
      c.header('Access-Control-Max-Age', '600');
      return c.body(null, 204);
    }
    await next();
  });

  app.post(
    RelayPaths.pair,
    bodyLimit({
      maxSize: 4 * 1024,
      onError: (c) => c.json(errorBody('FRAME_TOO_LARGE', 'request body too large'), 413),
    }),
    async (c) => {
      const address = remoteAddress(c, services.trustedProxies);
      // Only failures use up the budget: a brute-forcer only fails, a person pairing many browsers
      // doesn't. See PairingLimiter for why a throttled address's attempts are still checked.
      if (!pairLimiter.admit().ok) {
        services.log.warn('pairing paused: too many wrong codes from all addresses', { address });
        return c.json(errorBody('RATE_LIMITED', 'too many wrong pairing codes; wait a minute'), 429);
      }
      const origin = c.req.header('origin');
      if (!isExtensionOrigin(origin)) {
        pairLimiter.recordOtherFailure(address);
        return c.json(errorBody('ORIGIN_MISMATCH', 'pairing is only possible from the Tidings extension'), 403);
      }
      let body: unknown;
      try {
        body = await c.req.json();
      } catch {
        return c.json(errorBody('INVALID_JSON', 'body must be JSON {code, label}'), 400);
      }
      const parsed = pairRequestSchema.safeParse(body);
      if (!parsed.success) return c.json(errorBody('BAD_REQUEST', 'body must be JSON {code, label}'), 400);
      const redeemed = redeemPairingCode({
        store: services.store,
        code: parsed.data.code,
        origin,
        label: parsed.data.label ?? 'Browser',
        now: services.now(),
      });
      if (!redeemed) {
        const outcome = pairLimiter.recordWrongCode(address);
        services.log.info('pairing refused', { address, outcome });
        if (outcome === 'throttled')
          return c.json(
            errorBody('RATE_LIMITED', 'too many wrong pairing codes from this address; wait a minute'),
            429,
          );
        return c.json(
          errorBody(
            'PAIRING_INVALID',
            'this pairing code is wrong, expired or already used: run `npm run relay -- pair` for a new one',
          ),
          401,
        );
      }
      services.log.info('device paired', { deviceId: redeemed.device.id, origin });
      return c.json({ token: redeemed.token, deviceId: redeemed.device.id });
    },
  );

  // Checks that run before the upgrade: a refused Origin never gets a socket.
  app.get(
    RelayPaths.socket,
    async (c, next) => {
      const url = new URL(c.req.url);
      if (hasCredentialInQuery(url)) {
        // Tokens in URLs end up in logs and proxies' histories; refuse instead of accepting quietly.
        return c.json(errorBody('BAD_REQUEST', 'send the device token in the hello frame, never in the URL'), 400);
      }
      const origin = c.req.header('origin');
      if (!isExtensionOrigin(origin) || !services.store.hasDeviceWithOrigin(origin)) {
        services.log.info('socket refused: origin', { origin: origin ?? null });
        return c.json(errorBody('ORIGIN_MISMATCH', 'no device was ever paired from this Origin'), 403);
      }
      await next();
    },
    upgradeWebSocket((c) => {
      const origin = c.req.header('origin') ?? '';
      let session: Session | null = null;
      return {
        onOpen: (_event, ws) => {
          const raw = ws.raw;
          if (!(raw instanceof WebSocket)) return ws.close(1011, 'internal error');
          session = new Session({ ws: raw, origin, services, onClose: (s) => sessions.delete(s) });
          sessions.add(session);
        },
        onMessage: (event) => session?.receive(event.data),
        // Session logs socket errors from the raw socket; this keeps hono's adapter from logging to console.
        onError: () => {},
      };
    }),
  );

  // Attachment downloads over HTTP (a streamed file, not a WebSocket frame).
  registerAttachmentRoute(app, services);

  app.notFound((c) => c.json(errorBody('NOT_FOUND', 'no such endpoint'), 404));
  app.onError((err, c) => {
    services.log.error('http handler failed', { err });
    return c.json(errorBody('INTERNAL', 'internal error'), 500);
  });
  return app;
}

/** The client's address (the peer, or X-Forwarded-For from a trusted proxy): the key for limits. */
export function remoteAddress(c: Parameters<typeof getConnInfo>[0], trustedProxies: ReadonlySet<string>): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    peer = undefined;
  }
  return clientAddress({ peer, forwardedFor: c.req.header('x-forwarded-for'), trustedProxies });
}
