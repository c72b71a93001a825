import type { Handler } from '../context.js';

/** Where a device-code sign-in stands: pending, done (the new account's id) or failed. */
export const accountsOauthPoll: Handler<'accounts.oauth.poll'> = async (ctx, params) =>
  ctx.services.signIns.poll(ctx.auth.userId, params.flowId);
