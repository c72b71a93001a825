import { ErrorCode, TidingsError } from '../../../shared/index.js';

export interface ClassifiedError {
  code: ErrorCode;
  /** What happened, in plain words; safe to show (never contains the password). */
  message: string;
  /** What the user can do about it. */
  hint: string;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'EPROTO',
  'ERR_SSL_WRONG_VERSION_NUMBER',
]);
const NET_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'NoConnection',
  'ClosedAfterConnectTLS',
  'ClosedAfterConnectText',
]);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null && name in err ? (err as Record<string, unknown>)[name] : undefined;
}

/**
 * Maps whatever imapflow, node:net or node:tls threw to one protocol error code with a message
 * and a hint for the user. Unknown failures become IMAP_ERROR (retryable), never a crash.
 */
export function classifyImapError(err: unknown): ClassifiedError {
  if (err instanceof TidingsError) return { code: err.code, message: err.message, hint: '' };
  const code = String(field(err, 'code') ?? '');
  const message = err instanceof Error ? err.message : String(err);
  const response = String(field(err, 'responseText') ?? field(err, 'serverResponseCode') ?? '');
  if (code === 'EREACHPOLICY') {
    // The relay's network reach policy refused the address (relay/src/net/reach-policy.ts).
    return {
      code: ErrorCode.UNREACHABLE,
      message,
      hint: "Use the server's public name. Private-network servers need the relay's operator to allow them (--allow-private-networks).",
    };
  }
  if (field(err, 'authenticationFailed') === true) {
    return {
      code: ErrorCode.AUTH_FAILED,
      message: `The server rejected the sign-in${response ? `: ${response}` : ''}.`,
      hint: 'Check the username and password. Gmail, iCloud, Yahoo and Outlook need an app password when two-step verification is on.',
    };
  }
  if (field(err, 'tlsFailed') === true || TLS_CODES.has(code) || /certificate|SSL|TLS/i.test(message)) {
    return {
      code: ErrorCode.TLS_FAILED,
      message: `A secure connection could not be established: ${message}`,
      hint:
        code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? 'The certificate is for another host name: use the host name the certificate names.'
          : 'If this server uses a self-signed certificate, pin its fingerprint or add its CA (--ca-file). Tidings never falls back to plaintext.',
    };
  }
  if (TIMEOUT_CODES.has(code)) {
    return {
      code: ErrorCode.TIMEOUT,
      message: `The server did not answer in time (${code}).`,
      hint: 'Check the host and port, and whether a firewall drops the connection.',
    };
  }
  if (NET_CODES.has(code)) {
    return {
      code: ErrorCode.UNREACHABLE,
      message:
        code === 'ENOTFOUND'
          ? 'The server name could not be found (DNS).'
          : `The server could not be reached (${code}).`,
      hint: 'Check the host name and port, and that the relay machine can reach the server.',
    };
  }
  return {
    code: ErrorCode.IMAP_ERROR,
    message: `The IMAP server reported an error: ${message}`,
    hint: 'Try again later; if it persists, run `npm run relay -- accounts test <id>`.',
  };
}
