import { clientStatus } from '../../oauth/client-config.js';
import { discover } from '../../setup/discover.js';
import { parseEmail } from '../../setup/email-address.js';
import { oauthAdvice } from '../../setup/oauth-advice.js';
import { presetFor } from '../../setup/presets.js';
import type { Handler } from '../context.js';

/**
 * Suggests server settings for an address: presets, autoconfig, SRV (RFC 6186), then guesses;
 * and whether the provider wants OAuth2 sign-in (Microsoft: only that; Gmail: recommended).
 */
export const accountsDiscover: Handler<'accounts.discover'> = async (ctx, params) => {
  const { discovery, log, store } = ctx.services;
  const email = parseEmail(params.email);
  const [candidates, oauth] = await Promise.all([
    discover(params.email, { ...discovery, reach: ctx.services.reach, signal: ctx.signal, log }),
    oauthAdvice({
      email,
      resolver: discovery.resolver,
      // A preset provider is known without the network (and is not hosted on Microsoft or Google).
      lookupMx: presetFor(email) === null,
      configured: (provider) => clientStatus({ store, userId: ctx.auth.userId, provider }).ready,
      log,
    }),
  ]);
  return { candidates, oauth };
};
