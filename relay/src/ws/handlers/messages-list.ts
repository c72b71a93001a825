import { listMessages } from '../../mail/listing.js';
import type { Handler } from '../context.js';

/** Newest first, one page (≤ 50) of one mailbox or the unified inbox. */
export const messagesList: Handler<'messages.list'> = async (ctx, params) =>
  listMessages(
    { accounts: ctx.services.accounts, userId: ctx.auth.userId, log: ctx.services.log, signal: ctx.signal },
    params,
  );
