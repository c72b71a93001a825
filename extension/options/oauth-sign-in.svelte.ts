/**
 * One OAuth2 sign-in from the options page (issue 9), as a state machine the component renders:
 *
 * - Microsoft (device code): the relay asks the provider for a code; we show the code and the
 *   link, and poll the relay until the user has entered it (the relay polls the provider).
 * - Google (authorization code + PKCE): the relay gives the authorization parameters; we make a
 *   code verifier, open the provider's page with `launchWebAuthFlow` (injected: components and
 *   this class never touch `browser.*`), check `state`, and hand code + verifier to the relay,
 *   which redeems them. Tokens never reach the extension.
 *
 * With `accountId` the same flow is "Sign in again" for an account in REAUTH_REQUIRED.
 */
import {
  OAUTH_PROVIDERS,
  oauthImapServer,
  type Diagnosis,
  type ErrorCode,
  type OAuthProviderId,
  type RequestParams,
  type ServerSettingsWire,
} from '../../shared/index.js';
import { errorHint } from '../i18n/error-text.js';
import type { Translate } from '../i18n/i18n.js';
import type { RelayCall } from './options-common.js';

export interface OAuthSignInDeps {
  call: RelayCall;
  t: Translate;
  now: () => number;
  /** `browser.identity.launchWebAuthFlow({ url, interactive: true })`; resolves with the redirect URL. */
  launchWebAuthFlow: (url: string) => Promise<string>;
  /** `browser.identity.getRedirectURL()`: https://<extension-id>.chromiumapp.org/ */
  redirectUrl: () => string;
  /** Waits between device-code polls (injected so tests need not sleep). */
  sleep?: (ms: number) => Promise<void>;
  /** Random bytes for the PKCE verifier and `state` (crypto.getRandomValues). */
  randomBytes?: (n: number) => Uint8Array;
}

export type SignInState =
  | { status: 'idle' }
  | { status: 'starting' }
  | { status: 'device'; userCode: string; verificationUri: string; expiresAt: number }
  | { status: 'browser' }
  | { status: 'redeeming' }
  | { status: 'done'; accountId: string }
  | {
      status: 'failed';
      code: ErrorCode | null;
      message: string;
      technical: string | null;
      /** The checklist a token failed (scopes granted, token accepted by IMAP), when it got that far. */
      check?: SignInCheck;
    };

/** What DiagnosisChecklist needs to show a failed sign-in's checklist. */
export interface SignInCheck {
  diagnosis: Diagnosis;
  settings: ServerSettingsWire;
  provider: OAuthProviderId;
  at: number;
}

const POLL_MS = 2_000;

export class OAuthSignIn {
  state = $state<SignInState>({ status: 'idle' });
  readonly provider: OAuthProviderId;
  readonly #d: OAuthSignInDeps;
  #cancelled = false;
  /** The server the sign-in checks the token against (for the failed checklist). */
  #settings: ServerSettingsWire | null = null;

  constructor(deps: OAuthSignInDeps, provider: OAuthProviderId) {
    this.#d = deps;
    this.provider = provider;
  }

  get busy(): boolean {
    const s = this.state.status;
    return s === 'starting' || s === 'device' || s === 'browser' || s === 'redeeming';
  }

  /** Stops waiting (the relay's flow expires by itself). */
  cancel(): void {
    this.#cancelled = true;
    if (this.busy) this.state = { status: 'idle' };
  }

