/**
 * What a connection signs in with, obtained fresh for every login: a password (decrypted only
 * when needed) or an OAuth2 access token (refreshed when it is about to expire). Watchers and the
 * command connection depend on this interface only, so they treat password and OAuth2 accounts
 * alike.
 */

/** One login's secret. imapflow gets `{user, pass}` or `{user, accessToken}` (OAUTHBEARER, else XOAUTH2). */
export type ImapAuth = { kind: 'password'; password: string } | { kind: 'oauth2'; accessToken: string };

export interface ImapCredentials {
  /**
   * Credentials for the next login. Throws a TidingsError when none can be had: REAUTH_REQUIRED
   * (the provider refused a refresh: the user must sign in again), UNREACHABLE or TIMEOUT (the
   * token endpoint), OAUTH_NOT_CONFIGURED.
   */
  get(): Promise<ImapAuth>;
  /**
   * The IMAP server refused a login made with `used`. True when other credentials are available
   * now (a refreshed token), so one immediate retry may succeed; false when retrying cannot help.
   * Throws like `get()` when the refresh itself is refused.
   */
  refused(used: ImapAuth): Promise<boolean>;
}

/** Credentials of a password account; `password` is called per login so it stays encrypted at rest. */
export function passwordCredentials(password: () => string): ImapCredentials {
  return {
    get: async () => ({ kind: 'password', password: password() }),
    refused: async () => false,
  };
}
