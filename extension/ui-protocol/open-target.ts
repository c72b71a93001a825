/**
 * What a notification click asks the popup to show, carried in the popup's URL:
 *
 *   popup.html?open=<encodeURIComponent(JSON.stringify(MessageId))>   one message
 *   popup.html?account=<account id>                                   that account's inbox
 *
 * The background sets it with `action.setPopup` before `action.openPopup()` (Chrome 127+) or
 * opens it in a tab where that is unavailable; the popup reads it once on load with
 * `parseOpenTarget(location.search)`. Parsed with the shared schema: a URL is input like any other.
 */
import { z } from 'zod/mini';
import { messageIdSchema, type MessageId } from '../../shared/index.js';

export type OpenTarget = { accountId: string; message: MessageId | null };

/** The popup page with the target in its query, relative to the extension root. */
export function openTargetPath(target: OpenTarget): `popup.html?${string}` {
  return target.message
    ? `popup.html?open=${encodeURIComponent(JSON.stringify(target.message))}`
    : `popup.html?account=${encodeURIComponent(target.accountId)}`;
}

/** Reads `location.search`; null when there is no (valid) target. */
export function parseOpenTarget(search: string): OpenTarget | null {
  const query = new URLSearchParams(search);
  const open = query.get('open');
  if (open !== null) {
    let json: unknown;
    try {
      json = JSON.parse(open);
    } catch {
      return null;
    }
    const id = messageIdSchema.safeParse(json);
    return id.success ? { accountId: id.data.accountId, message: id.data } : null;
  }
  const account = z.string().check(z.minLength(1), z.maxLength(64)).safeParse(query.get('account'));
  return account.success ? { accountId: account.data, message: null } : null;
}

/**
 * What a health notification asks the options page to show (issue 8/9): the account's row, and
 * with `signInAgain` its "Sign in again" button (an OAuth2 account whose provider refused the
 * token). The background opens `options.html?account=<id>[&signInAgain=1]#accounts` in a tab.
 */
export type OptionsTarget = { accountId: string; signInAgain: boolean };

export function optionsTargetPath(target: OptionsTarget): `options.html?${string}` {
  const query = new URLSearchParams({ account: target.accountId });
  if (target.signInAgain) query.set('signInAgain', '1');
  return `options.html?${query.toString()}#accounts`;
}

/** Reads the options page's `location.search`; null when there is no (valid) target. */
export function parseOptionsTarget(search: string): OptionsTarget | null {
  const query = new URLSearchParams(search);
  const account = z.string().check(z.minLength(1), z.maxLength(64)).safeParse(query.get('account'));
  return account.success ? { accountId: account.data, signInAgain: query.get('signInAgain') === '1' } : null;
}
