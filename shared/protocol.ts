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
 *
 * Over 500 lines, knowingly: this is the one protocol map both ends compile against, and reading
 * a request's params and result next to each other is the point. Areas with their own vocabulary
 * already live apart (oauth-protocol.ts, limits.ts, errors.ts, providers.ts).
 */
import { z } from 'zod/mini';
import { lazyTable } from './lazy-table.js';
import { ALL_ERROR_CODES, type ErrorCode } from './errors.js';
import { Limits } from './limits.js';
import { messageIdHeaderSchema } from './message-id-header.js';
import { oauthAdviceSchema, oauthRequestSchemas } from './oauth-protocol.js';
import { oauthProviderIdSchema } from './oauth-providers.js';

// ---------------------------------------------------------------- building blocks

export const errorCodeSchema = z.enum(ALL_ERROR_CODES as [ErrorCode, ...ErrorCode[]]);

export const wireErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
});
export type WireError = z.infer<typeof wireErrorSchema>;

const idSchema = z.string().check(z.minLength(1), z.maxLength(64));

// ---------------------------------------------------------------- client input that reaches IMAP
//
// Everything a client sends that the relay puts into an IMAP command is checked here, so a bad
// value is a BAD_REQUEST naming the field before anything reaches the server (issue 12: CR/LF/NUL
// and `{n}` literal markers came back as a retryable IMAP_ERROR, and a uid ≥ 2^32 too).

/** Largest UID and UIDVALIDITY: both are unsigned 32-bit non-zero numbers (RFC 3501 §2.3.1.1). */
export const MAX_UINT32 = 4_294_967_295;

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex -- matching CR, LF and NUL is the point
const CR_LF_NUL = /[\r\n\u0000]/;
/** An IMAP literal marker (RFC 3501 §4.3, RFC 7888 `{n+}`): never legitimate in a name or a search term. */
const LITERAL_MARKER = /\{\d+\+?\}/;

/** A mailbox path the client names: no control characters, no literal markers, bounded. */
export const mailboxNameSchema = z.string().check(
  z.minLength(1, 'mailbox name is empty'),
  z.maxLength(Limits.maxMailboxPathLength, `mailbox name is longer than ${Limits.maxMailboxPathLength} characters`),
  z.refine((s) => !CONTROL_CHARS.test(s), 'mailbox name contains a control character (CR, LF, NUL…)'),
  z.refine((s) => !LITERAL_MARKER.test(s), 'mailbox name contains an IMAP literal marker like {5}'),
);

/** Free text of a search term: no CR/LF/NUL, no literal markers, bounded. */
export const searchTextSchema = z.string().check(
  z.maxLength(500, 'search text is longer than 500 characters'),
  z.refine((s) => !CR_LF_NUL.test(s), 'search text contains CR, LF or NUL'),
  z.refine((s) => !LITERAL_MARKER.test(s), 'search text contains an IMAP literal marker like {5}'),
);

/** A message UID: a positive integer below 2^32. */
export const uidSchema = z
  .number()
  .check(
    z.int('uid must be an integer'),
    z.positive('uid must be positive'),
    z.lte(MAX_UINT32, 'uid must be below 2^32'),
  );

/** UIDVALIDITY as a decimal string (imapflow returns a BigInt): non-zero, below 2^32. */
export const uidValiditySchema = z.string().check(
  z.regex(/^[1-9]\d{0,9}$/, 'uidValidity must be a decimal number'),
  z.refine((s) => Number(s) <= MAX_UINT32, 'uidValidity must be below 2^32'),
);

/** An IMAP body part id ("1", "2.3"): positive 32-bit segments, no deeper than the MIME walk goes. */
export const partIdSchema = z.string().check(
  z.maxLength(200, 'partId is too long'),
  z.regex(/^[1-9]\d{0,9}(\.[1-9]\d{0,9})*$/, 'partId must look like "2" or "1.2"'),
  z.refine((s) => s.split('.').every((n) => Number(n) <= MAX_UINT32), 'partId segments must be below 2^32'),
  z.refine((s) => s.split('.').length <= Limits.mimeMaxDepth + 1, 'partId is nested too deep'),
);

export const mailboxCountSchema = z.object({
  path: z.string().check(z.maxLength(Limits.maxMailboxPathLength)),
  unread: z.int().check(z.nonnegative()),
  total: z.int().check(z.nonnegative()),
});
export type MailboxCount = z.infer<typeof mailboxCountSchema>;

/**
 * State of one account's IMAP watcher as the relay sees it.
 * A discriminated union, never a set of booleans.
 */
