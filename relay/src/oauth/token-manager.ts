/**
 * Access tokens of OAuth2 accounts: kept in memory only, refreshed with the account's refresh
 * token (stored encrypted in `secretEnc`) before they expire and once after the IMAP server
 * refused one. Refreshes are serialised per account: connections that need a token at the same
 * moment share one refresh (no stampede at the provider). A refresh the provider refuses
 * (`invalid_grant`: revoked, expired, consent withdrawn) puts the account into REAUTH_REQUIRED
 * until the user signs in again (a new `auth.signedInAt`); nothing retries it meanwhile.
 *
 * No token is ever logged or put in an error message.
 *
 * @example
 * const tokens = new OAuthTokens({ store, secretBox, log, overrides: {} });
 * const credentials = tokens.credentials(account.id); // → ImapCredentials for watchers
 */
import { ErrorCode, Limits, OAUTH_PROVIDERS, TidingsError } from '../../../shared/index.js';
import { accountSecretContext, type SecretBox } from '../crypto/secret-box.js';
import type { ImapAuth, ImapCredentials } from '../imap/credentials.js';
import type { Logger } from '../log.js';
import type { Account, Store } from '../store/types.js';
import { clientFields, resolveProvider, type OAuthEndpointOverrides } from './client-config.js';
import { requestToken, type TokenGrant } from './token-endpoint.js';

export interface OAuthTokensOptions {
  store: Store;
  secretBox: SecretBox;
  log: Logger;
  overrides: OAuthEndpointOverrides;
  now?: () => number;
  fetch?: typeof fetch;
}

/** An access token in memory, with what the provider said it grants (null: as requested). */
export interface FreshToken {
  accessToken: string;
  expiresAt: number;
  lifetimeMs: number;
  scope: string[] | null;
}

/** Per account and sign-in: a new sign-in (signedInAt) starts a fresh entry. */
interface Entry {
  signedInAt: number;
  token: FreshToken | null;
  refreshing: Promise<string> | null;
  /** Set once the provider refused a refresh; every later call throws it. */
  refused: TidingsError | null;
  refreshes: number;
}

export class OAuthTokens {
  readonly #entries = new Map<string, Entry>();
  readonly #o: OAuthTokensOptions;
  readonly #now: () => number;

