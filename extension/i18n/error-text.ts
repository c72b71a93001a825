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