export const accountStateSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('connecting'), attempt: z.int().check(z.nonnegative()) }),
  z.object({ status: z.literal('online'), since: z.number() }),
  z.object({
    status: z.literal('error'),
    code: errorCodeSchema,
    message: z.string(),
    /** Epoch ms of the next automatic attempt, if one is scheduled. */
    retryAt: z.nullable(z.number()),
  }),
  z.object({ status: z.literal('stopped') }),
]);
export type AccountState = z.infer<typeof accountStateSchema>;

/**
 * What the user should see about one account (issue 8): one state with a since-time, the code it
 * stands for, and details for the extension to put into plain words (it translates; the relay
 * sends codes). `since` is when this state began (epoch ms, relay clock: correct it with
 * `serverTime`); repeated failures of the same kind keep their `since`.
 *
 * - `live`: connected, counts current, push (IDLE) running.
 * - `catching_up`: connecting or re-reading counts after a (re)connect; counts may be stale.
 * - `unreachable`: the server could not be reached (DNS, refused, reset, TLS handshake cut).
 * - `auth_refused`: the server refused the sign-in (wrong password, app password needed).
 * - `cert_changed`: the server's certificate is no longer trusted (changed, expired, other host).
 * - `frozen`: the server accepted the connection but did not answer within `limitMs`.
 * - `stopped`: the relay is not watching the account (removed, relay shutting down).
 */
const healthBase = {
  /** Epoch ms (relay clock) when the account entered this state. */
  since: z.number(),
  /** The IMAP server the state is about (shown as "mail.example.com is unreachable"). */
  host: z.string(),
};
const healthFailure = {
  ...healthBase,
  /** The error code behind the state, for the extension's translated reason. */
  code: errorCodeSchema,
  /** The relay's English detail (e.g. "ECONNREFUSED"); technical, for a "details" line. */
  detail: z.string().check(z.maxLength(1_000)),
  /** Epoch ms (relay clock) of the next automatic attempt, or null when none is scheduled. */
  retryAt: z.nullable(z.number()),
  /** Consecutive failed attempts since the account was last live. */
  attempts: z.int().check(z.nonnegative()),
};
export const accountHealthSchema = z.discriminatedUnion('state', [
  z.object({ state: z.literal('live'), ...healthBase }),
  z.object({ state: z.literal('catching_up'), ...healthBase, attempts: z.int().check(z.nonnegative()) }),
  z.object({ state: z.literal('unreachable'), ...healthFailure }),
  z.object({ state: z.literal('auth_refused'), ...healthFailure }),
  z.object({ state: z.literal('cert_changed'), ...healthFailure }),
  z.object({
    state: z.literal('frozen'),
    ...healthFailure,
    /** The deadline the server missed, in ms (Limits.imapCommandTimeoutMs or the IDLE probe's). */
    limitMs: z.int().check(z.positive()),
  }),
  z.object({ state: z.literal('stopped'), ...healthBase }),
]);
export type AccountHealth = z.infer<typeof accountHealthSchema>;
export type AccountHealthState = AccountHealth['state'];

export const accountSummarySchema = z.object({
  id: idSchema,
  name: z.string().check(z.maxLength(Limits.maxNameLength)),
  /** The IMAP login shown to the user (usually the address). Never the password. */
  username: z.string(),
  host: z.string(),
  /** Total unread over the watched mailboxes. */
  unread: z.int().check(z.nonnegative()),
  mailboxes: z.array(mailboxCountSchema),
  state: accountStateSchema,
  /**
   * The account's health (issue 8); `state` above stays for older extensions. Optional: older
   * relays do not send it.
   */
  health: z.optional(accountHealthSchema),
  /**
   * Epoch ms (relay clock) when each watched folder's counts were last read from the server:
   * INBOX follows IDLE push, other folders are polled every Limits.folderPollMs. A count older
   * than the staleness limit is stale. Optional: older relays do not send it.
   */
  countsAt: z.optional(z.record(z.string(), z.number())),
  /** CSS hex colour chosen by the user, or null. */
  color: z._default(z.nullable(z.string()), null),
  /** Storage use where the server has QUOTA (RFC 9208), else null. */
  quota: z._default(
    z.nullable(z.object({ usedBytes: z.number().check(z.nonnegative()), limitBytes: z.number().check(z.positive()) })),
    null,
  ),
  /** The OAuth2 provider the account signs in with (issue 9), or null for a password account. */
  oauthProvider: z._default(z.nullable(oauthProviderIdSchema), null),
});
export type AccountSummary = z.infer<typeof accountSummarySchema>;

// ---------------------------------------------------------------- mail building blocks (issue 3)

/**
 * A message's identity: (account, mailbox, UIDVALIDITY, UID). UIDVALIDITY is a string because
 * imapflow returns it as a BigInt. Acting on an identity whose uidValidity no longer matches the
 * mailbox is refused with STALE_UIDVALIDITY, never applied to another message.
 */
