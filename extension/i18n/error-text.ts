import type { ErrorCode } from '../../shared/index.js';
import type { Translate } from './i18n.js';

/**
 * Plain-language text for every wire error code, from `locales/<lang>/errors.json`: a short
 * label for the badge tooltip and the popup ("sign-in failed"), and a hint for the options page
 * that says what to do. Keys are `error_<CODE>_label` / `error_<CODE>_hint`; error-text.test.ts
 * fails when a code has no text in some language.
 *
 * The translator is a parameter so this module stays pure (unit tests pass testTranslator()).
 */
export function errorLabel(code: ErrorCode, t: Translate): string {
  return t(`error_${code}_label`);
}

/** What the user can do about a code. */
export function errorHint(code: ErrorCode, t: Translate): string {
  return t(`error_${code}_hint`);
}

/** Codes the popup explains in its own sentence (`popup_err*` in locales/<lang>/popup.json). */
const POPUP_SENTENCES: Partial<Record<ErrorCode, string>> = {
  UNREACHABLE: 'popup_errUnreachable',
  TIMEOUT: 'popup_errTimeout',
  NOT_FOUND: 'popup_errNotFound',
  STALE_UIDVALIDITY: 'popup_errStale',
  AUTH_FAILED: 'popup_errAuth',
  RATE_LIMITED: 'popup_errRateLimited',
  UNAUTHORIZED: 'popup_errUnauthorized',
};

/**
 * A sentence for the popup saying what went wrong and what to do: the popup's own sentence for
 * the codes it has one for, else the relay's message in the generic sentence.
 *
 * @example errorSentence({ code: 'TIMEOUT', message: 'slow' }, t) // "The mail server took too long…"
 */
export function errorSentence(error: { code?: ErrorCode; message: string }, t: Translate): string {
  const key = error.code === undefined ? undefined : POPUP_SENTENCES[error.code];
  return key ? t(key) : t('popup_errGeneric', error.message);
}
