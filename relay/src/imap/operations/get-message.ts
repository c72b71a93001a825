import type { FetchMessageObject, FetchQueryObject, ImapFlow } from 'imapflow';
import {
  cleanMessageId,
  ErrorCode,
  Limits,
  TidingsError,
  type MessageBody,
  type MessageId,
  type RequestResult,
} from '../../../../shared/index.js';
import type { MailboxSession } from '../command-connection.js';
import { decodeCharset, decodeFlowed, decodeTransferEncoding } from '../decode.js';
import { messageDate, toAddresses } from '../message-rows.js';
import { attachmentsOf, bestTextPart, displayTextParts } from '../mime-structure.js';
import { firstTextFromRaw } from '../raw-first-text.js';
import { fetchPartBytes } from './fetch-part.js';

/** The first text part of the raw message (bounded read and a linear scan; see raw-first-text.ts). */
async function bodyFromRawSource(client: ImapFlow, uid: number): Promise<{ body: MessageBody; fetchedBytes: number }> {
  const none = { body: { kind: 'none' as const, content: '', truncated: false }, fetchedBytes: 0 };
  const msg = await fetchMessage(client, uid, { source: { start: 0, maxLength: Limits.rawFallbackMaxBytes } });
  const source = msg?.source;
  if (!source) return none;
  const part = firstTextFromRaw(source, { maxDepth: Limits.rawFallbackMaxDepth });
  if (!part) return { ...none, fetchedBytes: source.length };
  const sourceCut = source.length >= Limits.rawFallbackMaxBytes;
  let bytes = decodeTransferEncoding(part.body, part.transferEncoding, sourceCut);
  const truncated = sourceCut || bytes.length > Limits.bodyPartMaxBytes;
  if (bytes.length > Limits.bodyPartMaxBytes) bytes = bytes.subarray(0, Limits.bodyPartMaxBytes);
  let content = decodeCharset(bytes, part.charset, truncated);
  if (part.kind === 'text' && (part.format ?? '').toLowerCase() === 'flowed')
    content = decodeFlowed(content, (part.delsp ?? '').toLowerCase() === 'yes');
  return { body: { kind: part.kind, content, truncated }, fetchedBytes: source.length };
}

/** Refuses an identity whose UIDVALIDITY is not the mailbox's current one. */
export function assertFresh(session: MailboxSession, id: Pick<MessageId, 'uidValidity' | 'mailbox'>): void {
  if (session.uidValidity !== id.uidValidity) {
    throw new TidingsError(
      ErrorCode.STALE_UIDVALIDITY,
      `the mailbox "${id.mailbox.slice(0, 200)}" was reset (UIDVALIDITY changed): reload the list`,
    );
  }
}

/**
 * `UID FETCH` of one message; when it is not there, NOOP and try again: a message another client
 * appended since this connection's last command is unknown to the session until the server
 * reports it (RFC 3501 §7.4.1), and a NOOP up front would cost every request a round trip.
 */
export async function fetchMessage(
  client: ImapFlow,
  uid: number,
  query: FetchQueryObject,
): Promise<FetchMessageObject | null> {
  const first = await client.fetchOne(String(uid), { ...query, uid: true }, { uid: true });
  if (first) return first;
  await client.noop();
  return (await client.fetchOne(String(uid), { ...query, uid: true }, { uid: true })) || null;
}

export type MessageDetails = RequestResult<'message.get'> & {
  /** Raw bytes read for the body part (the body_open benchmark's `big_bytes_from_imap`). */
  bodyFetchedBytes: number;
};

/**
 * Headers, the best text part and attachment metadata of one message. BODYSTRUCTURE first, then
 * only the chosen text part (HTML preferred), with a byte range capped at
 * Limits.bodyPartMaxBytes — attachments are never downloaded. Transfer encoding and charset are
 * decoded (windows-1252 via iconv-lite); the HTML is returned UNSANITIZED: the popup sanitizes
 * it with the engine that renders it (SECURITY.md). Uses PEEK: opening never marks as seen.
 */
export async function getMessage(session: MailboxSession, id: MessageId): Promise<MessageDetails> {
  assertFresh(session, id);
  const { client } = session;
  const msg = await fetchMessage(client, id.uid, {
    flags: true,
    envelope: true,
    internalDate: true,
    bodyStructure: true,
  });
  if (!msg) throw new TidingsError(ErrorCode.NOT_FOUND, 'the message no longer exists (moved or deleted)');
  const structure = msg.bodyStructure;
  let body: MessageBody = { kind: 'none', content: '', truncated: false };
  let bodyFetchedBytes = 0;
  const part = structure ? bestTextPart(structure) : null;
  if (!structure) {
    // No BODYSTRUCTURE (nesting past imapflow's limit): find the text in the raw message instead
    // of showing "no text" for content the sender made hard to see (issue 12).
    const fallback = await bodyFromRawSource(client, id.uid);
    body = fallback.body;
    bodyFetchedBytes = fallback.fetchedBytes;
  } else if (part) {
    const fetched = await fetchPartBytes(client, id.uid, part.partId, part.node, Limits.bodyPartMaxBytes);
    if (fetched) {
      bodyFetchedBytes = fetched.fetchedBytes;
      const params = part.node.parameters ?? {};
      let content = decodeCharset(fetched.bytes, params.charset, fetched.truncated);
      if (part.kind === 'text' && (params.format ?? '').toLowerCase() === 'flowed')
        content = decodeFlowed(content, (params.delsp ?? '').toLowerCase() === 'yes');
      body = { kind: part.kind, content, truncated: fetched.truncated };
    } else {
      body = { kind: part.kind, content: '', truncated: false };
    }
  }
  // The other inline text parts, in order, within what is left of the body budget.
  const inlineParts: MessageBody[] = [];
  if (structure && part) {
    let budget = Limits.bodyPartMaxBytes - body.content.length;
    for (const extra of displayTextParts(structure)) {
      if (extra.partId === part.partId) continue;
      if (inlineParts.length >= Limits.inlineTextPartsMax || budget <= 0) break;
      const fetched = await fetchPartBytes(client, id.uid, extra.partId, extra.node, budget);
      if (!fetched) continue;
      bodyFetchedBytes += fetched.fetchedBytes;
      const params = extra.node.parameters ?? {};
      let content = decodeCharset(fetched.bytes, params.charset, fetched.truncated);
      if (extra.kind === 'text' && (params.format ?? '').toLowerCase() === 'flowed')
        content = decodeFlowed(content, (params.delsp ?? '').toLowerCase() === 'yes');
      budget -= fetched.bytes.length;
      inlineParts.push({ kind: extra.kind, content, truncated: fetched.truncated });
    }
  }
  const envelope = msg.envelope;
  return {
    id,
    from: toAddresses(envelope?.from),
    to: toAddresses(envelope?.to),
    cc: toAddresses(envelope?.cc),
    replyTo: toAddresses(envelope?.replyTo),
    subject: envelope?.subject ?? '',
    date: messageDate(msg),
    flags: [...(msg.flags ?? [])],
    body,
    inlineParts,
    attachments: structure ? attachmentsOf(structure).filter((a) => a.partId !== part?.partId) : [],
    messageId: cleanMessageId(envelope?.messageId),
    bodyFetchedBytes,
  };
}
