import { ErrorCode, TidingsError } from '../../../../shared/index.js';
import { applyAction } from '../../mail/actions.js';
import type { Handler } from '../context.js';

/**
 * Seen/flagged/archive/delete/junk/move on messages of one account. Idempotent by `actionId`: a
 * replay gets the first outcome (the account's action journal) instead of acting twice.
 */
export const messagesAction: Handler<'messages.action'> = async (ctx, params) => {
  const accountId = params.ids[0]!.accountId;
  if (params.ids.some((id) => id.accountId !== accountId))
    throw new TidingsError(
      ErrorCode.BAD_REQUEST,
      'one action applies to messages of one account: send one per account',
    );
  const runtime = ctx.services.accounts.runtime(ctx.auth.userId, accountId);
  const fingerprint = JSON.stringify([params.ids, params.action]);
  // Not tied to this socket's signal: a replay from a reconnected socket must find the first run finished.
  // The journal is durable (issue 8): a replay after a relay crash answers like the first run.
  const outcomes = await runtime.actions.run(params.actionId, fingerprint, (attempt) =>
    applyAction(runtime, params, new AbortController().signal, attempt),
  );
  return { outcomes };
};
