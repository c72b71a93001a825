import { searchMessages } from '../../mail/listing.js';
import type { Handler } from '../context.js';

/** Server-side SEARCH (criteria ANDed) in one mailbox or every INBOX, paged newest first. */
export const messagesSearch: Handler<'messages.search'> = async (ctx, params) =>
  searchMessages(
    { accounts: ctx.services.accounts, userId: ctx.auth.userId, log: ctx.services.log, signal: ctx.signal },
    params,
  );
