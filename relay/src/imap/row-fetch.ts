import type {
  ImapAttribute,
  ImapAttributeList,
  ImapFlow,
  ImapResponse,
  MessageEnvelopeObject,
  MessageStructureObject,
} from 'imapflow';
import {
  getStringList,
  getStringValue,
  MAX_UINT32_DIGITS,
  parseBodystructure,
  parseEnvelope,
  parseUintValue,
} from 'imapflow/lib/tools.js';
import { Limits } from '../../../shared/index.js';
import { ROW_QUERY } from './message-rows.js';

/** What a list row is built from: the items of ROW_QUERY for one message (message-rows.ts). */
export interface RowMessage {
  seq: number;
  uid: number;
  flags?: Iterable<string>;
  envelope?: MessageEnvelopeObject;
  internalDate?: Date | string;
  size?: number;
  bodyStructure?: MessageStructureObject;
  /** BODY[1]<0>: the first Limits.previewFetchBytes of part 1 (the preview of most messages). */
  part1?: Buffer;
}

/**
 * imapflow's command runner: not in its type declarations, but what its own fetch() is built on.
 * package.json pins imapflow to one exact version for this; row-fetch.test.ts checks an update.
 */
interface CommandRunner {
  exec(
    command: string,
    attributes: unknown[],
    options: { untagged: Record<string, (untagged: ImapResponse) => void> },
  ): Promise<{ next: () => void }>;
}

/** The items of ROW_QUERY, as imapflow's fetch() compiles them (commands/fetch.js). */
const ROW_ITEMS = [
  { type: 'ATOM', value: 'UID' },
  { type: 'ATOM', value: 'FLAGS' },
  { type: 'ATOM', value: 'BODYSTRUCTURE' },
  { type: 'ATOM', value: 'ENVELOPE' },
  { type: 'ATOM', value: 'INTERNALDATE' },
  { type: 'ATOM', value: 'RFC822.SIZE' },
  {
    type: 'ATOM',
    value: 'BODY.PEEK',
    section: [{ type: 'ATOM', value: '1' }],
    partial: [0, Limits.previewFetchBytes],
  },
];

/**
 * Connections that never IDLE (opened with `disableAutoIdle`, idle() never called): the command
 * connection. Only these take the direct path, which skips imapflow's run() and so the breaking
 * of an IDLE in progress; a watcher's connection (IDLE) keeps imapflow's fetchAll.
 */
const idleFree = new WeakSet<ImapFlow>();

export function markIdleFree(client: ImapFlow): void {
  idleFree.add(client);
}

/** A page asks for at most 51 messages (a limit of 50 plus the cursor's own); far more is a broken server. */
const MAX_MESSAGES = 10_000;

/**
 * The list-row FETCH (ROW_QUERY's items, the same command imapflow's `fetchAll(range, ROW_QUERY)`
 * sends) with the answer read straight into row sources. imapflow's fetch() turns every message
 * into a general FetchMessageObject first: it compiles each data item's name back to text to
 * recognise it (7 compiles a message), hashes an id with MD5, builds Sets and Maps, and awaits
 * once per message — for a 50-row page that was more CPU than parsing the response itself, and
 * the bulk of the relay's overhead over a direct imapflow client (BENCHMARKS.md relay_overhead).
 * Here imapflow still tokenizes the response and decodes ENVELOPE and BODYSTRUCTURE (its
 * parseEnvelope / parseBodystructure: same decoding as before); only the generic wrapping goes.
 *
 * Data items of one message split over several untagged FETCH responses (RFC 3501 §7.4.2
 * allows it) are merged by sequence number; a FETCH without row data (an unsolicited flag
 * update of another message) or without a UID is not a row. A throttled server (ETHROTTLE) gets
 * imapflow's fetchAll, whose retry with back-off stays in one place; so does a connection not
 * marked idle-free (markIdleFree).
 */
