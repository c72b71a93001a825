import { saveUserSettings } from '../../settings/user-settings.js';
import type { Handler } from '../context.js';

/** Replaces the user's settings and tells all of the user's browsers (`settings.changed`). */
export const settingsSet: Handler<'settings.set'> = async (ctx, params) => {
  const settings = saveUserSettings(ctx.services.store, ctx.auth.userId, params.settings);
  ctx.services.hub.publish(ctx.auth.userId, 'settings.changed', { settings });
  return { settings };
};
