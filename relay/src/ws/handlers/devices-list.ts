import type { Handler } from '../context.js';

/** The user's paired browsers that are not revoked; `current` marks the one asking. */
export const devicesList: Handler<'devices.list'> = async (ctx) => ({
  devices: ctx.services.store
    .listDevices(ctx.auth.userId)
    .filter((d) => d.revokedAt === null)
    .map((d) => ({
      id: d.id,
      label: d.label,
      origin: d.origin,
      createdAt: d.createdAt,
      lastSeenAt: d.lastSeenAt,
      current: d.id === ctx.auth.deviceId,
    })),
});
