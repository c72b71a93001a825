/**
 * OAuth2 sign-in for IMAP, as data: one entry per provider with its flow, endpoints, scopes, IMAP
 * server and the mail domains it serves. Adding Fastmail or Yahoo later is a new entry here, not
 * new code (issue 9). The relay may override the endpoints (TIDINGS_OAUTH_ENDPOINTS; tests point
 * them at a local provider); the extension only reads ids, labels and flows.
 *
 * Client ids are the user's own (Google's full-mail scope is restricted, see docs/oauth.md): no
 * client id ships here.
 *
 * @example
 * const p = OAUTH_PROVIDERS.microsoft;
 * p.flow; // 'device-code'
 * oauthProviderForDomain('hotmail.com')?.id; // 'microsoft'
 */
import { z } from 'zod/mini';
import { knownProvider, providerOfDomain, providerOfHost, type KnownProviderId } from './providers.js';

export const OAUTH_PROVIDER_IDS = ['google', 'microsoft'] as const;
export const oauthProviderIdSchema = z.enum(OAUTH_PROVIDER_IDS);
export type OAuthProviderId = z.infer<typeof oauthProviderIdSchema>;

/**
 * How the user grants access:
 * - `device-code` (RFC 8628): the relay asks for a code, the user types it at the provider's page
 *   on any device, the relay polls the token endpoint. Works with a relay on another machine.
 * - `authorization-code-pkce` (RFC 6749 §4.1 + RFC 7636 S256): the browser runs the consent page
 *   (chrome.identity.launchWebAuthFlow) and hands the code and verifier to the relay, which redeems it.
 */
export type OAuthFlow = 'device-code' | 'authorization-code-pkce';

/** Endpoints of one provider; `{tenant}` is replaced by the configured tenant (Microsoft). */
export interface OAuthEndpoints {
  authorization: string | null;
  deviceAuthorization: string | null;
  token: string;
  revocation: string | null;
}

export interface OAuthProviderInfo {
  id: OAuthProviderId;
  label: string;
  flow: OAuthFlow;
  endpoints: OAuthEndpoints;
  /** Scopes requested, space-joined on the wire. */
  scopes: readonly string[];
  /** The scope the IMAP server needs; the grant is useless without it ("scopes granted" check). */
  imapScope: string;
  /** Extra authorization-request parameters (Google: offline access, so a refresh token comes back). */
  authorizationParams: Readonly<Record<string, string>>;
  /**
   * Whether the token endpoint needs a client secret. Google's "Desktop app" / "Web application"
   * clients do (Google calls it not confidential for desktop apps, but still requires it);
   * Microsoft's public clients (device code) must not send one.
   */
  clientSecret: 'required' | 'none';
  /** Default tenant for `{tenant}` (Microsoft: common = personal + work/school accounts). */
  defaultTenant: string | null;
  /**
   * The row of the shared host table (shared/providers.ts) this provider signs in to: its address
   * domains and IMAP server come from there, so they are written down once.
   */
  knownProvider: KnownProviderId;
  /** MX host suffixes of custom domains hosted by this provider (Microsoft 365, Google Workspace). */
  mxSuffixes: readonly string[];
  /**
   * What a normal password does over IMAP: `refused` (OAuth only), or `app-password` (works with
   * an app password from `appPasswordUrl`, OAuth recommended).
   */
  passwordSignIn: 'refused' | 'app-password';
  appPasswordUrl: string | null;
  /** Where the user registers their own client id (docs/oauth.md walks through it). */
  consoleUrl: string;
}