export const messageIdSchema = z.object({
  accountId: idSchema,
  mailbox: mailboxNameSchema,
  uidValidity: uidValiditySchema,
  uid: uidSchema,
});
export type MessageId = z.infer<typeof messageIdSchema>;

/** Stable string key of a message identity, for maps and DOM ids. */
export function messageKey(id: MessageId): string {
  return `${id.accountId}\u0000${id.mailbox}\u0000${id.uidValidity}\u0000${id.uid}`;
}

export const addressSchema = z.object({
  name: z.string().check(z.maxLength(1_000)),
  address: z.string().check(z.maxLength(1_000)),
});
export type Address = z.infer<typeof addressSchema>;

/** RFC 6154 special-use roles, plus INBOX. */
export const mailboxRoleSchema = z.enum(['inbox', 'sent', 'drafts', 'trash', 'junk', 'archive', 'all', 'flagged']);
export type MailboxRole = z.infer<typeof mailboxRoleSchema>;

export const mailboxInfoSchema = z.object({
  path: z.string().check(z.maxLength(Limits.maxMailboxPathLength)),
  /** Last path segment, decoded (modified UTF-7 → UTF-8); shown as text only. */
  name: z.string(),
  delimiter: z.nullable(z.string().check(z.maxLength(4))),
  parent: z.nullable(z.string()),
  role: z.nullable(mailboxRoleSchema),
  unread: z.int().check(z.nonnegative()),
  total: z.int().check(z.nonnegative()),
  subscribed: z.boolean(),
  /** \Noselect folders exist only as parents. */
  selectable: z.boolean(),
});
export type MailboxInfo = z.infer<typeof mailboxInfoSchema>;

/** One row of a message list, the same for listing, search and new-mail events. */
export const messageRowSchema = z.object({
  id: messageIdSchema,
  from: z.array(addressSchema),
  to: z.array(addressSchema),
  subject: z.string(),
  /** Epoch ms (INTERNALDATE when the Date header is missing or invalid). */
  date: z.number(),
  flags: z.array(z.string()),
  seen: z.boolean(),
  flagged: z.boolean(),
  answered: z.boolean(),
  size: z.int().check(z.nonnegative()),
  hasAttachments: z.boolean(),
  /** One line from a partial fetch of the first text part; never the whole body. */
  preview: z.string().check(z.maxLength(300)),
});
export type MessageRow = z.infer<typeof messageRowSchema>;

/** Where a list or search looks: one mailbox, or the INBOX of every account merged by date. */
export const listScopeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('mailbox'),
    accountId: idSchema,
    mailbox: mailboxNameSchema,
  }),
  z.object({ kind: z.literal('unified') }),
]);
export type ListScope = z.infer<typeof listScopeSchema>;

const listResultSchema = z.object({
  rows: z.array(messageRowSchema),
  /** Opaque; pass back to get the next (older) page; null at the end. */
  nextCursor: z.nullable(z.string().check(z.maxLength(4_096))),
  /** Messages in scope (for a search: matches), for the UI's scroll extent. */
  total: z.int().check(z.nonnegative()),
});

export const searchQuerySchema = z
  .object({
    text: z.optional(searchTextSchema),
    from: z.optional(searchTextSchema),
    subject: z.optional(searchTextSchema),
    unread: z.optional(z.boolean()),
    flagged: z.optional(z.boolean()),
  })
  .check(z.refine((q) => Object.values(q).some((v) => v !== undefined && v !== ''), 'empty search'));
export type SearchQuery = z.infer<typeof searchQuerySchema>;

export const attachmentSchema = z.object({
  /** IMAP body part id, e.g. "2" or "1.2". */
  partId: partIdSchema,
  /** RFC 2231 decoded; shown as text only. */
  filename: z.string(),
  contentType: z.string().check(z.maxLength(255)),
  size: z.int().check(z.nonnegative()),
  /** Content-Disposition inline with a Content-ID (a cid: image in the body). */
  inline: z.boolean(),
  contentId: z.nullable(z.string().check(z.maxLength(998))),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const messageBodySchema = z.object({
  kind: z.enum(['html', 'text', 'none']),
  /** Decoded to UTF-8; UNSANITIZED — the popup sanitizes before rendering. */
  content: z.string(),
  /** True when the part was larger than Limits.bodyPartMaxBytes and was cut. */
  truncated: z.boolean(),
});
export type MessageBody = z.infer<typeof messageBodySchema>;

/** A mail action on one or many messages. */
export const mailActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('seen'), value: z.boolean() }),
  z.object({ kind: z.literal('flagged'), value: z.boolean() }),
  /** Move to the account's archive folder (\Archive, or the configured one). */
  z.object({ kind: z.literal('archive') }),
  /** Move to \Trash; permanently delete (\Deleted + UID EXPUNGE) when already in Trash. */
  z.object({ kind: z.literal('delete') }),
  z.object({ kind: z.literal('junk') }),
  z.object({ kind: z.literal('move'), to: mailboxNameSchema }),
]);
export type MailAction = z.infer<typeof mailActionSchema>;

