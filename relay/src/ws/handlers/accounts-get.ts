import { ownedAccount, toAccountDetails } from '../../setup/account-details.js';
import type { Handler } from '../context.js';

/** One account's settings (no secrets); NOT_FOUND for another user's account. */
export const accountsGet: Handler<'accounts.get'> = async (ctx, params) => ({
  account: toAccountDetails(ownedAccount(ctx.services.store, ctx.auth.userId, params.id)),
});
