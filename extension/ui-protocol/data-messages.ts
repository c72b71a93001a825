/**
 * The mail-data half of the UI ↔ background Port contract (the connection half is messages.ts).
 * The popup and the options page never talk to the relay: they send these requests to the
 * background, which answers from its cache, forwards to the relay, or queues actions.
 *
 *   UI → background
 *     { id, type: 'relay', request: { type, params } }   any protocol request except hello and
 *                                                         messages.action; params checked with the
 *                                                         shared `requests` schemas
 *     { id, type: 'action', params }                      messages.action params; optimistic in the
 *                                                         cache, durable outbox, replayed by actionId
 *     { id, type: 'markAllRead', params }                 mailbox.markAllRead params: a whole folder
 *                                                         read, through the same outbox (issue 13)
 *     { id, type: 'cache.list', scope }                   cached rows of a list, or null
 *     { id, type: 'message.open', messageId }             the cached message.get result, else the relay's
 *                                                         (then cached): one round trip per open, and the
 *                                                         relay is asked without waiting for the popup
 *     { id, type: 'message.prefetch', messageId }         the same fetch into the cache, for the message the
 *                                                         user is likely to open next; only on an open
 *                                                         socket; answers { fetched } and never fails
 *     { id, type: 'openLink', url }                       opens a tab (https:, http:, mailto: only)
 *     { id, type: 'download', messageId, attachment }     the browser downloads from the relay
 *
 *   background → UI (replies and pushes: see messages.ts)
 *     { type: 'reply', id, ok: true, result, snapshot } | { type: 'reply', id, ok: false, error, snapshot }
 *     { type: 'event', event }            relay events: message.*, counts, accounts.changed, settings.changed
 *     { type: 'action', actionId, result } a queued action settled later (done, or failed → roll back)
 *     { type: 'outbox', pending }         actions waiting for the relay
 */
import { z } from 'zod/mini';
import {
  actionOutcomeSchema,
  attachmentSchema,
  Limits,
  listScopeSchema,
  messageIdSchema,
  requests,
  wireErrorSchema,
  type RequestResult,
} from '../../shared/index.js';

/** A message as the popup shows it: the relay's `message.get` result, possibly from the cache. */
export type MessageDetail = RequestResult<'message.get'>;

const requestId = z.string().check(z.minLength(1), z.maxLength(64));

export const actionParamsSchema = requests['messages.action'].params;

export const dataRequestSchema = z.discriminatedUnion('type', [
  z.object({
    id: requestId,
    type: z.literal('relay'),
    request: z.object({ type: z.string().check(z.maxLength(64)), params: z.unknown() }),
  }),
  z.object({ id: requestId, type: z.literal('action'), params: actionParamsSchema }),
  z.object({ id: requestId, type: z.literal('markAllRead'), params: requests['mailbox.markAllRead'].params }),
  z.object({ id: requestId, type: z.literal('cache.list'), scope: listScopeSchema }),
  z.object({ id: requestId, type: z.literal('message.open'), messageId: messageIdSchema }),
  z.object({ id: requestId, type: z.literal('message.prefetch'), messageId: messageIdSchema }),
  z.object({ id: requestId, type: z.literal('openLink'), url: z.string().check(z.maxLength(Limits.maxLinkLength)) }),
  z.object({
    id: requestId,
    type: z.literal('download'),
    messageId: messageIdSchema,
    attachment: z.pick(attachmentSchema, { partId: true, filename: true }),
  }),
]);
export type DataRequest = z.infer<typeof dataRequestSchema>;
export type DataRequestType = DataRequest['type'];

/** How a mail action ended: the relay's outcomes, queued for later, or failed as a whole. */
export const actionResultSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('done'),
    outcomes: z.array(actionOutcomeSchema),
    /** A mark-all-read's answer: the UIDs it marked, for undo (absent for message actions). */
    marked: z.optional(requests['mailbox.markAllRead'].result),
  }),
  z.object({ status: z.literal('queued') }),
  z.object({ status: z.literal('failed'), error: wireErrorSchema }),
]);
export type ActionResult = z.infer<typeof actionResultSchema>;

/** A download's reply: the name the browser saves under, and whether it differs from the attachment's. */
export const savedDownloadSchema = z.object({ filename: z.string(), changed: z.boolean() });
export type SavedDownload = z.infer<typeof savedDownloadSchema>;

/** Parses a message from the UI that is a data request; `null` otherwise. */
export function parseDataRequest(value: unknown): DataRequest | null {
  const r = dataRequestSchema.safeParse(value);
  return r.success ? r.data : null;
}