export const actionOutcomeSchema = z.object({
  id: messageIdSchema,
  ok: z.boolean(),
  /** Where a moved message now lives (UIDPLUS COPYUID), so undo can move it back; null if unknown. */
  movedTo: z.nullable(messageIdSchema),
  error: z.nullable(wireErrorSchema),
});
export type ActionOutcome = z.infer<typeof actionOutcomeSchema>;

// ---------------------------------------------------------------- account setup (issue 4)

export const securityModeSchema = z.enum(['tls', 'starttls', 'plain']);
export type SecurityModeWire = z.infer<typeof securityModeSchema>;

export const serverSettingsSchema = z.object({
  host: z.string().check(z.minLength(1), z.maxLength(253)),
  port: z.int().check(z.gte(1), z.lte(65_535)),
  security: securityModeSchema,
  username: z.string().check(z.minLength(1), z.maxLength(320)),
  /** SHA-256 fingerprint (hex, colons) of a self-signed certificate the user accepted, or null. */
  pinnedFingerprint: z.nullable(z.string().check(z.maxLength(200))),
});
export type ServerSettingsWire = z.infer<typeof serverSettingsSchema>;

export const serverCandidateSchema = z.object({
  host: z.string(),
  port: z.int(),
  security: securityModeSchema,
  /** Where this candidate came from. */
  source: z.enum(['preset', 'autoconfig', 'srv', 'guess']),
  /** Username template result, e.g. the full address or the local part. */
  username: z.string(),
});
export type ServerCandidate = z.infer<typeof serverCandidateSchema>;

export const certificateInfoSchema = z.object({
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.number(),
  validTo: z.number(),
  fingerprint256: z.string(),
  /** Chains to a trusted root (or the pinned fingerprint matches). */
  trusted: z.boolean(),
  selfSigned: z.boolean(),
});
export type CertificateInfo = z.infer<typeof certificateInfoSchema>;

/**
 * IMAP extensions the diagnosis names, in checklist order: what Tidings uses when present
 * (IDLE push, CONDSTORE/QRESYNC sync, SPECIAL-USE roles, MOVE/UIDPLUS actions, NOTIFY, QUOTA).
 */
export const NOTABLE_CAPABILITIES = [
  'IDLE',
  'CONDSTORE',
  'QRESYNC',
  'SPECIAL-USE',
  'MOVE',
  'UIDPLUS',
  'NOTIFY',
  'QUOTA',
] as const;

export const diagnosisStepSchema = z.object({
  /**
   * OAuth2 accounts (issue 9) start with `token` (the provider's token endpoint answered and
   * issued an access token) and `scopes` (the grant includes the IMAP scope); their `auth` step is
   * "the IMAP server accepted the token". Relays before that send only the last five.
   */
  id: z.enum(['token', 'scopes', 'dns', 'tcp', 'tls', 'capabilities', 'auth']),
  status: z.enum(['ok', 'warn', 'fail', 'skipped']),
  /** What was found, in plain words. */
  detail: z.string(),
  /** What to do about a warn/fail, in plain words (e.g. "This server needs an app password: …"). */
  hint: z.nullable(z.string()),
  ms: z.nullable(z.number()),
  /**
   * For a failed step, the error code it stands for (AUTH_FAILED, TLS_FAILED, …), so the options
   * page can explain it in the user's language; `detail`/`hint` stay the relay's English words.
   * Optional: older relays do not send it.
   */
  code: z.optional(z.nullable(errorCodeSchema)),
});
export type DiagnosisStep = z.infer<typeof diagnosisStepSchema>;

export const diagnosisSchema = z.object({
  ok: z.boolean(),
  steps: z.array(diagnosisStepSchema),
  addresses: z.array(z.string()),
  tlsVersion: z.nullable(z.string()),
  certificate: z.nullable(certificateInfoSchema),
  capabilities: z.array(z.string()),
  rttMs: z.nullable(z.number()),
  /** Set when the failure is an untrusted certificate the user could pin. */
  error: z.nullable(wireErrorSchema),
});
export type Diagnosis = z.infer<typeof diagnosisSchema>;

