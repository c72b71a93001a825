import type { ImapFlow } from 'imapflow';
import { ErrorCode, TidingsError } from '../../../../shared/index.js';

/**
 * Without UIDPLUS there is no UID EXPUNGE, and a plain EXPUNGE removes every \Deleted message of
 * the mailbox, including ones another client marked and still means to undelete. It is used only
 * when no other message carries \Deleted; otherwise the action is refused (IMAP_ERROR, retryable:
 * it succeeds once the other client expunged or undeleted its messages). A \Deleted set by
 * another client between this check and the EXPUNGE would still be removed — a window of one
 * round trip that only UIDPLUS closes.
 */
export async function assertSafeToExpunge(client: ImapFlow, uids: readonly number[]): Promise<void> {
  if (client.capabilities.has('UIDPLUS')) return;
  const deleted = await client.search({ deleted: true }, { uid: true });
  if (deleted === false) throw new TidingsError(ErrorCode.IMAP_ERROR, 'the IMAP server refused SEARCH DELETED');
  const ours = new Set(uids);
  const others = (deleted ?? []).filter((uid) => !ours.has(uid));
  if (others.length > 0) {
    throw new TidingsError(
      ErrorCode.IMAP_ERROR,
      `this server lacks UIDPLUS and ${others.length} other message(s) in the folder are marked deleted: ` +
        'nothing was removed, so those are not expunged by accident; try again after they are expunged or restored',
    );
  }
}

/**
 * Removes exactly these messages: \Deleted then `UID EXPUNGE <uids>` (RFC 4315 UIDPLUS), or, on
 * a server without UIDPLUS, a plain EXPUNGE after assertSafeToExpunge (`checked`: the caller ran it).
 */
export async function expungeUids(
  client: ImapFlow,
  uids: readonly number[],
  options: { checked?: boolean } = {},
): Promise<void> {
  if (uids.length === 0) return;
  if (!options.checked) await assertSafeToExpunge(client, uids);
  // imapflow: \Deleted, then UID EXPUNGE <uids> with UIDPLUS, plain EXPUNGE without.
  const ok = await client.messageDelete(uids.join(','), { uid: true });
  if (!ok) throw new TidingsError(ErrorCode.IMAP_ERROR, 'the IMAP server refused to expunge the messages');
}
