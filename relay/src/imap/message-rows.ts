import type { FetchMessageObject, FetchQueryObject, ImapFlow, MessageAddressObject } from 'imapflow';
import { Limits, type Address, type MessageRow } from '../../../shared/index.js';
import { collapsePreview, decodeCharset, decodeTransferEncoding, htmlToText } from './decode.js';
import { hasAttachments, previewPart, type TextPart } from './mime-structure.js';
import { fetchRowMessages, type RowMessage } from './row-fetch.js';

/** Where fetched rows live: the identity fields every row of one mailbox shares. */
export interface MailboxIdentity {
  accountId: string;
  mailbox: string;
  uidValidity: string;
}

/** A row plus what the relay needs for paging and merging (never sent as is). */
export interface FetchedRow {
  row: MessageRow;
  /** Sequence number when fetched: a hint for the next page, valid only at that moment. */
  seq: number;
  /** INTERNALDATE (arrival) in epoch ms: the unified inbox merges by it. */
  arrival: number;
}

/**
 * One FETCH per page: envelope, flags, size, BODYSTRUCTURE, INTERNALDATE and, speculatively, the
 * first `Limits.previewFetchBytes` of part 1 — which is the preview part of most messages
 * (single-part, or multipart/alternative with plain text first). Only messages whose preview
 * lives elsewhere (e.g. 1.1 inside multipart/mixed) cost a second, grouped partial fetch.
 * row-fetch.ts sends exactly these items without imapflow's fetch(): change both together
 * (test/integration/row-fetch.test.ts checks that they agree).
 */
export const ROW_QUERY: FetchQueryObject = {
  uid: true,
  flags: true,
  envelope: true,
  internalDate: true,
  size: true,
  bodyStructure: true,
  bodyParts: [{ key: '1', start: 0, maxLength: Limits.previewFetchBytes }],
};

/** Envelope addresses as wire addresses (bounded: a hostile header can list thousands). */
export function toAddresses(list: MessageAddressObject[] | undefined): Address[] {
  return (list ?? []).slice(0, 100).map((a) => ({
    name: (a.name ?? '').slice(0, 1_000),
    address: (a.address ?? '').slice(0, 1_000),
  }));
}