export const deviceInfoSchema = z.object({
  id: idSchema,
  label: z.string(),
  origin: z.string(),
  createdAt: z.number(),
  lastSeenAt: z.nullable(z.number()),
  /** The device this socket belongs to. */
  current: z.boolean(),
});
export type DeviceInfo = z.infer<typeof deviceInfoSchema>;

const hhmm = z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/));

/** Per-user settings kept by the relay, so every browser of the user agrees. */
export const userSettingsSchema = z.object({
  notifications: z.object({
    enabled: z.boolean(),
    /** Accounts with notifications off. */
    mutedAccounts: z.array(idSchema),
    quietHours: z.object({
      enabled: z.boolean(),
      start: hhmm,
      end: hhmm,
      /** 0 = Sunday … 6 = Saturday; days on which quiet hours apply. */
      days: z.array(z.int().check(z.gte(0), z.lte(6))),
      /** IANA time zone the schedule is in, e.g. "Europe/Madrid". */
      timeZone: z.string().check(z.maxLength(64)),
    }),
  }),
  badge: z.object({
    /** 'all': every unread message; 'new': unread messages that arrived since the popup was last opened. */
    countMode: z.enum(['all', 'new']),
    hideAtZero: z.boolean(),
  }),
  /** Senders (lower-case addresses) whose remote images always load. */
  remoteImagesAllowed: z.array(z.string().check(z.maxLength(320))),
});
export type UserSettings = z.infer<typeof userSettingsSchema>;

export const DEFAULT_USER_SETTINGS: UserSettings = {
  notifications: {
    enabled: true,
    mutedAccounts: [],
    quietHours: { enabled: false, start: '22:00', end: '07:00', days: [0, 1, 2, 3, 4, 5, 6], timeZone: 'UTC' },
  },
  badge: { countMode: 'all', hideAtZero: true },
  remoteImagesAllowed: [],
};

export const accountDetailsSchema = z.extend(serverSettingsSchema, {
  id: idSchema,
  name: z.string().check(z.maxLength(Limits.maxNameLength)),
  /** CSS hex colour shown beside the account. */
  color: z.nullable(z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/))),
  watchedMailboxes: z.array(mailboxNameSchema).check(z.minLength(1)),
  /** Override for the archive folder; null = the \Archive special-use folder. */
  archiveMailbox: z.nullable(mailboxNameSchema),
  /**
   * The OAuth2 provider the account signs in with (issue 9); null or absent (older relays) for a
   * password account. Read-only: accounts.update ignores it.
   */
  oauthProvider: z.optional(z.nullable(oauthProviderIdSchema)),
});
export type AccountDetails = z.infer<typeof accountDetailsSchema>;

// ---------------------------------------------------------------- requests

