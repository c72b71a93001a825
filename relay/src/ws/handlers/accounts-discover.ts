import { discover } from '../../setup/discover.js';
import type { Handler } from '../context.js';

/** Suggests server settings for an address: presets, autoconfig, SRV (RFC 6186), then guesses. */
export const accountsDiscover: Handler<'accounts.discover'> = async (ctx, params) => ({
  candidates: await discover(params.email, {
    ...ctx.services.discovery,
    reach: ctx.services.reach,
    signal: ctx.signal,
    log: ctx.services.log,
  }),
});
