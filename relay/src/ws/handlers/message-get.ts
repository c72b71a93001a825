import { getMessage } from '../../imap/operations/get-message.js';
import type { Handler } from '../context.js';

/** Headers, the best text part (UNSANITIZED; the popup sanitizes) and attachment metadata. */
export const messageGet: Handler<'message.get'> = async (ctx, params) => {
  const { id } = params;
  const runtime = ctx.services.accounts.runtime(ctx.auth.userId, id.accountId);
  const { bodyFetchedBytes: _bytes, ...details } = await runtime.commands.withMailbox(
    id.mailbox,
    (session) => getMessage(session, id),
    { signal: ctx.signal, op: 'message.get' },
  );
  return details;
};
