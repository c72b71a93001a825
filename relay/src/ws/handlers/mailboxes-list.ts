import { listMailboxes } from '../../imap/operations/list-mailboxes.js';
import type { Handler } from '../context.js';

/** Folders of one of the user's accounts: special-use roles, hierarchy, unread/total counts. */
export const mailboxesList: Handler<'mailboxes.list'> = async (ctx, params) => {
  const runtime = ctx.services.accounts.runtime(ctx.auth.userId, params.accountId);
  const mailboxes = await runtime.commands.withClient((client) => listMailboxes(client), {
    signal: ctx.signal,
    op: 'mailboxes.list',
  });
  return { mailboxes };
};
