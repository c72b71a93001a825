/**
 * What the options page's state classes share: the proxied relay call they are given, how a
 * failure is shown, and load/save states.
 */
import type {
  ErrorCode,
  OAuthAdvice,
  RequestParams,
  RequestResult,
  RequestType,
  ServerEvent,
} from '../../shared/index.js';
import { errorHint } from '../i18n/error-text.js';
import type { Translate } from '../i18n/i18n.js';
import { OAuthSignIn } from './oauth-sign-in.svelte.js';

/** How a proxied relay call ended. `code` is the relay's error code when there is one. */
export type CallResult<R> = { ok: true; result: R } | { ok: false; error: { code?: ErrorCode; message: string } };

export type RelayCall = <T extends RequestType>(
  type: T,
  params: RequestParams<T>,
) => Promise<CallResult<RequestResult<T>>>;

export interface OptionsDeps {
  call: RelayCall;
  /** Relay events forwarded by the background; returns the unsubscribe function. */
  subscribe: (listener: (event: ServerEvent) => void) => () => void;
  t: Translate;
  /** The browser's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`). */
  timeZone: () => string;
  now: () => number;
  /** browser.identity for the Google sign-in window (issue 9); absent where unavailable. */
  identity?: {
    launchWebAuthFlow: (url: string) => Promise<string>;
    redirectUrl: () => string;
  };
}

/** An OAuthSignIn wired to the page's relay proxy and browser.identity. */
export function createSignIn(d: OptionsDeps, provider: OAuthAdvice['provider']): OAuthSignIn {
  const missing = () => {
    throw new Error('browser.identity is not available here');
  };
  return new OAuthSignIn(
    {
      call: d.call,
      t: d.t,
      now: d.now,
      launchWebAuthFlow: d.identity?.launchWebAuthFlow ?? (async () => missing()),
      redirectUrl: d.identity?.redirectUrl ?? missing,
    },
    provider,
  );
}

/** A failure to show: what happened and what to do, in the user's language, plus the relay's words. */
export interface ShownError {
  code: ErrorCode | null;
  message: string;
  technical: string | null;
}

export type LoadState = 'idle' | 'loading' | 'ready' | 'error';
export type SaveState = 'idle' | 'saving' | 'saved' | 'error';

export function unique<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => values.indexOf(v) === i);
}

export function shownError(error: { code?: ErrorCode; message: string }, t: Translate): ShownError {
  return error.code
    ? { code: error.code, message: errorHint(error.code, t), technical: `${error.code}: ${error.message}` }
    : { code: null, message: error.message, technical: null };
}
