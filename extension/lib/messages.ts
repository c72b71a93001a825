/**
 * The UI ↔ background contract over a `browser.runtime.connect({ name: UI_PORT_NAME })` Port.
 * Both sides parse what they receive from `unknown` with these schemas; nothing is cast.
 *
 *   UI → background   { id, type: 'getState' | 'pair' | 'unpair' | 'reconnect', ... }
 *   background → UI   { type: 'reply', id, ok: true, snapshot }
 *                     { type: 'reply', id, ok: false, error: { message, field? }, snapshot }
 *                     { type: 'state', snapshot }        (on connect and after every change)
 */
import { z } from 'zod';
import { snapshotSchema } from './snapshot.js';

export const UI_PORT_NAME = 'ui';

const requestId = z.string().min(1).max(64);

export const uiRequestSchema = z.discriminatedUnion('type', [
  z.object({ id: requestId, type: z.literal('getState') }),
  /** Exchange a pairing code for a device token at `relayUrl`; then connect. */
  z.object({ id: requestId, type: z.literal('pair'), relayUrl: z.string().max(2048), code: z.string().max(64) }),
  /** Forget the token and the cached accounts. */
  z.object({ id: requestId, type: z.literal('unpair') }),
  /** Connect now instead of waiting for the backoff timer. */
  z.object({ id: requestId, type: z.literal('reconnect') }),
]);
export type UiRequest = z.infer<typeof uiRequestSchema>;
export type UiRequestType = UiRequest['type'];

/** A failure the UI shows; `field` says which form field it belongs to, if any. */
export const uiErrorSchema = z.object({
  message: z.string(),
  field: z.enum(['relayUrl', 'code']).optional(),
});
export type UiError = z.infer<typeof uiErrorSchema>;

const replySchema = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), id: requestId, ok: z.literal(true), snapshot: snapshotSchema }),
  z.object({
    type: z.literal('reply'),
    id: requestId,
    ok: z.literal(false),
    error: uiErrorSchema,
    snapshot: snapshotSchema,
  }),
]);

const statePushSchema = z.object({ type: z.literal('state'), snapshot: snapshotSchema });

export const backgroundMessageSchema = z.union([replySchema, statePushSchema]);
export type BackgroundMessage = z.infer<typeof backgroundMessageSchema>;
/** What a request resolves to on the UI side. */
export type UiReply = { ok: true } | { ok: false; error: UiError };

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
