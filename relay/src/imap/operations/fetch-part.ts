import type { ImapFlow, MessageStructureObject } from 'imapflow';
import { decodeTransferEncoding } from '../decode.js';

export interface PartBytes {
  /** Transfer encoding removed; at most `maxBytes`. */
  bytes: Buffer;
  /** The part is larger than `maxBytes` and was cut. */
  truncated: boolean;
  /** Raw bytes read from the server for the part (for the body_open benchmark and tests). */
  fetchedBytes: number;
}

function hasCapability(client: ImapFlow, name: string): boolean {
  return client.capabilities.has(name);
}

/** Encoded bytes that decode to at most `maxBytes` (+ a little, so a cut is detectable). */
function encodedBudget(maxBytes: number, encoding: string): number {
  switch (encoding) {
    case 'base64':
      // 4 characters per 3 bytes, plus CRLF after every 76 characters.
      return Math.ceil(((maxBytes + 3) / 3) * 4 * (78 / 76)) + 8;
    case 'quoted-printable':
      // Worst case every byte is an =XX escape (plus soft breaks).
      return Math.ceil((maxBytes + 1) * 3 * (78 / 76)) + 8;
    default:
      return maxBytes + 1;
  }
}

/**
 * Reads one body part of the selected mailbox's message `uid` with a partial fetch, so a huge part
 * is never downloaded whole. With BINARY (RFC 3516) the server removes the transfer encoding and
 * the byte range is exact; Dovecot refuses BINARY for a part with broken base64/QP ("NO Invalid
 * data in MIME part"), and then the part is read with BODY.PEEK and decoded leniently here.
 * PEEK never sets \Seen. Returns null when the message or part is gone.
 */
export async function fetchPartBytes(
  client: ImapFlow,
  uid: number,
  partId: string,
  node: MessageStructureObject,
  maxBytes: number,
): Promise<PartBytes | null> {
  const key = partId.toLowerCase();
  if (hasCapability(client, 'BINARY') || hasCapability(client, 'IMAP4rev2')) {
    try {
      const msg = await client.fetchOne(
        String(uid),
        { uid: true, bodyParts: [{ key: partId, start: 0, maxLength: maxBytes + 1 }] },
        { uid: true, binary: true },
      );
      if (!msg) return null;
      const raw = msg.bodyParts?.get(key);
      if (raw && msg.binaryParts?.has(key)) {
        return { bytes: raw.subarray(0, maxBytes), truncated: raw.length > maxBytes, fetchedBytes: raw.length };
      }
      // The server answered BODY after all (or nothing): decode it below from a fresh fetch.
    } catch (err) {
      if (!client.usable) throw err;
      // NO from the server (broken encoding, or BINARY refused): fall back to BODY.
    }
  }
  const encoding = (node.encoding ?? '').toLowerCase();
  const budget = encodedBudget(maxBytes, encoding);
  const msg = await client.fetchOne(
    String(uid),
    { uid: true, bodyParts: [{ key: partId, start: 0, maxLength: budget }] },
    { uid: true },
  );
  if (!msg) return null;
  const raw = msg.bodyParts?.get(key);
  if (!raw) return null;
  const cut = raw.length >= budget;
  const decoded = decodeTransferEncoding(raw, encoding, cut);
  return {
    bytes: decoded.subarray(0, maxBytes),
    truncated: cut || decoded.length > maxBytes,
    fetchedBytes: raw.length,
  };
}