/** One entry per request type: its params and its result, built on first use (lazyTable). */
export const requests = lazyTable({
  /** First frame on every socket: authenticates the device and resumes the event stream. */
  hello: () => ({
    params: z.object({
      protocol: z.int().check(z.positive()),
      token: z.string().check(z.minLength(1), z.maxLength(200)),
      /** Last event seq the client applied, or null on a fresh start. */
      lastSeq: z.nullable(z.int().check(z.nonnegative())),
    }),
    result: z.object({
      protocol: z.int(),
      relayVersion: z.string(),
      deviceId: idSchema,
      /** The seq of the newest event; the client continues from here. */
      seq: z.int().check(z.nonnegative()),
      /** True when events after lastSeq are no longer available: state below is authoritative. */
      resync: z.boolean(),
      accounts: z.array(accountSummarySchema),
      /**
       * The relay's clock (epoch ms) when it answered, so the extension can correct times for the
       * offset between the browser's and the relay's clocks. Optional: older relays do not send it.
       */
      serverTime: z.optional(z.number()),
    }),
  }),
  /** Current state and counts of every account of the user. */
  'accounts.list': () => ({
    params: z.object({}),
    result: z.object({ accounts: z.array(accountSummarySchema) }),
  }),

  // ---- issue 3: triage
  /** Folders of one account with special-use roles, counts and hierarchy. */
  'mailboxes.list': () => ({
    params: z.object({ accountId: idSchema }),
    result: z.object({ mailboxes: z.array(mailboxInfoSchema) }),
  }),
  /** Newest first, pages of at most 50, for one mailbox or the unified inbox. */
  'messages.list': () => ({
    params: z.object({
      scope: listScopeSchema,
      cursor: z.nullable(z.string().check(z.maxLength(4_096))),
      limit: z._default(z.int().check(z.gte(1), z.lte(50)), 50),
    }),
    result: listResultSchema,
  }),
  /** Server-side SEARCH; same rows as messages.list. */
  'messages.search': () => ({
    params: z.object({
      scope: listScopeSchema,
      query: searchQuerySchema,
      cursor: z.nullable(z.string().check(z.maxLength(4_096))),
      limit: z._default(z.int().check(z.gte(1), z.lte(50)), 50),
    }),
    result: listResultSchema,
  }),
  /** Headers, the best text part (HTML preferred), and attachment metadata. */
  'message.get': () => ({
    params: z.object({ id: messageIdSchema }),
    result: z.object({
      id: messageIdSchema,
      from: z.array(addressSchema),
      to: z.array(addressSchema),
      cc: z.array(addressSchema),
      replyTo: z.array(addressSchema),
      subject: z.string(),
      date: z.number(),
      flags: z.array(z.string()),
      body: messageBodySchema,
      /**
       * More inline text parts of a multipart/mixed message, in document order after `body`
       * (e.g. a note in another charset, a signature part): shown one after another below the
       * body, each sanitized like it; they are not in `attachments`. Older relays send none.
       */
      inlineParts: z.optional(z.array(messageBodySchema).check(z.maxLength(Limits.inlineTextPartsMax))),
      attachments: z.array(attachmentSchema),
      /**
       * The Message-ID header, `<id>`, cleaned by the relay (shared/message-id-header.ts); null
       * when the message has none or it is not a plain id. For "Open in webmail" (Gmail finds a
       * message by it). Older relays do not send it.
       */
      messageId: z.optional(z.nullable(messageIdHeaderSchema)),
    }),
  }),
  /** One inline part (a cid: image), base64, capped at Limits.bodyPartMaxBytes. */
  'message.part': () => ({
    params: z.object({ id: messageIdSchema, partId: partIdSchema }),
    result: z.object({ contentType: z.string(), dataBase64: z.string(), truncated: z.boolean() }),
  }),
  /**
   * Applies one action to one or many messages (same account). `actionId` makes a replay after a
   * reconnect idempotent: the relay remembers recent action ids and answers a repeat with the
   * first outcome instead of acting twice.
   */
  'messages.action': () => ({
    params: z.object({
      actionId: z.string().check(z.minLength(8), z.maxLength(64)),
      ids: z.array(messageIdSchema).check(z.minLength(1), z.maxLength(500)),
      action: mailActionSchema,
    }),
    result: z.object({ outcomes: z.array(actionOutcomeSchema) }),
  }),

  /**
   * Issue 13: marks every unread message of one mailbox read on the server, not only the rows a
   * client has loaded (UID SEARCH UNSEEN, then UID STORE +FLAGS (\Seen) in chunks of
   * Limits.markAllReadChunk). `uids` are the messages it marked, for undo (`messages.action`
   * seen:false), when there were at most Limits.markAllReadUndoMax (`undoable`); `marked` counts
   * them all. Idempotent by `actionId`, like messages.action: a replay gets the first answer.
   */
  'mailbox.markAllRead': () => ({
    params: z.object({
      actionId: z.string().check(z.minLength(8), z.maxLength(64)),
      accountId: idSchema,
      mailbox: mailboxNameSchema,
    }),
    result: z.object({
      uidValidity: uidValiditySchema,
      uids: z.array(uidSchema).check(z.maxLength(Limits.markAllReadUndoMax)),
      marked: z.int().check(z.nonnegative()),
      undoable: z.boolean(),
    }),
  }),

  /**
   * Issue 8: what changed in a cached window of one mailbox, on any server (with or without
   * QRESYNC): `vanished` lists the given UIDs that no longer exist (expunged or moved away, found
   * by UID SEARCH over the window), `flags` the current flags of those that remain. A changed
   * UIDVALIDITY answers `reset: true` with the new value and nothing else: drop the cache.
   */
  'messages.sync': () => ({
    params: z.object({
      accountId: idSchema,
      mailbox: z.string().check(z.minLength(1), z.maxLength(Limits.maxMailboxPathLength)),
      uidValidity: z.string().check(z.regex(/^\d{1,20}$/)),
      uids: z.array(z.int().check(z.positive())).check(z.maxLength(Limits.syncMaxUids)),
    }),
    result: z.object({
      uidValidity: z.string(),
      reset: z.boolean(),
      vanished: z.array(z.int().check(z.positive())),
      flags: z.array(z.object({ uid: z.int().check(z.positive()), flags: z.array(z.string()) })),
      /** Unread/total of the mailbox now, so totals follow. */
      unread: z.int().check(z.nonnegative()),
      total: z.int().check(z.nonnegative()),
    }),
  }),

  // ---- issue 4: account setup, devices, settings
  /** Suggests server settings for an address: presets, autoconfig, then SRV (RFC 6186). */
  'accounts.discover': () => ({
    params: z.object({ email: z.string().check(z.minLength(3), z.maxLength(320)) }),
    result: z.object({
      candidates: z.array(serverCandidateSchema),
      /** Set when the provider wants OAuth2 sign-in (issue 9); absent from older relays. */
      oauth: z._default(z.nullable(oauthAdviceSchema), null),
    }),
  }),
  /**
   * Runs the diagnosis checklist without saving anything: against settings + password (adding an
   * account), or against a saved account with its stored secret (`accountId`). For an OAuth2
   * account the checklist starts with the token steps (issue 9): the relay refreshes the access
   * token at the provider and compares the granted scopes with the provider table.
   */
  'accounts.diagnose': () => ({
    params: z.union([
      z.object({ settings: serverSettingsSchema, password: z.string().check(z.minLength(1), z.maxLength(4_096)) }),
      z.object({ accountId: idSchema }),
    ]),
    result: diagnosisSchema,
  }),
  /**
   * Trusts a changed self-signed certificate of a saved account (issue 13): the relay connects,
   * checks that the server presents exactly `fingerprint` now, signs in with the stored secret
   * over that pinned connection, and only then replaces the pin. Refused with TLS_FAILED (and the
   * diagnosis in the message) when the server shows another certificate.
   */
  'accounts.trustCertificate': () => ({
    params: z.object({ id: idSchema, fingerprint: z.string().check(z.minLength(1), z.maxLength(200)) }),
    result: z.object({ account: accountDetailsSchema, diagnosis: diagnosisSchema }),
  }),
  /** Diagnoses, then saves the account (password encrypted on the relay) and starts watching it. */
  'accounts.add': () => ({
    params: z.object({
      settings: serverSettingsSchema,
      password: z.string().check(z.minLength(1), z.maxLength(4_096)),
      name: z.string().check(z.minLength(1), z.maxLength(Limits.maxNameLength)),
      color: z._default(z.nullable(z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/))), null),
      watchedMailboxes: z._default(z.array(mailboxNameSchema).check(z.minLength(1)), ['INBOX']),
    }),
    result: z.object({ account: accountDetailsSchema, diagnosis: diagnosisSchema }),
  }),
  'accounts.get': () => ({
    params: z.object({ id: idSchema }),
    result: z.object({ account: accountDetailsSchema }),
  }),
  /** Edits settings; a new password (or server settings) is diagnosed before it is saved. */
  'accounts.update': () => ({
    params: z.object({
      id: idSchema,
      patch: z.partial(z.omit(accountDetailsSchema, { id: true, oauthProvider: true })),
      password: z.optional(z.string().check(z.minLength(1), z.maxLength(4_096))),
    }),
    result: z.object({ account: accountDetailsSchema, diagnosis: z.nullable(diagnosisSchema) }),
  }),
  'accounts.remove': () => ({
    params: z.object({ id: idSchema }),
    result: z.object({}),
  }),
  'devices.list': () => ({
    params: z.object({}),
    result: z.object({ devices: z.array(deviceInfoSchema) }),
  }),
  /** Revoking the current device closes this socket with 4401 after the reply. */
  'devices.revoke': () => ({
    params: z.object({ id: idSchema }),
    result: z.object({}),
  }),
  /**
   * Issue 8, unpair: revokes the device this socket signed in as (its token stops working at
   * once); the relay answers, then closes the socket with 4401 and its other sockets too.
   */
  'devices.revokeSelf': () => ({
    params: z.object({}),
    result: z.object({ deviceId: idSchema }),
  }),
  'settings.get': () => ({
    params: z.object({}),
    result: z.object({ settings: userSettingsSchema }),
  }),
  'settings.set': () => ({
    params: z.object({ settings: userSettingsSchema }),
    result: z.object({ settings: userSettingsSchema }),
  }),

  // ---- issue 9: OAuth2 sign-in (shared/oauth-protocol.ts)
  ...oauthRequestSchemas(diagnosisSchema),
});

