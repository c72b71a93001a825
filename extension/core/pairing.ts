import { httpErrorSchema, normalizePairingCode, pairResponseSchema, type PairRequest } from '../../shared/index.js';
import { errorHint } from '../i18n/error-text.js';
import type { Translate } from '../i18n/i18n.js';
import type { UiError } from '../ui-protocol/messages.js';

/** Characters in a pairing code once dashes and spaces are removed (`XXXX-XXXX`). */
export const PAIRING_CODE_LENGTH = 8;

/** How long the pairing POST may take; the relay answers from memory. */
export const PAIR_TIMEOUT_MS = 15_000;

/**
 * Checks and formats what the user typed as a pairing code: case, spaces and dashes do not
 * matter; the result is the canonical `XXXX-XXXX` the relay prints.
 */
export function checkPairingCode(
  input: string,
  t: Translate,
): { ok: true; code: string } | { ok: false; message: string } {
  const normalized = normalizePairingCode(input);
  if (normalized.length === 0) {
    return { ok: false, message: t('pairCode_empty') };
  }
  if (normalized.length !== PAIRING_CODE_LENGTH) {
    return { ok: false, message: t('pairCode_length', [String(PAIRING_CODE_LENGTH), String(normalized.length)]) };
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
  /** The browser's language, for the messages. */
  t: Translate;
  timeoutMs?: number;
}): Promise<PairOutcome> {
  const { pairUrl, relayUrl, code, label, t } = options;
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
    return {
      ok: false,
      error: {
        field: 'relayUrl',
        message: t(abort.signal.aborted ? 'pair_timeout' : 'pair_unreachable', relayUrl),
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
      error: { field: 'relayUrl', message: t('pair_notRelay', relayUrl) },
    };
  }
  const failure = httpErrorSchema.safeParse(json);
  if (!failure.success) {
    return {
      ok: false,
      error: { field: 'relayUrl', message: t('pair_httpStatus', [relayUrl, String(response.status)]) },
    };
  }
  const { code: errorCode, message } = failure.data.error;
  switch (errorCode) {
    case 'PAIRING_INVALID':
      return { ok: false, error: { field: 'code', message: errorHint('PAIRING_INVALID', t) } };
    case 'RATE_LIMITED':
      return { ok: false, error: { message: errorHint('RATE_LIMITED', t) } };
    case 'BAD_REQUEST':
      return { ok: false, error: { message: t('pair_badRequest', message) } };
    default:
      return { ok: false, error: { message: `${errorHint(errorCode, t)} (${errorCode}: ${message})` } };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