export const OAUTH_PROVIDERS: Readonly<Record<OAuthProviderId, OAuthProviderInfo>> = {
  microsoft: {
    id: 'microsoft',
    label: 'Microsoft (Outlook.com, Hotmail, Live, Microsoft 365)',
    flow: 'device-code',
    endpoints: {
      authorization: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize',
      deviceAuthorization: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/devicecode',
      token: 'https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token',
      // Microsoft identity platform has no RFC 7009 endpoint; users revoke in their account page.
      revocation: null,
    },
    // offline_access: without it no refresh token comes back and the account dies after an hour.
    scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All', 'offline_access'],
    imapScope: 'https://outlook.office.com/IMAP.AccessAsUser.All',
    authorizationParams: {},
    clientSecret: 'none',
    // `common` takes personal and work/school accounts; `consumers` or `organizations` narrow it,
    // or a tenant id for a single-tenant app registration.
    defaultTenant: 'common',
    knownProvider: 'outlook',
    mxSuffixes: ['.mail.protection.outlook.com'],
    // Outlook.com ended basic auth in September 2024; Microsoft 365 deprecated it in 2022.
    passwordSignIn: 'refused',
    appPasswordUrl: null,
    consoleUrl: 'https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade',
  },
  google: {
    id: 'google',
    label: 'Google (Gmail, Google Workspace)',
    flow: 'authorization-code-pkce',
    endpoints: {
      authorization: 'https://accounts.google.com/o/oauth2/v2/auth',
      deviceAuthorization: null,
      token: 'https://oauth2.googleapis.com/token',
      revocation: 'https://oauth2.googleapis.com/revoke',
    },
    // The full-mail scope is the only one Gmail's IMAP accepts (it is "restricted": docs/oauth.md).
    scopes: ['https://mail.google.com/'],
    imapScope: 'https://mail.google.com/',
    // access_type=offline returns a refresh token; prompt=consent returns one again on a repeat sign-in.
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
    clientSecret: 'required',
    defaultTenant: null,
    knownProvider: 'gmail',
    mxSuffixes: ['.google.com', '.googlemail.com'],
    passwordSignIn: 'app-password',
    appPasswordUrl: 'https://myaccount.google.com/apppasswords',
    consoleUrl: 'https://console.cloud.google.com/apis/credentials',
  },
};

function byKnown(id: KnownProviderId | null | undefined): OAuthProviderInfo | null {
  return Object.values(OAUTH_PROVIDERS).find((p) => p.knownProvider === id) ?? null;
}

/** The IMAP server an OAuth2 provider's accounts use (from shared/providers.ts). */
export function oauthImapServer(provider: OAuthProviderInfo): { host: string; port: number; security: 'tls' } {
  const { host, port } = knownProvider(provider.knownProvider).server;
  return { host, port, security: 'tls' };
}

/** The provider whose mail domains include `domain` (lower-case ASCII), or null. */
export function oauthProviderForDomain(domain: string): OAuthProviderInfo | null {
  return byKnown(providerOfDomain(domain.toLowerCase().replace(/\.$/, ''))?.id);
}

/** The provider hosting a custom domain, judged by one of its MX host names, or null. */
export function oauthProviderForMx(mxHost: string): OAuthProviderInfo | null {
  const h = mxHost.toLowerCase().replace(/\.$/, '');
  return Object.values(OAUTH_PROVIDERS).find((p) => p.mxSuffixes.some((s) => h.endsWith(s))) ?? null;
}

/** The provider whose IMAP host this is (imap.gmail.com, outlook.office365.com…), or null. */
export function oauthProviderForImapHost(host: string): OAuthProviderInfo | null {
  return byKnown(providerOfHost(host));
}

/** Endpoints with `{tenant}` filled in (the provider's default tenant when none is configured). */
export function resolveEndpoints(endpoints: OAuthEndpoints, tenant: string | null): OAuthEndpoints {
  const fill = (url: string | null) =>
    url === null ? null : url.replace('{tenant}', encodeURIComponent(tenant ?? ''));
  return {
    authorization: fill(endpoints.authorization),
    deviceAuthorization: fill(endpoints.deviceAuthorization),
    token: fill(endpoints.token) ?? endpoints.token,
    revocation: fill(endpoints.revocation),
  };
}