  constructor(options: OAuthTokensOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** ImapCredentials of one OAuth2 account, for its watchers and command connections. */
  credentials(accountId: string): ImapCredentials {
    return {
      get: async () => ({ kind: 'oauth2', accessToken: await this.accessToken(accountId) }),
      refused: (used) => this.refused(accountId, used),
    };
  }

  /** Hands over the access token a sign-in just obtained, so the first login needs no refresh. */
  seed(account: Account, grant: TokenGrant): void {
    if (account.auth.kind !== 'oauth2') return;
    this.#entries.set(account.id, {
      signedInAt: account.auth.signedInAt,
      token: tokenOf(grant),
      refreshing: null,
      refused: null,
      refreshes: 0,
    });
  }

  /** Refreshes done for an account since its last sign-in (diagnostics and tests). */
  refreshCount(accountId: string): number {
    return this.#entries.get(accountId)?.refreshes ?? 0;
  }

  /** A valid access token, refreshed first when it is missing or about to expire. */
  async accessToken(accountId: string): Promise<string> {
    const { account, entry } = this.#entry(accountId);
    if (entry.refused) throw entry.refused;
    const token = entry.token;
    if (token && token.expiresAt - refreshMargin(token.lifetimeMs) > this.#now()) return token.accessToken;
    return this.#refresh(account, entry);
  }

  /**
   * The IMAP server refused `used`. When it is the current token, drop it and refresh (shared
   * with any refresh already running); true when a different token is now available.
   */
  async refused(accountId: string, used: ImapAuth): Promise<boolean> {
    if (used.kind !== 'oauth2') return false;
    const { account, entry } = this.#entry(accountId);
    if (entry.refused) throw entry.refused;
    if (entry.refreshing) {
      await entry.refreshing;
      return true;
    }
    if (entry.token && entry.token.accessToken !== used.accessToken) return true;
    entry.token = null;
    await this.#refresh(account, entry);
    return true;
  }

  /**
   * Renews the access token now, at the provider's token endpoint, for the diagnosis checklist
   * ("token endpoint reachable", "scopes granted"): shares a refresh already running, stores a
   * rotated refresh token, and a refusal puts the account into REAUTH_REQUIRED like any refresh.
   * `fetch` lets the caller apply the network reach policy to this request.
   */
  async renewNow(accountId: string, options: { fetch?: typeof fetch } = {}): Promise<FreshToken> {
    const { account, entry } = this.#entry(accountId);
    if (entry.refused) throw entry.refused;
    if (!entry.refreshing) entry.token = null;
    await this.#refresh(account, entry, options.fetch);
    if (!entry.token) throw new TidingsError(ErrorCode.INTERNAL, 'the renewed token went missing');
    return entry.token;
  }

  #entry(accountId: string): { account: Account; entry: Entry } {
    const account = this.#o.store.getAccount(accountId);
    if (!account) throw new TidingsError(ErrorCode.NOT_FOUND, 'no such account');
    if (account.auth.kind !== 'oauth2') throw new Error(`account ${accountId} does not sign in with OAuth2`);
    let entry = this.#entries.get(accountId);
    if (!entry || entry.signedInAt !== account.auth.signedInAt) {
      entry = { signedInAt: account.auth.signedInAt, token: null, refreshing: null, refused: null, refreshes: 0 };
      this.#entries.set(accountId, entry);
    }
    return { account, entry };
  }

  #refresh(account: Account, entry: Entry, fetchOverride?: typeof fetch): Promise<string> {
    if (entry.refreshing) return entry.refreshing;
    const running = this.#doRefresh(account, entry, fetchOverride).finally(() => {
      if (entry.refreshing === running) entry.refreshing = null;
    });
    entry.refreshing = running;
    return running;
  }

  async #doRefresh(account: Account, entry: Entry, fetchOverride?: typeof fetch): Promise<string> {
    const { store, secretBox, log } = this.#o;
    if (account.auth.kind !== 'oauth2') throw new Error('not an OAuth2 account');
    const info = OAUTH_PROVIDERS[account.auth.provider];
    const provider = resolveProvider({
      store,
      secretBox,
      userId: account.userId,
      provider: account.auth.provider,
      overrides: this.#o.overrides,
    });
    const refreshToken = secretBox.decrypt(account.secretEnc, accountSecretContext(account));
    const doFetch = fetchOverride ?? this.#o.fetch;
    const answer = await requestToken({
      url: provider.endpoints.token,
      form: { grant_type: 'refresh_token', refresh_token: refreshToken, ...clientFields(provider.client) },
      now: this.#now,
      ...(doFetch ? { fetch: doFetch } : {}),
    });
    if (!answer.ok) {
      log.warn('access token refresh refused', { accountId: account.id, error: answer.error });
      if (answer.error === 'invalid_grant') {
        entry.refused = new TidingsError(
          ErrorCode.REAUTH_REQUIRED,
          `${info.label.split(' (')[0]} no longer accepts this sign-in (it was revoked, expired or consent was withdrawn). Sign in again.`,
        );
        entry.token = null;
        throw entry.refused;
      }
      throw new TidingsError(
        ErrorCode.OAUTH_REFUSED,
        `The sign-in provider refused to renew access (${answer.error}); check the client id and secret on the relay.`,
      );
    }
    const grant = answer.value;
    // Providers may rotate refresh tokens (Microsoft does): keep the newest, encrypted. The
    // registry does not restart the account for this (its connection key uses signedInAt).
    if (grant.refreshToken !== null && grant.refreshToken !== refreshToken)
      store.updateAccount(account.id, {
        secretEnc: secretBox.encrypt(grant.refreshToken, accountSecretContext(account)),
      });
    entry.token = tokenOf(grant);
    entry.refreshes += 1;
    log.info('access token refreshed', { accountId: account.id, validForMs: grant.lifetimeMs });
    return grant.accessToken;
  }
}

function tokenOf(grant: TokenGrant): FreshToken {
  return {
    accessToken: grant.accessToken,
    expiresAt: grant.expiresAt,
    lifetimeMs: grant.lifetimeMs,
    scope: grant.scope,
  };
}

/** Refresh when less than this is left: Limits.oauthRefreshMarginMs, or a quarter of a short lifetime. */
function refreshMargin(lifetimeMs: number): number {
  return Math.min(Limits.oauthRefreshMarginMs, lifetimeMs / 4);
}
