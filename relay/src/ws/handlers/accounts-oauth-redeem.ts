import type { Handler } from '../context.js';

/**
 * Finishes an authorization-code sign-in: the relay redeems the code with the PKCE verifier,
 * signs in to IMAP with the token and saves the account (refresh token encrypted).
 */
export const accountsOauthRedeem: Handler<'accounts.oauth.redeem'> = async (ctx, params) => ({
  accountId: await ctx.services.signIns.redeem(ctx.auth.userId, params, ctx.signal),
});
