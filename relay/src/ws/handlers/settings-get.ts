import { loadUserSettings } from '../../settings/user-settings.js';
import type { Handler } from '../context.js';

/** The user's settings (defaults until first saved). */
export const settingsGet: Handler<'settings.get'> = async (ctx) => ({
  settings: loadUserSettings(ctx.services.store, ctx.auth.userId, ctx.services.log),
});
