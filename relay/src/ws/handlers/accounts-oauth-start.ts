import type { Handler } from '../context.js';

/**
 * Starts an OAuth2 sign-in: a device code to show (Microsoft), or the parameters for
 * launchWebAuthFlow (Google). OAUTH_NOT_CONFIGURED when no client id is set on the relay.
 */
export const accountsOauthStart: Handler<'accounts.oauth.start'> = async (ctx, params) =>
  ctx.services.signIns.start(ctx.auth.userId, params);
