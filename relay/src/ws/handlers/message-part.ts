import { getPart } from '../../imap/operations/get-part.js';
import type { Handler } from '../context.js';

/** One inline part (a cid: image) as base64, capped at Limits.bodyPartMaxBytes. */
export const messagePart: Handler<'message.part'> = async (ctx, params) => {
  const { id, partId } = params;
  const runtime = ctx.services.accounts.runtime(ctx.auth.userId, id.accountId);
  return runtime.commands.withMailbox(id.mailbox, (session) => getPart(session, id, partId), {
    signal: ctx.signal,
    op: 'message.part',
  });
};
