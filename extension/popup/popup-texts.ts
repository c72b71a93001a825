/**
 * The sentences the popup shows in toasts and inline errors: what an action did ("3 messages
 * archived"), why it failed, and what a relay error means for the user. Pure: the translator
 * and the number format are passed in.
 */
import type { ErrorCode, MailAction, WireError } from '../../shared/index.js';
import type { Translate } from '../i18n/i18n.js';
import { errorSentence } from '../i18n/error-text.js';
import { plural } from '../i18n/plural.js';

/**
 * @example
 * const texts = new PopupTexts({ t, formatNumber });
 * texts.action({ kind: 'archive' }, 3); // "3 messages archived"
 */
export class PopupTexts {
  readonly #t: Translate;
  readonly #formatNumber: (n: number) => string;

  constructor(options: { t: Translate; formatNumber?: (n: number) => string }) {
    this.#t = options.t;
    this.#formatNumber = options.formatNumber ?? String;
  }

  /** A translated text by key (the popup's parts share one translator). */
  t(key: string, substitutions?: string | string[]): string {
    return this.#t(key, substitutions);
  }

  /** What an archive/delete/junk/move of `n` messages did, for the undo toast. */
  action(action: MailAction, n: number): string {
    const t = this.#t;
    const c = this.#formatNumber(n);
    switch (action.kind) {
      case 'archive':
        return plural(t, 'popup_toastArchived', n, c);
      case 'delete':
        return plural(t, 'popup_toastDeleted', n, c);
      case 'junk':
        return plural(t, 'popup_toastJunk', n, c);
      case 'move':
        return plural(t, 'popup_toastMoved', n, c, action.to);
      default:
        return '';
    }
  }

  /** Why an action failed, with the relay's reason when there is one. */
  failure(action: MailAction, error: WireError | null): string {
    const t = this.#t;
    const reason = error ? this.error(error) : t('popup_errUnknown');
    switch (action.kind) {
      case 'archive':
        return t('popup_failArchive', reason);
      case 'delete':
        return t('popup_failDelete', reason);
      case 'junk':
        return t('popup_failJunk', reason);
      case 'move':
        return t('popup_failMove', reason);
      case 'seen':
        return t('popup_failRead', reason);
      case 'flagged':
        return t('popup_failFlag', reason);
    }
  }

  /** A sentence saying what went wrong and what to do, for a relay error (i18n/error-text.ts). */
  error(error: { code?: ErrorCode; message: string }): string {
    return errorSentence(error, this.#t);
  }
}
