import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ErrorCode, TidingsError, type MessageId } from '../../../../shared/index.js';
import type { MailboxSession } from '../command-connection.js';
import { attachmentOf, findPart, isLeaf } from '../mime-structure.js';
import { assertFresh, fetchMessage } from './get-message.js';

export interface PartDownload {
  filename: string;
  contentType: string;
  /** Decoded bytes (transfer encoding removed, charset untouched), streamed chunk by chunk. */
  content: Readable;
}

/**
 * Streams one body part with imapflow's `download()`: 64 KiB partial fetches, transfer encoding
 * removed as the bytes flow, never buffered whole; text parts keep their bytes (`decodeText:
 * false`) because they are saved as files. `onReady` gets the stream; this resolves only when the
 * stream has ended or was destroyed, so the caller's mailbox lock is held exactly as long as the
 * download needs the selected mailbox.
 */
export async function downloadPart(
  session: MailboxSession,
  id: MessageId,
  partId: string,
  onReady: (download: PartDownload) => void,
): Promise<void> {
  assertFresh(session, id);
  const { client } = session;
  const msg = await fetchMessage(client, id.uid, { bodyStructure: true });
  if (!msg) throw new TidingsError(ErrorCode.NOT_FOUND, 'the message no longer exists (moved or deleted)');
  const node = msg.bodyStructure ? findPart(msg.bodyStructure, partId) : null;
  if (!node || !isLeaf(node)) throw new TidingsError(ErrorCode.NOT_FOUND, `the message has no part ${partId}`);
  const described = attachmentOf(node);
  const download = await client.download(String(id.uid), partId, { uid: true, decodeText: false });
  if (!download.content) throw new TidingsError(ErrorCode.NOT_FOUND, `the message has no part ${partId}`);
  onReady({ filename: described.filename, contentType: described.contentType, content: download.content });
  // The consumer ends or destroys the stream; either way the lock may go.
  await finished(download.content).catch(() => undefined);
}
