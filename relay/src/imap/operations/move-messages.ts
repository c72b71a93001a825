import type { ImapFlow } from 'imapflow';
import { ErrorCode, TidingsError } from '../../../../shared/index.js';
import { assertSafeToExpunge, expungeUids } from './expunge-messages.js';

export interface MoveResult {
  /** The destination's UIDVALIDITY and source UID → destination UID (COPYUID, RFC 4315), if reported. */
  uidValidity: string | null;
  uidMap: Map<number, number>;
}

/**
 * Moves messages of the selected mailbox to `destination`: `UID MOVE` (RFC 6851) where the server
 * has it; otherwise `UID COPY`, then \Deleted and `UID EXPUNGE` of exactly these UIDs (UIDPLUS),
 * or a plain EXPUNGE only when it cannot touch other messages (checked before copying, so a
 * refused move leaves no copies behind). COPYUID gives the new identities, for undo.
 */
export async function moveMessages(
  client: ImapFlow,
  uids: readonly number[],
  destination: string,
): Promise<MoveResult> {
  if (uids.length === 0) return { uidValidity: null, uidMap: new Map() };
  const range = uids.join(',');
  let result;
  if (client.capabilities.has('MOVE')) {
    result = await client.messageMove(range, destination, { uid: true });
  } else {
    await assertSafeToExpunge(client, uids);
    result = await client.messageCopy(range, destination, { uid: true });
    // Checked just before the copy; a second check could fail after copying and leave duplicates.
    if (result) await expungeUids(client, uids, { checked: true });
  }
  if (!result)
    throw new TidingsError(
      ErrorCode.IMAP_ERROR,
      `the IMAP server refused to move the messages to "${destination.slice(0, 200)}"`,
    );
  return {
    uidValidity: result.uidValidity !== undefined ? String(result.uidValidity) : null,
    uidMap: result.uidMap ?? new Map(),
  };
}