export async function fetchRowMessages(
  client: ImapFlow,
  range: string,
  options: { uid: boolean },
): Promise<RowMessage[]> {
  const mailbox = client.mailbox;
  const exec = (client as unknown as Partial<CommandRunner>).exec;
  if (!mailbox || !idleFree.has(client) || client.idling || typeof exec !== 'function')
    return fallback(client, range, options);
  const bySeq = new Map<number, RowMessage & { row: boolean }>();
  let overflow = false;
  const onFetch = (untagged: ImapResponse): void => {
    const seq = parseUintValue(untagged.command, MAX_UINT32_DIGITS);
    const items = untagged.attributes?.[1];
    if (!seq || !Array.isArray(items)) return;
    let msg = bySeq.get(seq);
    if (!msg) {
      if (bySeq.size >= MAX_MESSAGES) {
        overflow = true;
        return;
      }
      msg = { seq, uid: 0, row: false };
      bySeq.set(seq, msg);
    }
    readItems(msg, items);
    // As imapflow does: a UID at or above UIDNEXT moves the selected mailbox's estimate.
    if (msg.uid && (!mailbox.uidNext || mailbox.uidNext <= msg.uid)) mailbox.uidNext = msg.uid + 1;
  };
  let response: { next: () => void };
  try {
    response = await exec.call(
      client,
      options.uid ? 'UID FETCH' : 'FETCH',
      [{ type: 'SEQUENCE', value: range }, ROW_ITEMS],
      {
        untagged: { FETCH: onFetch },
      },
    );
  } catch (err) {
    if ((err as { code?: unknown } | null)?.code === 'ETHROTTLE') return fallback(client, range, options);
    throw err;
  }
  response.next();
  if (overflow)
    throw Object.assign(new Error(`FETCH returned more than ${MAX_MESSAGES} messages`), { code: 'TooManyResponses' });
  const out: RowMessage[] = [];
  for (const { row, ...msg } of bySeq.values()) if (row && msg.uid) out.push(msg);
  return out;
}

function readItems(msg: RowMessage & { row: boolean }, items: ImapAttributeList): void {
  for (let i = 0; i + 1 < items.length; i += 2) {
    const key = items[i];
    const value = items[i + 1] ?? null;
    if (!key || Array.isArray(key) || typeof key.value !== 'string') continue;
    switch (key.value.toUpperCase()) {
      case 'UID':
        msg.uid = parseUintValue(getStringValue(value), MAX_UINT32_DIGITS) || msg.uid;
        break;
      case 'FLAGS':
        msg.flags = getStringList(value);
        break;
      // ENVELOPE NIL / BODYSTRUCTURE NIL (a server with nothing to report) leave the field unset.
      case 'ENVELOPE':
        msg.row = true;
        if (Array.isArray(value)) msg.envelope = parseEnvelope(value);
        break;
      case 'BODYSTRUCTURE':
        msg.row = true;
        if (Array.isArray(value)) msg.bodyStructure = parseBodystructure(value);
        break;
      case 'INTERNALDATE': {
        msg.row = true;
        const text = getStringValue(value);
        if (text === undefined) break;
        const date = new Date(text);
        msg.internalDate = Number.isNaN(date.getTime()) ? text : date;
        break;
      }
      case 'RFC822.SIZE':
        msg.row = true;
        msg.size = parseUintValue(getStringValue(value)) || 0;
        break;
      case 'BODY':
        if (key.section?.length === 1 && key.section[0]?.value === '1') msg.part1 = bytesOf(value);
        break;
    }
  }
}

/** A section is an nstring: a literal (Buffer), a quoted string (re-encoded as UTF-8, as imapflow does) or NIL. */
function bytesOf(value: ImapAttribute): Buffer | undefined {
  if (!value || Array.isArray(value)) return undefined;
  if (Buffer.isBuffer(value.value)) return value.value;
  return typeof value.value === 'string' ? Buffer.from(value.value) : undefined;
}

async function fallback(client: ImapFlow, range: string, options: { uid: boolean }): Promise<RowMessage[]> {
  const messages = await client.fetchAll(range, ROW_QUERY, { uid: options.uid });
  return messages.map((m) => ({ ...m, part1: m.bodyParts?.get('1') }));
}
