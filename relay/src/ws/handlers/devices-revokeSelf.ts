import { CloseCode, TidingsError } from '../../../../shared/index.js';
import type { Handler } from '../context.js';

/**
 * Unpair (issue 8): the device that asks revokes its own token, so an unpaired browser is no
 * longer trusted by the relay. Answers first, then closes this and the device's other sockets
 * with 4401 (UNAUTHORIZED), like `devices.revoke` of the current device.
 */
export const devicesRevokeSelf: Handler<'devices.revokeSelf'> = async (ctx) => {
  const { store, log, now, closeDeviceSockets } = ctx.services;
  const deviceId = ctx.auth.deviceId;
  if (!store.revokeDevice(deviceId, now())) throw new TidingsError('NOT_FOUND', 'this device is already revoked');
  log.info('device revoked itself (unpaired)', { deviceId });
  // The session sends the result a microtask after this resolves; setImmediate runs after that,
  // so the reply is on the wire before the close frame.
  setImmediate(() => closeDeviceSockets(deviceId, CloseCode.UNAUTHORIZED, 'device revoked'));
  return { deviceId };
};
