import type { ErrorCode } from '../../shared/index.js';

/**
 * Plain-language text for every wire error code: a short `label` for the badge tooltip and the
 * popup ("sign-in failed"), and a `hint` for the options page that says what to do.
 * A `Record` over `ErrorCode`, so a new code fails to compile until it has text here.
 */
export const errorText: Record<ErrorCode, { label: string; hint: string }> = {
  INVALID_JSON: {
    label: 'garbled message',
    hint: 'The relay could not read a message from the extension. Update both.',
  },
  BAD_REQUEST: {
    label: 'rejected request',
    hint: 'The relay rejected a request. Make sure the extension and the relay are the same version.',
  },
  UNKNOWN_TYPE: { label: 'unknown request', hint: 'The relay does not know this request. Update the relay.' },
  FRAME_TOO_LARGE: { label: 'message too large', hint: 'A message was too large for the relay.' },
  UNSUPPORTED_PROTOCOL: {
    label: 'version mismatch',
    hint: 'The extension and the relay speak different protocol versions. Update whichever is older.',
  },
  HELLO_REQUIRED: { label: 'not signed in to relay', hint: 'The connection was not set up yet. Reconnect.' },
  HELLO_TIMEOUT: { label: 'relay handshake timed out', hint: 'The relay did not get a greeting in time. Reconnect.' },
  UNAUTHORIZED: { label: 'not paired', hint: 'The relay no longer accepts this browser. Pair again with a new code.' },
  ORIGIN_MISMATCH: {
    label: 'paired from another extension',
    hint: 'This device was paired from a different extension install. Pair again from here.',
  },
  RATE_LIMITED: { label: 'too many attempts', hint: 'Too many attempts in a short time. Wait a minute and try again.' },
  PAIRING_INVALID: {
    label: 'invalid pairing code',
    hint: 'That pairing code is wrong, expired or already used. Run `npm run relay -- pair` for a new one.',
  },
  NOT_FOUND: { label: 'not found', hint: 'The account or mailbox no longer exists on the relay.' },
  AUTH_FAILED: {
    label: 'sign-in failed',
    hint: 'The mail server rejected the username or password. Update the account on the relay.',
  },
  TLS_FAILED: {
    label: 'secure connection failed',
    hint: "The mail server's certificate was not trusted or TLS failed. Check the host, port and certificate settings on the relay.",
  },
  UNREACHABLE: {
    label: 'server unreachable',
    hint: 'The relay cannot reach the mail server. Check the host name, the port and the network of the relay machine.',
  },
  TIMEOUT: { label: 'timed out', hint: 'The server did not answer in time. The relay retries automatically.' },
  IMAP_ERROR: {
    label: 'server refused a command',
    hint: 'The mail server refused a command. The relay log has details.',
  },
  STALE_UIDVALIDITY: { label: 'mailbox changed', hint: 'The mailbox was rebuilt on the server. Reload it.' },
  RESYNC_REQUIRED: { label: 'needs reload', hint: 'The relay lost track of recent changes. Reconnect to reload.' },
  INTERNAL: { label: 'relay error', hint: 'Something failed inside the relay. The relay log has details.' },
};

/** Short label for a code, e.g. `sign-in failed`. */
export function errorLabel(code: ErrorCode): string {
  return errorText[code].label;
}

/** What the user can do about a code. */
export function errorHint(code: ErrorCode): string {
  return errorText[code].hint;
}
