import { CloseCode, TidingsError } from '../../../../shared/index.js';
import type { Handler } from '../context.js';

/**
 * Revokes one of the user's devices: its token stops working at once and its open sockets are
 * closed with 4401 (UNAUTHORIZED). Revoking the device that asks answers first, then closes
 * this socket the same way. Another user's device id is NOT_FOUND.
 */
export const devicesRevoke: Handler<'devices.revoke'> = async (ctx, params) => {
  const { store, log, now, closeDeviceSockets } = ctx.services;
  const device = store.getDevice(params.id);
  if (!device || device.userId !== ctx.auth.userId || device.revokedAt !== null)
    throw new TidingsError('NOT_FOUND', 'no such device');
  store.revokeDevice(device.id, now());
  log.info('device revoked', { deviceId: device.id, by: ctx.auth.deviceId });
  if (device.id === ctx.auth.deviceId) {
    // The session sends this handler's result right after it resolves (a microtask later);
    // setImmediate runs after that, so the reply is on the wire before the close frame.
    setImmediate(() => closeDeviceSockets(device.id, CloseCode.UNAUTHORIZED, 'device revoked'));
  } else {
    closeDeviceSockets(device.id, CloseCode.UNAUTHORIZED, 'device revoked');
  }
  return {};
};
