import { Limits, MIN_PROTOCOL_VERSION, PROTOCOL_VERSION, TidingsError } from '../../../../shared/index.js';
import { hashToken } from '../../auth/tokens.js';
import type { PublicHandler } from '../context.js';

/**
 * Authenticates the socket: protocol version, device token (compared by hash), the device's
 * pinned Origin, and revocation. Then subscribes to the user's events after `lastSeq`.
 */
export const hello: PublicHandler<'hello'> = async (ctx, params) => {
  const { store, accounts, version, now } = ctx.services;
  if (params.protocol < MIN_PROTOCOL_VERSION || params.protocol > PROTOCOL_VERSION) {
    throw new TidingsError(
      'UNSUPPORTED_PROTOCOL',
      `relay speaks protocol ${MIN_PROTOCOL_VERSION}..${PROTOCOL_VERSION}, client sent ${params.protocol}: update the ${params.protocol < PROTOCOL_VERSION ? 'extension' : 'relay'}`,
    );
  }
  if (ctx.session.auth) throw new TidingsError('BAD_REQUEST', 'hello was already sent on this socket');
  const device = store.findDeviceByTokenHash(hashToken(params.token));
  if (!device || device.revokedAt !== null)
    throw new TidingsError('UNAUTHORIZED', 'unknown or revoked device token: pair again from the options page');
  if (device.origin !== ctx.session.origin)
    throw new TidingsError('UNAUTHORIZED', 'this token was paired from another origin');
  if (ctx.services.countDeviceSockets(device.id) >= Limits.maxSocketsPerDevice)
    throw new TidingsError(
      'RATE_LIMITED',
      `this device already has ${Limits.maxSocketsPerDevice} open sockets; close one and retry`,
    );
  store.touchDevice(device.id, now());
  const { seq, resync } = ctx.session.signIn(device, params.lastSeq);
  return {
    protocol: PROTOCOL_VERSION,
    relayVersion: version,
    deviceId: device.id,
    seq,
    resync,
    accounts: accounts.summaries(device.userId),
    serverTime: now(),
  };
};
