import { clientStatus, saveClientConfig } from '../../oauth/client-config.js';
import type { Handler } from '../context.js';

/**
 * Stores the user's own client id (and secret, encrypted with the relay's key) for a provider.
 * The answer says whether a secret is stored, never what it is.
 */
export const oauthConfigSet: Handler<'oauth.config.set'> = async (ctx, params) => {
  const { store, secretBox, log } = ctx.services;
  saveClientConfig({
    store,
    secretBox,
    userId: ctx.auth.userId,
    provider: params.provider,
    clientId: params.clientId,
    clientSecret: params.clientSecret,
    tenant: params.tenant,
  });
  log.info('oauth client configured', { provider: params.provider, userId: ctx.auth.userId });
  return { provider: clientStatus({ store, userId: ctx.auth.userId, provider: params.provider }) };
};
