/**
 * Tidings wire protocol v1: JSON text frames over one WebSocket per browser profile.
 *
 *   request   client → relay  {id, type, params}
 *   response  relay → client  {id, result} | {id, error: {code, message}}
 *   event     relay → client  {event, seq, payload}
 *   ping/pong either way      {ping: n} → {pong: n}
 *
 * Every frame is parsed from `unknown` with these schemas at both ends; nothing is cast.
 * Adding a request type means adding it to `requests` below; the relay's handler registry is a
 * mapped type over it, so a missing handler fails to compile.
 */
import { z } from 'zod';
import { ALL_ERROR_CODES, type ErrorCode } from './errors.js';
import { Limits } from './limits.js';

// ---------------------------------------------------------------- building blocks

export const errorCodeSchema = z.enum(ALL_ERROR_CODES as [ErrorCode, ...ErrorCode[]]);

export const wireErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
});
export type WireError = z.infer<typeof wireErrorSchema>;

const idSchema = z.string().min(1).max(64);

export const mailboxCountSchema = z.object({
  path: z.string().max(Limits.maxMailboxPathLength),
  unread: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type MailboxCount = z.infer<typeof mailboxCountSchema>;

/**
 * State of one account's IMAP watcher as the relay sees it.
 * A discriminated union, never a set of booleans.
 */
export const accountStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('connecting'), attempt: z.number().int().nonnegative() }),
  z.object({ status: z.literal('online'), since: z.number() }),
  z.object({
    status: z.literal('error'),
    code: errorCodeSchema,
    message: z.string(),
    /** Epoch ms of the next automatic attempt, if one is scheduled. */
    retryAt: z.number().nullable(),
  }),
  z.object({ status: z.literal('stopped') }),
]);
export type AccountState = z.infer<typeof accountStateSchema>;

export const accountSummarySchema = z.object({
  id: idSchema,
  name: z.string().max(Limits.maxNameLength),
  /** The IMAP login shown to the user (usually the address). Never the password. */
  username: z.string(),
  host: z.string(),
  /** Total unread over the watched mailboxes. */
  unread: z.number().int().nonnegative(),
  mailboxes: z.array(mailboxCountSchema),
  state: accountStateSchema,
});
export type AccountSummary = z.infer<typeof accountSummarySchema>;

// ---------------------------------------------------------------- requests

/** One entry per request type: its params and its result. */
export const requests = {
  /** First frame on every socket: authenticates the device and resumes the event stream. */
  hello: {
    params: z.object({
      protocol: z.number().int().positive(),
      token: z.string().min(1).max(200),
      /** Last event seq the client applied, or null on a fresh start. */
      lastSeq: z.number().int().nonnegative().nullable(),
    }),
    result: z.object({
      protocol: z.number().int(),
      relayVersion: z.string(),
      deviceId: idSchema,
      /** The seq of the newest event; the client continues from here. */
      seq: z.number().int().nonnegative(),
      /** True when events after lastSeq are no longer available: state below is authoritative. */
      resync: z.boolean(),
      accounts: z.array(accountSummarySchema),
    }),
  },
  /** Current state and counts of every account of the user. */
  'accounts.list': {
    params: z.object({}),
    result: z.object({ accounts: z.array(accountSummarySchema) }),
  },
} as const;

export type RequestType = keyof typeof requests;
export type RequestParams<T extends RequestType> = z.infer<(typeof requests)[T]['params']>;
export type RequestResult<T extends RequestType> = z.infer<(typeof requests)[T]['result']>;
export const REQUEST_TYPES = Object.keys(requests) as RequestType[];

export function isRequestType(type: string): type is RequestType {
  return Object.hasOwn(requests, type);
}

// ---------------------------------------------------------------- events

