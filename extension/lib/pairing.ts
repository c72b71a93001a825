import { httpErrorSchema, normalizePairingCode, pairResponseSchema, type PairRequest } from '../../shared/index.js';
import { errorHint } from './error-text.js';
import type { UiError } from './messages.js';

/** Characters in a pairing code once dashes and spaces are removed (`XXXX-XXXX`). */
export const PAIRING_CODE_LENGTH = 8;

/** How long the pairing POST may take; the relay answers from memory. */
export const PAIR_TIMEOUT_MS = 15_000;

/**
 * Checks and formats what the user typed as a pairing code: case, spaces and dashes do not
 * matter; the result is the canonical `XXXX-XXXX` the relay prints.
 */
export function checkPairingCode(input: string): { ok: true; code: string } | { ok: false; message: string } {
  const normalized = normalizePairingCode(input);
  if (normalized.length === 0) {
    return { ok: false, message: 'Enter the pairing code printed by `npm run relay -- pair`.' };
  }
  if (normalized.length !== PAIRING_CODE_LENGTH) {
    return {
      ok: false,
      message: `A pairing code has ${PAIRING_CODE_LENGTH} letters and digits, like ABCD-2345 (you typed ${normalized.length}).`,
    };
  }
  return { ok: true, code: `${normalized.slice(0, 4)}-${normalized.slice(4)}` };
}

export type PairOutcome = { ok: true; token: string; deviceId: string } | { ok: false; error: UiError };

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/**
 * Exchanges a pairing code for a device token: `POST <pairUrl>` with `{ code, label }`. The
 * browser adds the extension's Origin, which the relay pins the device to; the relay answers
 * CORS for extension origins, so no host permission is needed. Every failure comes back as a
 * message that says what to do, tied to the form field it concerns.
 */
export async function pairWithRelay(options: {
  pairUrl: string;
  /** Shown in messages, e.g. `ws://127.0.0.1:8787`. */
  relayUrl: string;
  code: string;
  label: string;
  fetch: FetchLike;
  timeoutMs?: number;
}): Promise<PairOutcome> {
  const { pairUrl, relayUrl, code, label } = options;
  const body: PairRequest = { code, label };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs ?? PAIR_TIMEOUT_MS);
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(pairUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: abort.signal,
      // The token must not end up in any HTTP cache.
      cache: 'no-store',
      credentials: 'omit',
    });
    text = await response.text();
  } catch {
    // fetch rejects with a bare TypeError for refused connections, DNS failures, TLS errors
    // and CORS refusals alike; the browser does not tell us which.
    const what = abort.signal.aborted ? 'did not answer in time' : 'could not be reached';
    return {
      ok: false,
      error: {
        field: 'relayUrl',
        message: `The relay at ${relayUrl} ${what}. Check that the relay is running (\`npm start\`) and that the address is right.`,
      },
    };
  } finally {
    clearTimeout(timer);
  }

  const json = safeJson(text);
  if (response.ok) {
    const parsed = pairResponseSchema.safeParse(json);
    if (parsed.success) return { ok: true, token: parsed.data.token, deviceId: parsed.data.deviceId };
    return {
      ok: false,
      error: {
        field: 'relayUrl',
        message: `The server at ${relayUrl} answered, but not like a Tidings relay. Check the address.`,
      },
    };
  }
  const failure = httpErrorSchema.safeParse(json);
  if (!failure.success) {
    return {
      ok: false,
      error: {
        field: 'relayUrl',
        message: `The server at ${relayUrl} answered HTTP ${response.status}. Is this the address of a Tidings relay?`,
      },
    };
  }
  const { code: errorCode, message } = failure.data.error;
  switch (errorCode) {
    case 'PAIRING_INVALID':
      return { ok: false, error: { field: 'code', message: errorHint('PAIRING_INVALID') } };
    case 'RATE_LIMITED':
      return { ok: false, error: { message: errorHint('RATE_LIMITED') } };
    case 'BAD_REQUEST':
      return {
        ok: false,
        error: {
          message: `The relay rejected the request (${message}). Make sure the extension and the relay are the same version.`,
        },
      };
    default:
      return { ok: false, error: { message: `${errorHint(errorCode)} (${errorCode}: ${message})` } };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
