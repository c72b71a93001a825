import { syncWindow } from '../../imap/operations/sync-window.js';
import type { Handler } from '../context.js';

/**
 * Vanished UIDs and current flags over the extension's cached window of one mailbox, on any
 * server (QRESYNC or not), plus the mailbox's counts. A changed UIDVALIDITY answers `reset`.
 */
export const messagesSync: Handler<'messages.sync'> = async (ctx, params) => {
  const runtime = ctx.services.accounts.runtime(ctx.auth.userId, params.accountId);
  return runtime.commands.withMailbox(
    params.mailbox,
    async ({ client, mailbox, uidValidity }) => {
      const total = mailbox.exists;
      const status = await client.status(mailbox.path, { unseen: true });
      const unread = (status ? status.unseen : undefined) ?? 0;
      if (uidValidity !== params.uidValidity)
        return { uidValidity, reset: true, vanished: [], flags: [], unread, total };
      const { vanished, flags } = await syncWindow(client, params.uids);
      return { uidValidity, reset: false, vanished, flags, unread, total };
    },
    // 'always': the answer must reflect what other clients did up to now, not the last push.
    { signal: ctx.signal, refresh: 'always', op: 'messages.sync' },
  );
};