export const events = {
  /** Unread/total counts of one account changed. */
  counts: z.object({
    accountId: idSchema,
    unread: z.number().int().nonnegative(),
    mailboxes: z.array(mailboxCountSchema),
  }),
  /** One account's connection state changed. */
  'account.state': z.object({ accountId: idSchema, state: accountStateSchema }),
  /** Accounts were added, removed or edited: the full list follows. */
  'accounts.changed': z.object({ accounts: z.array(accountSummarySchema) }),
  /** This device was revoked; the client must forget its token and show "not paired". */
  'device.revoked': z.object({}),
} as const;

export type EventType = keyof typeof events;
export type EventPayload<T extends EventType> = z.infer<(typeof events)[T]>;
export const EVENT_TYPES = Object.keys(events) as EventType[];

// ---------------------------------------------------------------- envelopes

const requestEnvelopeSchema = z.object({
  id: idSchema,
  type: z.string().max(64),
  params: z.unknown().optional(),
});

const responseEnvelopeSchema = z.union([
  z.object({ id: idSchema, result: z.unknown() }),
  z.object({ id: z.union([idSchema, z.null()]), error: wireErrorSchema }),
]);

const eventEnvelopeSchema = z.object({
  event: z.string().max(64),
  seq: z.number().int().nonnegative(),
  payload: z.unknown(),
});

const pingSchema = z.object({ ping: z.number() });
const pongSchema = z.object({ pong: z.number() });

export type ClientRequest = {
  [T in RequestType]: { id: string; type: T; params: RequestParams<T> };
}[RequestType];

export type ServerEvent = {
  [T in EventType]: { event: T; seq: number; payload: EventPayload<T> };
}[EventType];

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: WireError; id: string | null };

function fail(
  code: ErrorCode,
  message: string,
  id: string | null = null,
): { ok: false; error: WireError; id: string | null } {
  return { ok: false, error: { code, message }, id };
}

/** Parses a raw text frame into JSON, or an INVALID_JSON / FRAME_TOO_LARGE error. */
export function parseJsonFrame(raw: string, maxBytes: number): ParseResult<unknown> {
  // Length in UTF-16 units is a lower bound of the UTF-8 size; check both cheaply.
  if (raw.length > maxBytes || new TextEncoder().encode(raw).byteLength > maxBytes) {
    return fail('FRAME_TOO_LARGE', `frame exceeds ${maxBytes} bytes`);
  }
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return fail('INVALID_JSON', 'frame is not valid JSON');
  }
}

export type ClientFrame =
  { kind: 'request'; request: ClientRequest } | { kind: 'ping'; ping: number } | { kind: 'pong'; pong: number };

/** Relay side: turns an already JSON-parsed frame into a typed request or ping, or an error. */
export function parseClientFrame(value: unknown): ParseResult<ClientFrame> {
  const ping = pingSchema.safeParse(value);
  if (ping.success) return { ok: true, value: { kind: 'ping', ping: ping.data.ping } };
  const pong = pongSchema.safeParse(value);
  if (pong.success) return { ok: true, value: { kind: 'pong', pong: pong.data.pong } };
  const env = requestEnvelopeSchema.safeParse(value);
  if (!env.success) {
    const maybeId =
      typeof value === 'object' &&
      value !== null &&
      'id' in value &&
      typeof value.id === 'string' &&
      value.id.length <= 64
        ? value.id
        : null;
    return fail('BAD_REQUEST', 'frame is not a request envelope {id, type, params}', maybeId);
  }
  const { id, type } = env.data;
  if (!isRequestType(type)) return fail('UNKNOWN_TYPE', `unknown request type "${type.slice(0, 64)}"`, id);
  const params = requests[type].params.safeParse(env.data.params ?? {});
  if (!params.success) return fail('BAD_REQUEST', `invalid params for ${type}: ${summarizeIssues(params.error)}`, id);
  return { ok: true, value: { kind: 'request', request: { id, type, params: params.data } as ClientRequest } };
}

export type ServerFrame =
  | { kind: 'response'; id: string; result: unknown }
  | { kind: 'error'; id: string | null; error: WireError }
  | { kind: 'event'; event: ServerEvent }
  | { kind: 'ping'; ping: number }
  | { kind: 'pong'; pong: number };

