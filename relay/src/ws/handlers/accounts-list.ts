import type { Handler } from '../context.js';

/** Current counts and state of the signed-in user's accounts. */
export const accountsList: Handler<'accounts.list'> = async (ctx) => ({
  accounts: ctx.services.accounts.summaries(ctx.auth.userId),
});
