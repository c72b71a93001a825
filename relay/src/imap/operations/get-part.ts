import { ErrorCode, Limits, TidingsError, type MessageId, type RequestResult } from '../../../../shared/index.js';
import type { MailboxSession } from '../command-connection.js';
import { findPart, isLeaf } from '../mime-structure.js';
import { fetchPartBytes } from './fetch-part.js';
import { assertFresh, fetchMessage } from './get-message.js';

/**
 * One body part (an inline cid: image) as base64, capped at Limits.bodyPartMaxBytes with a
 * `truncated` flag. The part must be a leaf of this message's BODYSTRUCTURE: asking for a
 * multipart container or a part that does not exist is NOT_FOUND.
 */
export async function getPart(
  session: MailboxSession,
  id: MessageId,
  partId: string,
): Promise<RequestResult<'message.part'>> {
  assertFresh(session, id);
  const { client } = session;
  const msg = await fetchMessage(client, id.uid, { bodyStructure: true });
  if (!msg) throw new TidingsError(ErrorCode.NOT_FOUND, 'the message no longer exists (moved or deleted)');
  const node = msg.bodyStructure ? findPart(msg.bodyStructure, partId) : null;
  if (!node || !isLeaf(node)) throw new TidingsError(ErrorCode.NOT_FOUND, `the message has no part ${partId}`);
  const fetched = await fetchPartBytes(client, id.uid, partId, node, Limits.bodyPartMaxBytes);
  return {
    contentType: (node.type ?? 'application/octet-stream').toLowerCase().slice(0, 255),
    dataBase64: (fetched?.bytes ?? Buffer.alloc(0)).toString('base64'),
    truncated: fetched?.truncated ?? false,
  };
}