export type RequestType = keyof typeof requests;
export type RequestParams<T extends RequestType> = z.infer<(typeof requests)[T]['params']>;
export type RequestResult<T extends RequestType> = z.infer<(typeof requests)[T]['result']>;
export const REQUEST_TYPES = Object.keys(requests) as RequestType[];

export function isRequestType(type: string): type is RequestType {
  return Object.hasOwn(requests, type);
}

// ---------------------------------------------------------------- events

/** One entry per event: its payload, built on first use (lazyTable). */
export const events = lazyTable({
  /** Unread/total counts of one account changed. */
  counts: () =>
    z.object({
      accountId: idSchema,
      unread: z.int().check(z.nonnegative()),
      mailboxes: z.array(mailboxCountSchema),
    }),
  /** One account's connection state changed. */
  'account.state': () =>
    z.object({
      accountId: idSchema,
      state: accountStateSchema,
      /** Issue 8: pushed on every health change (state, retry time, attempts). Optional for older relays. */
      health: z.optional(accountHealthSchema),
    }),
  /** Accounts were added, removed or edited: the full list follows. */
  'accounts.changed': () => z.object({ accounts: z.array(accountSummarySchema) }),
  /** This device was revoked; the client must forget its token and show "not paired". */
  'device.revoked': () => z.object({}),
  /**
   * New messages arrived in a watched mailbox. `notify` is decided by the relay (per-account
   * switch, quiet hours, already read or gone by the time it was fetched), so every browser agrees.
   */
  'message.new': () =>
    z.object({
      accountId: idSchema,
      mailbox: z.string(),
      rows: z.array(messageRowSchema),
      notify: z.boolean(),
    }),
  /** Flags of a message changed (by any client). */
  'message.flags': () => z.object({ id: messageIdSchema, flags: z.array(z.string()) }),
  /** Messages left a mailbox (expunged or moved away). */
  'message.expunged': () =>
    z.object({
      accountId: idSchema,
      mailbox: z.string(),
      uidValidity: z.string(),
      uids: z.array(z.int().check(z.positive())),
    }),
  /**
   * The mailbox's UIDVALIDITY changed (RFC 3501 §2.3.1.1): every cached identity, row and cursor
   * of it is stale. Drop them and list the mailbox again; counts follow in `counts`.
   */
  'mailbox.reset': () => z.object({ accountId: idSchema, mailbox: z.string(), uidValidity: z.string() }),
  /** The user's settings changed (from any browser). */
  'settings.changed': () => z.object({ settings: userSettingsSchema }),
});

