import { clientStatus, removeClientConfig } from '../../oauth/client-config.js';
import type { Handler } from '../context.js';

/**
 * Forgets the user's own client registration for a provider (the options page's "Remove"). The
 * answer is the provider's status afterwards: the relay's default registration may still apply.
 */
export const oauthConfigRemove: Handler<'oauth.config.remove'> = async (ctx, params) => {
  const { store, log } = ctx.services;
  removeClientConfig({ store, userId: ctx.auth.userId, provider: params.provider });
  log.info('oauth client removed', { provider: params.provider, userId: ctx.auth.userId });
  return { provider: clientStatus({ store, userId: ctx.auth.userId, provider: params.provider }) };
};