  /** Runs the whole sign-in; resolves with the account id, or null when it failed or was cancelled. */
  async start(options: {
    email: string;
    accountId?: string;
    name?: string;
    server?: RequestParams<'accounts.oauth.start'>['server'];
  }): Promise<string | null> {
    this.#cancelled = false;
    this.state = { status: 'starting' };
    const server = options.server ?? { ...oauthImapServer(OAUTH_PROVIDERS[this.provider]), pinnedFingerprint: null };
    this.#settings = {
      host: server.host,
      port: server.port,
      security: server.security,
      username: options.email,
      pinnedFingerprint: server.pinnedFingerprint ?? null,
    };
    const started = await this.#d.call('accounts.oauth.start', {
      provider: this.provider,
      email: options.email,
      ...(options.accountId ? { accountId: options.accountId } : {}),
      ...(options.name ? { name: options.name } : {}),
      ...(options.server ? { server: options.server } : {}),
    });
    if (!started.ok) return this.#fail(started.error);
    if (this.#cancelled) return null;
    const flow = started.result;
    if (flow.flow === 'device-code') {
      this.state = {
        status: 'device',
        userCode: flow.userCode,
        verificationUri: flow.verificationUriComplete ?? flow.verificationUri,
        expiresAt: flow.expiresAt,
      };
      return this.#pollDevice(flow.flowId);
    }
    return this.#runBrowserFlow(flow);
  }

  async #pollDevice(flowId: string): Promise<string | null> {
    const sleep = this.#d.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (;;) {
      await sleep(POLL_MS);
      if (this.#cancelled) return null;
      const r = await this.#d.call('accounts.oauth.poll', { flowId });
      if (this.#cancelled) return null;
      if (!r.ok) return this.#fail(r.error);
      if (r.result.status === 'done') return this.#done(r.result.accountId);
      if (r.result.status === 'failed') return this.#fail(r.result.error, undefined, r.result.diagnosis);
    }
  }

  async #runBrowserFlow(flow: {
    flowId: string;
    authorizationEndpoint: string;
    clientId: string;
    scope: string;
    params: Record<string, string>;
  }): Promise<string | null> {
    const verifier = base64url(this.#random(32));
    const state = base64url(this.#random(16));
    const challenge = base64url(
      new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))),
    );
    const redirectUri = this.#d.redirectUrl();
    const query: Record<string, string> = {
      ...flow.params,
      client_id: flow.clientId,
      scope: flow.scope,
      redirect_uri: redirectUri,
      response_type: 'code',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const endpoint = flow.authorizationEndpoint;
    const encoded = Object.entries(query)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
      .join('&');
    const url = `${endpoint}${endpoint.includes('?') ? '&' : '?'}${encoded}`;
    this.state = { status: 'browser' };
    let redirected: URL;
    try {
      // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local value parsed once, not reactive state
      redirected = new URL(await this.#d.launchWebAuthFlow(url));
    } catch (err) {
      // "The user did not approve access." when the window was closed.
      if (this.#cancelled) return null;
      return this.#fail({ message: err instanceof Error ? err.message : String(err) }, this.#d.t('opt_oauth_closed'));
    }
    if (this.#cancelled) return null;
    const error = redirected.searchParams.get('error');
    if (error) return this.#fail({ code: 'OAUTH_REFUSED', message: error });
    const code = redirected.searchParams.get('code');
    // RFC 6749 §10.12: a redirect whose state is not ours is not our sign-in.
    if (!code || redirected.searchParams.get('state') !== state)
      return this.#fail({ code: 'OAUTH_REFUSED', message: 'the redirect carried no code or a wrong state' });
    this.state = { status: 'redeeming' };
    const r = await this.#d.call('accounts.oauth.redeem', {
      flowId: flow.flowId,
      code,
      codeVerifier: verifier,
      redirectUri,
    });
    if (!r.ok) {
      // A token that failed the checklist left it on the flow: fetch it to show why.
      const polled = r.error.code ? await this.#d.call('accounts.oauth.poll', { flowId: flow.flowId }) : null;
      const diagnosis = polled?.ok && polled.result.status === 'failed' ? polled.result.diagnosis : undefined;
      return this.#fail(r.error, undefined, diagnosis);
    }
    return this.#done(r.result.accountId);
  }

  #random(n: number): Uint8Array {
    return this.#d.randomBytes ? this.#d.randomBytes(n) : crypto.getRandomValues(new Uint8Array(n));
  }

  #done(accountId: string): string {
    this.state = { status: 'done', accountId };
    return accountId;
  }

  #fail(error: { code?: ErrorCode; message: string }, message?: string, diagnosis?: Diagnosis): null {
    const { t } = this.#d;
    const settings = this.#settings;
    this.state = {
      status: 'failed',
      code: error.code ?? null,
      message: message ?? (error.code ? errorHint(error.code, t) : error.message),
      technical: error.code ? `${error.code}: ${error.message}` : error.message,
      ...(diagnosis && settings ? { check: { diagnosis, settings, provider: this.provider, at: this.#d.now() } } : {}),
    };
    return null;
  }
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