export type EventType = keyof typeof events;
export type EventPayload<T extends EventType> = z.infer<(typeof events)[T]>;
export const EVENT_TYPES = Object.keys(events) as EventType[];

// ---------------------------------------------------------------- envelopes

const requestEnvelopeSchema = z.object({
  id: idSchema,
  type: z.string().check(z.maxLength(64)),
  params: z.optional(z.unknown()),
});

const responseEnvelopeSchema = z.union([
  z.object({ id: idSchema, result: z.unknown() }),
  z.object({ id: z.union([idSchema, z.null()]), error: wireErrorSchema }),
]);

const eventEnvelopeSchema = z.object({
  event: z.string().check(z.maxLength(64)),
  seq: z.int().check(z.nonnegative()),
  payload: z.unknown(),
});

const pingSchema = z.object({ ping: z.number() });
/** The relay's pongs carry its clock (epoch ms) in `serverTime`; older relays omit it. */
const pongSchema = z.object({ pong: z.number(), serverTime: z.optional(z.number()) });

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
  // Length in UTF-16 units is a lower bound of the UTF-8 size and 3x it an upper bound (a unit
  // is at most 3 UTF-8 bytes; a surrogate pair's 2 units are 4): only a frame between the two
  // bounds is encoded to count its bytes, not every reply (a 50-row page was 0.7 ms to encode).
  if (raw.length > maxBytes || (raw.length * 3 > maxBytes && new TextEncoder().encode(raw).byteLength > maxBytes)) {
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
  | { kind: 'pong'; pong: number; serverTime?: number };

/**
 * Client side: turns a JSON-parsed frame into a typed response, event or ping.
 * Response results stay `unknown` here; `parseResult(type, result)` checks them against the
 * request that was sent. Unknown events are an error (the relay is newer than the extension).
 */
export function parseServerFrame(value: unknown): ParseResult<ServerFrame> {
  const ping = pingSchema.safeParse(value);
  if (ping.success) return { ok: true, value: { kind: 'ping', ping: ping.data.ping } };
  const pong = pongSchema.safeParse(value);
  if (pong.success)
    return {
      ok: true,
      value: {
        kind: 'pong',
        pong: pong.data.pong,
        ...(pong.data.serverTime !== undefined ? { serverTime: pong.data.serverTime } : {}),
      },
    };
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

/** "field.path: message; …" for the first few issues, so a BAD_REQUEST names what was wrong. */
export function summarizeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

// ---------------------------------------------------------------- HTTP: pairing

export const pairRequestSchema = z.object({
  code: z.string().check(z.minLength(1), z.maxLength(64)),
  /** Shown in `devices list`, e.g. "Chrome on laptop". */
  label: z.optional(z.string().check(z.maxLength(Limits.maxNameLength))),
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
  /**
   * GET with query accountId, mailbox, uidValidity, uid, partId and header
   * `Authorization: Bearer <device token>` (and the paired Origin when one is sent; chrome.downloads
   * sends none): streams one attachment as
   * `application/octet-stream` with `Content-Disposition: attachment`.
   */
  attachment: '/v1/attachment',
} as const;