function epoch(value: Date | string | undefined): number | null {
  if (value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : null;
}

/** Header date, else INTERNALDATE, else 0. */
export function messageDate(msg: Pick<FetchMessageObject, 'envelope' | 'internalDate'>): number {
  return epoch(msg.envelope?.date) ?? epoch(msg.internalDate) ?? 0;
}

function previewFrom(part: TextPart | null, raw: Buffer | undefined): string {
  if (!raw || !part) return '';
  const bytes = decodeTransferEncoding(raw, part.node.encoding, true);
  const text = decodeCharset(bytes, part.node.parameters?.charset, true);
  return collapsePreview(part.kind === 'html' ? htmlToText(text) : text, Limits.previewMaxChars);
}

function toRow(
  msg: RowMessage,
  identity: MailboxIdentity,
  preview: { part: TextPart | null; raw: Buffer | undefined },
): FetchedRow {
  const flags = [...(msg.flags ?? [])];
  const has = (flag: string) => flags.some((f) => f.toLowerCase() === flag);
  return {
    seq: msg.seq,
    arrival: epoch(msg.internalDate) ?? messageDate(msg),
    row: {
      id: { ...identity, uid: msg.uid },
      from: toAddresses(msg.envelope?.from),
      to: toAddresses(msg.envelope?.to),
      subject: msg.envelope?.subject ?? '',
      date: messageDate(msg),
      flags,
      seen: has('\\seen'),
      flagged: has('\\flagged'),
      answered: has('\\answered'),
      size: msg.size ?? 0,
      hasAttachments: msg.bodyStructure ? hasAttachments(msg.bodyStructure) : false,
      preview: previewFrom(preview.part, preview.raw),
    },
  };
}

/** What never changes for a UID within one UIDVALIDITY (RFC 3501 §2.3.1.1): all but the flags. */
type StaticRow = Omit<MessageRow, 'flags' | 'seen' | 'flagged' | 'answered'> & { arrival: number };

/**
 * Rows' immutable parts (envelope, size, BODYSTRUCTURE-derived fields, preview) by identity, so a
 * page listed again (the popup reopening) costs one `FETCH (UID FLAGS)` instead of envelopes,
 * structures and preview partials. Bounded (Limits.rowCacheMax, least recently used dropped) and
 * owned by the command connection, so an account whose connection closed for idleness holds none.
 */
export class RowCache {
  readonly #rows = new Map<string, StaticRow>();
  /** Mailboxes (with UIDVALIDITY) that ever had rows here: only those try the flags-only path. */
  readonly #mailboxes = new Set<string>();
  /** The UIDVALIDITY each mailbox had when last selected (see retain). */
  readonly #uidValidity = new Map<string, string>();
  readonly #max: number;

  constructor(max: number = Limits.rowCacheMax) {
    this.#max = max;
  }

  get size(): number {
    return this.#rows.size;
  }

  knows(identity: MailboxIdentity): boolean {
    return this.#mailboxes.has(mailboxKey(identity));
  }

  /** Whether this UID's row is cached (without marking it used). */
  has(identity: MailboxIdentity, uid: number): boolean {
    return this.#rows.has(`${mailboxKey(identity)}\u0000${uid}`);
  }

  get(identity: MailboxIdentity, uid: number): StaticRow | undefined {
    const key = `${mailboxKey(identity)}\u0000${uid}`;
    const row = this.#rows.get(key);
    if (row) {
      // Map order is insertion order: re-insert to mark as recently used.
      this.#rows.delete(key);
      this.#rows.set(key, row);
    }
    return row;
  }

  /**
   * Drops the rows of `mailbox` kept under any UIDVALIDITY other than `uidValidity`: after a
   * reset (the mailbox was recreated) they describe messages that no longer exist, and would only
   * take room from live rows until evicted. Called whenever the mailbox is selected; O(1) unless
   * the UIDVALIDITY changed.
   */
  retain(mailbox: string, uidValidity: string): void {
    const known = this.#uidValidity.get(mailbox);
    this.#uidValidity.set(mailbox, uidValidity);
    if (known === undefined || known === uidValidity) return;
    for (const [key, row] of this.#rows) {
      if (row.id.mailbox === mailbox && row.id.uidValidity !== uidValidity) this.#rows.delete(key);
    }
    for (const key of this.#mailboxes) {
      const [, path, uv] = key.split('\u0000');
      if (path === mailbox && uv !== uidValidity) this.#mailboxes.delete(key);
    }
  }

  /** A cache of size 0 is off: it never holds a row, so every page is fetched in full. */
  set(fetched: FetchedRow): void {
    if (this.#max === 0) return;
    const { id, flags: _f, seen: _s, flagged: _fl, answered: _a, ...rest } = fetched.row;
    const identity = { accountId: id.accountId, mailbox: id.mailbox, uidValidity: id.uidValidity };
    this.#mailboxes.add(mailboxKey(identity));
    this.#rows.set(`${mailboxKey(identity)}\u0000${id.uid}`, { id, ...rest, arrival: fetched.arrival });
    while (this.#rows.size > this.#max) {
      const oldest = this.#rows.keys().next().value;
      if (oldest === undefined) break;
      this.#rows.delete(oldest);
    }
  }
}

function mailboxKey(identity: MailboxIdentity): string {
  return `${identity.accountId}\u0000${identity.mailbox}\u0000${identity.uidValidity}`;
}

function withFlags(cached: StaticRow, seq: number, flagSet: Set<string> | undefined): FetchedRow {
  const { arrival, ...rest } = cached;
  const flags = [...(flagSet ?? [])];
  const has = (flag: string) => flags.some((f) => f.toLowerCase() === flag);
  return {
    seq,
    arrival,
    row: { ...rest, flags, seen: has('\\seen'), flagged: has('\\flagged'), answered: has('\\answered') },
  };
}

/**
 * Fetches list rows for a sequence or UID range of the selected mailbox, newest (highest UID)
 * first. Work is O(rows): a fixed partial fetch per message, never a whole body. When the caller
 * expects the rows to be cached (`cached`: the first page again, or a page just below cached
 * rows), it first reads only UIDs and flags and fetches full rows just for the UIDs it does not
 * know; otherwise one full FETCH, whose rows are then cached.
 */
export async function fetchRows(
  client: ImapFlow,
  range: string,
  options: { uid: boolean },
  identity: MailboxIdentity,
  cache?: { rows: RowCache; likely: boolean },
): Promise<FetchedRow[]> {
  if (!cache || !cache.likely || !cache.rows.knows(identity)) {
    const rows = await fetchFullRows(client, range, options, identity);
    for (const row of rows) cache?.rows.set(row);
    return rows;
  }
  const store = cache.rows;
  const flagged = await client.fetchAll(range, { uid: true, flags: true }, { uid: options.uid });
  const missing = flagged.filter((m) => !store.has(identity, m.uid)).map((m) => m.uid);
  if (missing.length)
    for (const row of await fetchFullRows(client, missing.join(','), { uid: true }, identity)) store.set(row);
  const out: FetchedRow[] = [];
  for (const m of flagged) {
    const cached = store.get(identity, m.uid);
    // Not there: expunged between the two FETCHes; it is gone for this listing too.
    if (cached) out.push(withFlags(cached, m.seq, m.flags));
  }
  return out.sort((a, b) => b.row.id.uid - a.row.id.uid);
}

async function fetchFullRows(
  client: ImapFlow,
  range: string,
  options: { uid: boolean },
  identity: MailboxIdentity,
): Promise<FetchedRow[]> {
  const messages = await fetchRowMessages(client, range, options);
  const parts = new Map<number, TextPart | null>();
  const previews = new Map<number, Buffer | undefined>();
  // Messages whose preview part is not part 1: one partial fetch per distinct part id.
  const elsewhere = new Map<string, number[]>();
  for (const msg of messages) {
    const part = msg.bodyStructure ? previewPart(msg.bodyStructure) : null;
    parts.set(msg.uid, part);
    if (!part) continue;
    if (part.partId === '1') previews.set(msg.uid, msg.part1);
    else elsewhere.set(part.partId, [...(elsewhere.get(part.partId) ?? []), msg.uid]);
  }
  for (const [partId, uids] of elsewhere) {
    const extra = await client.fetchAll(
      uids.join(','),
      { uid: true, bodyParts: [{ key: partId, start: 0, maxLength: Limits.previewFetchBytes }] },
      { uid: true },
    );
    for (const msg of extra) previews.set(msg.uid, msg.bodyParts?.get(partId.toLowerCase()));
  }
  return messages
    .map((msg) => toRow(msg, identity, { part: parts.get(msg.uid) ?? null, raw: previews.get(msg.uid) }))
    .sort((a, b) => b.row.id.uid - a.row.id.uid);
}
