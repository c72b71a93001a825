/**
 * OAuth2 sign-in flows that work with a relay on another machine (issue 9):
 *
 * - device code (Microsoft, RFC 8628): `start` asks the provider for a user code, then polls the
 *   token endpoint in the background at the provider's interval until the user has entered it;
 *   the options page watches with `poll`.
 * - authorization code + PKCE (Google): `start` returns what the extension needs for
 *   launchWebAuthFlow; the extension keeps the code verifier and hands code + verifier to
 *   `redeem`, which exchanges them at the token endpoint.
 *
 * Either way the relay then checks the grant (refresh token present, IMAP scope granted), signs
 * in to IMAP with the access token (the diagnosis), and saves the account with its refresh token
 * encrypted — or, for a "sign in again", replaces the refresh token of the existing account.
 * Flows live in memory: a relay restart cancels them (the user starts again).
 */
import { randomBytes } from 'node:crypto';
import {
  ErrorCode,
  Limits,
  OAUTH_PROVIDERS,
  oauthImapServer,
  TidingsError,
  type Diagnosis,
  type OAuthProviderId,
  type OAuthServer,
  type OAuthStartResult,
  type RequestParams,
  type WireError,
} from '../../../shared/index.js';
import type { AccountRegistry } from '../accounts/account-registry.js';
import { accountSecretContext, type SecretBox } from '../crypto/secret-box.js';
import type { ReachPolicy } from '../net/reach-policy.js';
import { newRecordId } from '../store/ids.js';
import type { Logger } from '../log.js';
import { checkWithToken } from '../setup/diagnose-account.js';
import type { Store } from '../store/types.js';
import { clientFields, resolveProvider, type OAuthEndpointOverrides } from './client-config.js';
import { requestDeviceCode, requestToken, type TokenGrant } from './token-endpoint.js';
import type { OAuthTokens } from './token-manager.js';
import { sleep } from '../util/sleep.js';

export interface SignInFlowsOptions {
  store: Store;
  secretBox: SecretBox;
  tokens: OAuthTokens;
  accounts: AccountRegistry;
  log: Logger;
  overrides: OAuthEndpointOverrides;
  /** Which addresses the relay may connect to for users (the IMAP check before saving). */
  reach: ReachPolicy;
  now?: () => number;
  fetch?: typeof fetch;
}

type FlowStatus =
  | { status: 'pending' }
  | { status: 'done'; accountId: string }
  | { status: 'failed'; error: WireError; diagnosis?: Diagnosis };

/** A sign-in whose token did not pass the checklist; carries the checklist to show (issue 9). */
class CheckFailed extends TidingsError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly diagnosis: Diagnosis,
  ) {
    super(code, message);
  }
}

/** The failed state of a flow, with the checklist when the token got that far. */
function failedState(e: TidingsError): Extract<FlowStatus, { status: 'failed' }> {
  return {
    status: 'failed',
    error: { code: e.code, message: e.message },
    ...(e instanceof CheckFailed ? { diagnosis: e.diagnosis } : {}),
  };
}

