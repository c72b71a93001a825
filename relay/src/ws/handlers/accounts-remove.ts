import { ownedAccount } from '../../setup/account-details.js';
import type { Handler } from '../context.js';

/** Deletes the account (and its encrypted password), stops its watchers, tells the user's browsers. */
export const accountsRemove: Handler<'accounts.remove'> = async (ctx, params) => {
  const { store, accounts, log } = ctx.services;
  const account = ownedAccount(store, ctx.auth.userId, params.id);
  store.deleteAccount(account.id);
  log.info('account removed by device', { accountId: account.id, deviceId: ctx.auth.deviceId });
  await accounts.sync();
  return {};
};
