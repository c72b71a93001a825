/**
 * The UI ↔ background contract over a `browser.runtime.connect({ name: UI_PORT_NAME })` Port.
 * Both sides parse what they receive from `unknown` with these schemas; nothing is cast.
 *
 *   UI → background   { id, type: 'getState' | 'pair' | 'unpair' | 'reconnect', ... }
 *   background → UI   { type: 'reply', id, ok: true, snapshot }
 *                     { type: 'reply', id, ok: false, error: { message, field? }, snapshot }
 *                     { type: 'state', snapshot }        (on connect and after every change)
 *
 * Mail data requests (relay proxy, actions, cache, links, downloads) and their pushes are listed
 * in data-messages.ts; their replies carry `result` (ok) or `error.code` (failed).
 */
import { z } from 'zod/mini';
import { errorCodeSchema, parseServerFrame, type ServerEvent } from '../../shared/index.js';
import { actionResultSchema } from './data-messages.js';
import { snapshotSchema } from './snapshot.js';

const requestId = z.string().check(z.minLength(1), z.maxLength(64));

export const uiRequestSchema = z.discriminatedUnion('type', [
  z.object({ id: requestId, type: z.literal('getState') }),
  /** Exchange a pairing code for a device token at `relayUrl`; then connect. */
  z.object({
    id: requestId,
    type: z.literal('pair'),
    relayUrl: z.string().check(z.maxLength(2048)),
    code: z.string().check(z.maxLength(64)),
  }),
  /** Forget the token and the cached accounts. */
  z.object({ id: requestId, type: z.literal('unpair') }),
  /** Connect now instead of waiting for the backoff timer. */
  z.object({ id: requestId, type: z.literal('reconnect') }),
  /**
   * The popup was opened: the badge's "new since the popup was last opened" count (settings
   * badge.countMode 'new') starts again from zero. The popup sends it once on mount.
   */
  z.object({ id: requestId, type: z.literal('popupOpened') }),
]);
export type UiRequest = z.infer<typeof uiRequestSchema>;
export type UiRequestType = UiRequest['type'];

/** A failure the UI shows; `field` says which form field it belongs to, if any. */
export const uiErrorSchema = z.object({
  message: z.string(),
  field: z.optional(z.enum(['relayUrl', 'code'])),
  /** The relay's error code, for data requests (data-messages.ts). */
  code: z.optional(errorCodeSchema),
});
export type UiError = z.infer<typeof uiErrorSchema>;

const replySchema = z.discriminatedUnion('ok', [
  z.object({
    type: z.literal('reply'),
    id: requestId,
    ok: z.literal(true),
    /** What a data request returned (data-messages.ts); absent for connection requests. */
    result: z.optional(z.unknown()),
    snapshot: snapshotSchema,
  }),
  z.object({
    type: z.literal('reply'),
    id: requestId,
    ok: z.literal(false),
    error: uiErrorSchema,
    snapshot: snapshotSchema,
  }),
]);

const statePushSchema = z.object({ type: z.literal('state'), snapshot: snapshotSchema });

/** A relay event forwarded by the background, checked against the shared event schemas. */
const serverEventSchema = z.pipe(
  z.unknown(),
  z.transform((value, ctx): ServerEvent => {
    const parsed = parseServerFrame(value);
    if (parsed.ok && parsed.value.kind === 'event') return parsed.value.event;
    ctx.issues.push({ code: 'custom', message: 'not a relay event', input: value });
    return z.NEVER;
  }),
);

/** Mail data pushes (data-messages.ts); they carry no snapshot. */
export const dataPushSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('event'), event: serverEventSchema }),
  z.object({
    type: z.literal('action'),
    actionId: z.string().check(z.minLength(1), z.maxLength(64)),
    result: actionResultSchema,
  }),
  z.object({ type: z.literal('outbox'), pending: z.int().check(z.nonnegative()) }),
]);
export type DataPushMessage = z.infer<typeof dataPushSchema>;

export const backgroundMessageSchema = z.union([replySchema, statePushSchema, dataPushSchema]);
export type BackgroundMessage = z.infer<typeof backgroundMessageSchema>;
/** What a request resolves to on the UI side. */
export type UiReply = { ok: true; result?: unknown } | { ok: false; error: UiError };

/** Parses a message from the UI; `null` for anything that is not a valid request. */
export function parseUiRequest(value: unknown): UiRequest | null {
  const r = uiRequestSchema.safeParse(value);
  return r.success ? r.data : null;
}

/** Parses a message from the background; `null` for anything that is not valid. */
export function parseBackgroundMessage(value: unknown): BackgroundMessage | null {
  const r = backgroundMessageSchema.safeParse(value);
  return r.success ? r.data : null;
}