interface Flow {
  id: string;
  userId: string;
  provider: OAuthProviderId;
  kind: 'device-code' | 'authorization-code-pkce';
  email: string;
  /** Set for "sign in again": the account whose refresh token is replaced. */
  accountId: string | null;
  server: OAuthServer;
  name: string;
  color: string | null;
  expiresAt: number;
  state: FlowStatus;
  abort: AbortController;
}

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export class SignInFlows {
  readonly #flows = new Map<string, Flow>();
  readonly #o: SignInFlowsOptions;
  readonly #now: () => number;
  #lastSignIn = 0;

  constructor(options: SignInFlowsOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  async start(userId: string, params: RequestParams<'accounts.oauth.start'>): Promise<OAuthStartResult> {
    const { store, secretBox } = this.#o;
    const info = OAUTH_PROVIDERS[params.provider];
    let email = params.email.trim();
    let accountId: string | null = null;
    let server: OAuthServer = params.server ?? { ...oauthImapServer(info), pinnedFingerprint: null };
    let name = params.name?.trim() || email;
    let color = params.color ?? null;
    if (params.accountId !== undefined) {
      const account = store.getAccount(params.accountId);
      if (!account || account.userId !== userId) throw new TidingsError(ErrorCode.NOT_FOUND, 'no such account');
      accountId = account.id;
      email = account.username;
      name = account.name;
      color = account.color;
      server = {
        host: account.host,
        port: account.port,
        security: account.security === 'starttls' ? 'starttls' : 'tls',
        pinnedFingerprint: account.pinnedFingerprint,
      };
    }
    const provider = resolveProvider({
      store,
      secretBox,
      userId,
      provider: params.provider,
      overrides: this.#o.overrides,
    });
    const flow: Flow = {
      id: randomBytes(12).toString('base64url'),
      userId,
      provider: info.id,
      kind: info.flow,
      email,
      accountId,
      server,
      name,
      color,
      expiresAt: this.#now() + Limits.oauthFlowTtlMs,
      state: { status: 'pending' },
      abort: new AbortController(),
    };
    const scope = info.scopes.join(' ');

    if (info.flow === 'authorization-code-pkce') {
      const authorizationEndpoint = provider.endpoints.authorization;
      if (authorizationEndpoint === null) throw new Error(`${info.id} has no authorization endpoint`);
      this.#add(flow);
      return {
        flow: 'authorization-code-pkce',
        flowId: flow.id,
        authorizationEndpoint,
        clientId: provider.client.clientId,
        scope,
        params: { ...info.authorizationParams, login_hint: email },
        expiresAt: flow.expiresAt,
      };
    }

    const deviceEndpoint = provider.endpoints.deviceAuthorization;
    if (deviceEndpoint === null) throw new Error(`${info.id} has no device authorization endpoint`);
    const answer = await requestDeviceCode({
      url: deviceEndpoint,
      form: { ...clientFields(provider.client), scope },
      now: this.#now,
      ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
    });
    if (!answer.ok)
      throw new TidingsError(
        ErrorCode.OAUTH_REFUSED,
        `${info.label.split(' (')[0]} refused to start the sign-in (${answer.error}). Check the client id and that "Allow public client flows" is on (docs/oauth.md).`,
      );
    const device = answer.value;
    flow.expiresAt = device.expiresAt;
    this.#add(flow);
    void this.#pollDevice(flow, device.deviceCode, device.intervalMs);
    return {
      flow: 'device-code',
      flowId: flow.id,
      userCode: device.userCode,
      verificationUri: device.verificationUri,
      verificationUriComplete: device.verificationUriComplete,
      expiresAt: device.expiresAt,
    };
  }

  /** The state of one of the user's flows; another user's flow id is NOT_FOUND. */
  poll(userId: string, flowId: string): FlowPoll {
    const flow = this.#flows.get(flowId);
    if (!flow || flow.userId !== userId)
      throw new TidingsError(ErrorCode.NOT_FOUND, 'no such sign-in (it may have expired)');
    return flow.state.status === 'pending' ? { status: 'pending', expiresAt: flow.expiresAt } : flow.state;
  }

  async redeem(userId: string, params: RequestParams<'accounts.oauth.redeem'>, signal?: AbortSignal): Promise<string> {
    const flow = this.#flows.get(params.flowId);
    if (!flow || flow.userId !== userId || flow.kind !== 'authorization-code-pkce')
      throw new TidingsError(ErrorCode.NOT_FOUND, 'no such sign-in (it may have expired)');
    if (flow.state.status !== 'pending')
      throw new TidingsError(ErrorCode.BAD_REQUEST, 'this sign-in is already finished');
    if (flow.expiresAt < this.#now())
      throw new TidingsError(ErrorCode.OAUTH_REFUSED, 'the sign-in took too long; start again');
    const { store, secretBox } = this.#o;
    const provider = resolveProvider({
      store,
      secretBox,
      userId,
      provider: flow.provider,
      overrides: this.#o.overrides,
    });
    const answer = await requestToken({
      url: provider.endpoints.token,
      form: {
        grant_type: 'authorization_code',
        code: params.code,
        redirect_uri: params.redirectUri,
        code_verifier: params.codeVerifier,
        ...clientFields(provider.client),
      },
      now: this.#now,
      ...(signal ? { signal } : {}),
      ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
    });
    if (!answer.ok) {
      const error: WireError = {
        code: ErrorCode.OAUTH_REFUSED,
        message: `The sign-in provider refused the authorization code (${answer.error}); start the sign-in again.`,
      };
      flow.state = { status: 'failed', error };
      throw new TidingsError(error.code, error.message);
    }
    try {
      const accountId = await this.#finish(flow, answer.value, signal);
      flow.state = { status: 'done', accountId };
      return accountId;
    } catch (err) {
      const e = err instanceof TidingsError ? err : new TidingsError(ErrorCode.INTERNAL, 'saving the account failed');
      flow.state = failedState(e);
      throw e;
    }
  }

  /** Cancels every running flow (relay shutdown). */
  stopAll(): void {
    for (const flow of this.#flows.values()) flow.abort.abort();
    this.#flows.clear();
  }

  #add(flow: Flow): void {
    // Drop finished or expired flows, and the user's oldest beyond the per-user cap.
    const now = this.#now();
    for (const [id, f] of this.#flows) {
      if (f.expiresAt + Limits.oauthFlowTtlMs < now) {
        f.abort.abort();
        this.#flows.delete(id);
      }
    }
    const mine = [...this.#flows.values()].filter((f) => f.userId === flow.userId);
    for (const old of mine.slice(0, Math.max(0, mine.length - Limits.oauthFlowsPerUser + 1))) {
      old.abort.abort();
      this.#flows.delete(old.id);
    }
    this.#flows.set(flow.id, flow);
  }

  async #pollDevice(flow: Flow, deviceCode: string, intervalMs: number): Promise<void> {
    const { store, secretBox, log } = this.#o;
    const signal = flow.abort.signal;
    let interval = intervalMs;
    const fail = (code: ErrorCode, message: string) => {
      flow.state = { status: 'failed', error: { code, message } };
    };
    while (!signal.aborted) {
      await sleep(interval, signal);
      if (signal.aborted) return;
      if (flow.expiresAt < this.#now())
        return fail(ErrorCode.OAUTH_REFUSED, 'The code expired before it was entered; start again.');
      try {
        const provider = resolveProvider({
          store,
          secretBox,
          userId: flow.userId,
          provider: flow.provider,
          overrides: this.#o.overrides,
        });
        const answer = await requestToken({
          url: provider.endpoints.token,
          form: { grant_type: DEVICE_CODE_GRANT, device_code: deviceCode, ...clientFields(provider.client) },
          signal,
          now: this.#now,
          ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
        });
        if (!answer.ok) {
          // RFC 8628 §3.5
          if (answer.error === 'authorization_pending') continue;
          if (answer.error === 'slow_down') {
            interval += 5_000;
            continue;
          }
          if (answer.error === 'access_denied') return fail(ErrorCode.OAUTH_REFUSED, 'The sign-in was declined.');
          if (answer.error === 'expired_token')
            return fail(ErrorCode.OAUTH_REFUSED, 'The code expired before it was entered; start again.');
          return fail(ErrorCode.OAUTH_REFUSED, `The sign-in provider refused the sign-in (${answer.error}).`);
        }
        const accountId = await this.#finish(flow, answer.value, signal);
        flow.state = { status: 'done', accountId };
        return;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof TidingsError && (err.code === ErrorCode.UNREACHABLE || err.code === ErrorCode.TIMEOUT)) {
          // The provider is briefly unreachable: keep polling until the code expires.
          log.warn('device-code poll failed; retrying', { code: err.code });
          continue;
        }
        const e = err instanceof TidingsError ? err : new TidingsError(ErrorCode.INTERNAL, 'saving the account failed');
        if (!(err instanceof TidingsError)) log.error('device-code sign-in failed', { err });
        flow.state = failedState(e);
        return;
      }
    }
  }

  /**
   * Checks the grant, signs in to IMAP with it, then saves the account (or its new refresh token)
   * and starts it. Returns the account id.
   */
  async #finish(flow: Flow, grant: TokenGrant, signal?: AbortSignal): Promise<string> {
    const { store, secretBox, tokens, accounts, log } = this.#o;
    const info = OAUTH_PROVIDERS[flow.provider];
    if (grant.refreshToken === null)
      throw new TidingsError(
        ErrorCode.OAUTH_REFUSED,
        'The provider granted no refresh token, so access would end within the hour. Sign in again (and allow offline access).',
      );
    // The checklist with the token steps: scopes granted, then the IMAP sign-in with the token.
    const { failure, trust, diagnosis } = await checkWithToken({
      info,
      token: grant,
      tokenMs: null,
      settings: { ...flow.server, username: flow.email },
      caPem: null,
      mailboxes: ['INBOX'],
      reach: this.#o.reach,
      ...(signal ? { signal } : {}),
      log,
      now: this.#now,
    });
    if (failure) throw new CheckFailed(failure.code, failure.message, diagnosis);
    const refreshToken = grant.refreshToken;
    // A strictly increasing sign-in time: the registry restarts the account on a new one.
    const signedInAt = Math.max(this.#now(), this.#lastSignIn + 1);
    this.#lastSignIn = signedInAt;
    const auth = { kind: 'oauth2', provider: flow.provider, signedInAt } as const;
    // The refresh token is bound to its row like a password (user, account id, host, username).
    const owner = {
      userId: flow.userId,
      id: flow.accountId ?? newRecordId(),
      host: flow.server.host,
      username: flow.email,
    };
    const secretEnc = secretBox.encrypt(refreshToken, accountSecretContext(owner));
    let account;
    if (flow.accountId !== null) {
      account = store.updateAccount(flow.accountId, { secretEnc, auth });
      if (!account) throw new TidingsError(ErrorCode.NOT_FOUND, 'the account was removed meanwhile');
      log.info('account signed in again', { accountId: account.id, provider: flow.provider });
    } else {
      account = store.createAccount({
        id: owner.id,
        userId: flow.userId,
        name: flow.name,
        host: flow.server.host,
        port: flow.server.port,
        security: flow.server.security,
        username: flow.email,
        secretEnc,
        watchedMailboxes: ['INBOX'],
        pinnedFingerprint: trust.pinnedFingerprint,
        caPem: trust.caPem,
        color: flow.color,
        auth,
      });
      log.info('account added', { accountId: account.id, host: account.host, provider: flow.provider });
    }
    tokens.seed(account, grant);
    await accounts.sync();
    return account.id;
  }
}

export type FlowPoll = { status: 'pending'; expiresAt: number } | Exclude<FlowStatus, { status: 'pending' }>;
