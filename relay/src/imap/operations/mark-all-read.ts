import { z } from 'zod/mini';
import { Limits, type RequestResult } from '../../../../shared/index.js';
import type { JournalAttempt } from '../../mail/action-journal.js';
import type { MailboxSession } from '../command-connection.js';
import { storeFlag } from './store-flags.js';

export type MarkAllReadResult = RequestResult<'mailbox.markAllRead'>;

/** What a run records before its STOREs, so a replay after a crash knows what it marked. */
const intentSchema = z.object({ uidValidity: z.string(), uids: z.array(z.int().check(z.positive())) });

/**
 * Marks every unread message of the selected mailbox read: `UID SEARCH UNSEEN`, then
 * `UID STORE <uids> +FLAGS (\Seen)` in chunks of Limits.markAllReadChunk, so no command line
 * grows with the folder. The UIDs found are recorded as the journal's intent first (at most
 * Limits.markAllReadUndoMax of them); a replay that recovers a crashed run adds them to what is
 * still unread, so its answer still lists every message to mark unread again on undo.
 */
export async function markAllRead(session: MailboxSession, attempt: JournalAttempt): Promise<MarkAllReadResult> {
  const { client, uidValidity } = session;
  const found = (await client.search({ seen: false }, { uid: true })) || [];
  const earlier = intentSchema.safeParse(attempt.intent);
  const recovered = earlier.success && earlier.data.uidValidity === uidValidity ? earlier.data.uids : [];
  const all = [...new Set([...recovered, ...found])].sort((a, b) => a - b);
  const undoable = all.length <= Limits.markAllReadUndoMax;
  const uids = undoable ? all : [];
  attempt.recordIntent({ uidValidity, uids });
  // Silent: a folder's worth of per-message answers would reach every browser as one flag event
  // per message. The counts say it instead (and IDLE still reports the watched mailbox).
  for (let i = 0; i < found.length; i += Limits.markAllReadChunk) {
    await storeFlag(client, found.slice(i, i + Limits.markAllReadChunk), '\\Seen', true, { silent: true });
  }
  return { uidValidity, uids, marked: all.length, undoable };
}
