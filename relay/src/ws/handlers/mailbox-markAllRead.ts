import { requests } from '../../../../shared/index.js';
import type { AccountRuntime } from '../../accounts/account-runtime.js';
import { ActionJournal, storeBacking } from '../../mail/action-journal.js';
import { markAllRead, type MarkAllReadResult } from '../../imap/operations/mark-all-read.js';
import type { Handler } from '../context.js';

const resultSchema = requests['mailbox.markAllRead'].result;

/**
 * One journal per account runtime, over the store's journal rows (the same table as
 * messages.action: ids are unique, fingerprints differ), so a replay — also after a relay crash —
 * gets the first answer, and one arriving while the first runs waits for it.
 */
const journals = new WeakMap<AccountRuntime, ActionJournal<MarkAllReadResult>>();

/** Marks every unread message of one mailbox read (issue 13); see shared/protocol.ts. */
export const mailboxMarkAllRead: Handler<'mailbox.markAllRead'> = async (ctx, params) => {
  const runtime = ctx.services.accounts.runtime(ctx.auth.userId, params.accountId);
  let journal = journals.get(runtime);
  if (!journal) {
    journal = new ActionJournal<MarkAllReadResult>({
      backing: storeBacking(ctx.services.store, params.accountId),
      parse: (value) => {
        const parsed = resultSchema.safeParse(value);
        return parsed.success ? parsed.data : null;
      },
    });
    journals.set(runtime, journal);
  }
  const fingerprint = JSON.stringify(['mailbox.markAllRead', params.accountId, params.mailbox]);
  // Not tied to this socket's signal: a replay from a reconnected socket must find the first run finished.
  return await journal.run(params.actionId, fingerprint, (attempt) =>
    runtime.commands.withMailbox(params.mailbox, (session) => markAllRead(session, attempt), {
      op: 'mailbox.markAllRead',
    }),
  );
};
