/**
 * Error codes that cross the wire. Each is documented in one line in README.md ("Error codes").
 * Codes are data: one const map, a derived union type, and a declared retryable subset.
 */
export const ErrorCode = {
  /** The frame was not valid JSON. */
  INVALID_JSON: 'INVALID_JSON',
  /** The frame was JSON but did not match the protocol's schema. */
  BAD_REQUEST: 'BAD_REQUEST',
  /** The request type is not part of this protocol version. */
  UNKNOWN_TYPE: 'UNKNOWN_TYPE',
  /** The frame exceeded the relay's maximum frame size. */
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  /** The client speaks a protocol version the relay does not support. */
  UNSUPPORTED_PROTOCOL: 'UNSUPPORTED_PROTOCOL',
  /** A request was sent before a successful `hello`. */
  HELLO_REQUIRED: 'HELLO_REQUIRED',
  /** No `hello` arrived in time after the socket opened. */
  HELLO_TIMEOUT: 'HELLO_TIMEOUT',
  /** The device token is missing, wrong or revoked: pair again. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** The request's Origin is not the one the device was paired from. */
  ORIGIN_MISMATCH: 'ORIGIN_MISMATCH',
  /** Too many requests on this socket or from this address; slow down. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The pairing code is wrong, expired or already used. */
  PAIRING_INVALID: 'PAIRING_INVALID',
  /** The account, mailbox or message does not exist for this user. */
  NOT_FOUND: 'NOT_FOUND',
  /** The IMAP server rejected the username or password. */
  AUTH_FAILED: 'AUTH_FAILED',
  /** TLS could not be established or the certificate is not trusted. */
  TLS_FAILED: 'TLS_FAILED',
  /** The IMAP server could not be reached (DNS, refused, reset). */
  UNREACHABLE: 'UNREACHABLE',
  /** The IMAP server or the relay did not answer in time. */
  TIMEOUT: 'TIMEOUT',
  /** The IMAP server answered a command with NO or BAD. */
  IMAP_ERROR: 'IMAP_ERROR',
  /** The mailbox's UIDVALIDITY changed: the message identity is stale; reload the list. */
  STALE_UIDVALIDITY: 'STALE_UIDVALIDITY',
  /** The relay lost the events since the client's last seq: reload everything. */
  RESYNC_REQUIRED: 'RESYNC_REQUIRED',
  /**
   * The OAuth2 provider refused to renew the account's access (revoked, expired, consent
   * withdrawn): the user must sign in again; the relay does not retry until they do.
   */
  REAUTH_REQUIRED: 'REAUTH_REQUIRED',
  /** No OAuth2 client id is configured on the relay for this provider (docs/oauth.md). */
  OAUTH_NOT_CONFIGURED: 'OAUTH_NOT_CONFIGURED',
  /** The OAuth2 provider refused the sign-in (code expired or reused, denied, wrong client id or secret). */
  OAUTH_REFUSED: 'OAUTH_REFUSED',
  /** Something failed inside the relay; the relay log has details. */
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes after which the same request may succeed if retried later. */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.RATE_LIMITED,
  ErrorCode.UNREACHABLE,
  ErrorCode.TIMEOUT,
  ErrorCode.IMAP_ERROR,
  ErrorCode.INTERNAL,
]);

export function isRetryable(code: ErrorCode): boolean {
  return RETRYABLE_CODES.has(code);
}

export const ALL_ERROR_CODES = Object.values(ErrorCode) as ErrorCode[];

/** The one error class used on both sides; converted to a wire error at the socket boundary. */
export class TidingsError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TidingsError';
    this.code = code;
  }
}