/**
 * Client side: turns a JSON-parsed frame into a typed response, event or ping.
 * Response results stay `unknown` here; `parseResult(type, result)` checks them against the
 * request that was sent. Unknown events are an error (the relay is newer than the extension).
 */
export function parseServerFrame(value: unknown): ParseResult<ServerFrame> {
  const ping = pingSchema.safeParse(value);
  if (ping.success) return { ok: true, value: { kind: 'ping', ping: ping.data.ping } };
  const pong = pongSchema.safeParse(value);
  if (pong.success) return { ok: true, value: { kind: 'pong', pong: pong.data.pong } };
  const ev = eventEnvelopeSchema.safeParse(value);
  if (ev.success) {
    const name = ev.data.event;
    if (!Object.hasOwn(events, name)) return fail('UNKNOWN_TYPE', `unknown event "${name.slice(0, 64)}"`);
    const payload = events[name as EventType].safeParse(ev.data.payload);
    if (!payload.success) return fail('BAD_REQUEST', `invalid payload for ${name}: ${summarizeIssues(payload.error)}`);
    return {
      ok: true,
      value: { kind: 'event', event: { event: name, seq: ev.data.seq, payload: payload.data } as ServerEvent },
    };
  }
  const res = responseEnvelopeSchema.safeParse(value);
  if (res.success) {
    const r = res.data;
    if ('error' in r) return { ok: true, value: { kind: 'error', id: r.id, error: r.error } };
    return { ok: true, value: { kind: 'response', id: r.id, result: r.result } };
  }
  return fail('BAD_REQUEST', 'frame is not a response, event or ping');
}

/** Checks a response result against the schema of the request type that was sent. */
export function parseResult<T extends RequestType>(type: T, result: unknown): ParseResult<RequestResult<T>> {
  const parsed = requests[type].result.safeParse(result);
  if (!parsed.success) return fail('BAD_REQUEST', `invalid result for ${type}: ${summarizeIssues(parsed.error)}`);
  return { ok: true, value: parsed.data as RequestResult<T> };
}

function summarizeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

// ---------------------------------------------------------------- HTTP: pairing

export const pairRequestSchema = z.object({
  code: z.string().min(1).max(64),
  /** Shown in `devices list`, e.g. "Chrome on laptop". */
  label: z.string().max(Limits.maxNameLength).optional(),
});
export type PairRequest = z.infer<typeof pairRequestSchema>;

export const pairResponseSchema = z.object({
  token: z.string(),
  deviceId: idSchema,
});
export type PairResponse = z.infer<typeof pairResponseSchema>;

export const httpErrorSchema = z.object({ error: wireErrorSchema });

/** Pairing codes are shown as XXXX-XXXX; normalise what the user typed before comparing. */
export function normalizePairingCode(input: string): string {
  return input.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

// ---------------------------------------------------------------- WebSocket close codes

/**
 * Close codes the relay uses (4000–4999 are application codes per RFC 6455 §7.4.2).
 * The client stops reconnecting after UNAUTHORIZED and UNSUPPORTED_PROTOCOL: retrying cannot help.
 */
export const CloseCode = {
  /** Normal close (relay shutting down, client leaving). */
  NORMAL: 1000,
  /** Relay is restarting; reconnect with backoff. */
  GOING_AWAY: 1001,
  /** Policy violation: Origin refused, or the peer broke the protocol repeatedly. */
  POLICY: 1008,
  /** A frame exceeded maxPayload. */
  TOO_BIG: 1009,
  /** `hello` carried an unsupported protocol version. */
  UNSUPPORTED_PROTOCOL: 4400,
  /** Token missing, wrong or revoked: pair again. */
  UNAUTHORIZED: 4401,
  /** No `hello` within Limits.helloTimeoutMs. */
  HELLO_TIMEOUT: 4408,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** HTTP paths served by the relay. */
export const RelayPaths = {
  health: '/health',
  pair: '/v1/pair',
  socket: '/v1/ws',
} as const;
