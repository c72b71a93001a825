/**
 * Wire schemas of OAuth2 sign-in (issue 9), spread into `requests` in protocol.ts. Kept apart so
 * the OAuth requests read as one unit. Tokens never cross the socket towards the extension: the
 * relay keeps them; the extension only ever sends an authorization code once, to be redeemed.
 */
import { z } from 'zod/mini';
import { ALL_ERROR_CODES, type ErrorCode } from './errors.js';
import { Limits } from './limits.js';
import { oauthProviderIdSchema } from './oauth-providers.js';

const idSchema = z.string().check(z.minLength(1), z.maxLength(64));

/** What the relay knows about one provider's client registration. Never the secret itself. */
export const oauthClientStatusSchema = z.object({
  provider: oauthProviderIdSchema,
  flow: z.enum(['device-code', 'authorization-code-pkce']),
  /** The user's own client id (not a secret), or null when none is set. */
  clientId: z.nullable(z.string()),
  /** Whether a client secret is stored; the secret is never sent back. */
  hasSecret: z.boolean(),
  /** Microsoft tenant (common, consumers, organizations or a tenant id); null elsewhere. */
  tenant: z.nullable(z.string()),
  /** True when the provider can be used now (client id, and a secret where it needs one). */
  ready: z.boolean(),
});
export type OAuthClientStatus = z.infer<typeof oauthClientStatusSchema>;

/** Where the IMAP server of an OAuth account is; defaults to the provider's (imap.gmail.com…). */
export const oauthServerSchema = z.object({
  host: z.string().check(z.minLength(1), z.maxLength(253)),
  port: z.int().check(z.gte(1), z.lte(65_535)),
  security: z.enum(['tls', 'starttls']),
  pinnedFingerprint: z._default(z.nullable(z.string().check(z.maxLength(200))), null),
});
export type OAuthServer = z.infer<typeof oauthServerSchema>;

/**
 * What account discovery says about OAuth2 for an address: Microsoft refuses passwords over IMAP
 * (`required`); Gmail also takes an app password (`recommended`, with the page to create one).
 */
export const oauthAdviceSchema = z.object({
  provider: oauthProviderIdSchema,
  signIn: z.enum(['required', 'recommended']),
  appPasswordUrl: z.nullable(z.string()),
  /** Whether the relay has a usable client registration for the provider. */
  configured: z.boolean(),
  /** How it was recognised: the address's domain, or the domain's MX hosts (Microsoft 365, Workspace). */
  via: z.enum(['domain', 'mx']),
});
export type OAuthAdvice = z.infer<typeof oauthAdviceSchema>;

/** RFC 7636 §4.1: 43–128 characters of [A-Z a-z 0-9 - . _ ~]. */
const codeVerifierSchema = z.string().check(z.regex(/^[A-Za-z0-9\-._~]{43,128}$/));

export const oauthStartResultSchema = z.discriminatedUnion('flow', [
  z.object({
    flow: z.literal('device-code'),
    flowId: idSchema,
    /** Shown to the user, who types it at `verificationUri`. */
    userCode: z.string().check(z.maxLength(64)),
    verificationUri: z.string().check(z.maxLength(2_048)),
    /** A link with the code filled in, where the provider offers one. */
    verificationUriComplete: z.nullable(z.string().check(z.maxLength(2_048))),
    /** Epoch ms after which the code no longer works. */
    expiresAt: z.number(),
  }),
  z.object({
    flow: z.literal('authorization-code-pkce'),
    flowId: idSchema,
    /**
     * What the extension needs to build the authorization URL. It adds `redirect_uri`
     * (https://<extension-id>.chromiumapp.org/), `response_type=code`, `state` and the PKCE
     * `code_challenge` (S256) of a verifier it keeps until `accounts.oauth.redeem`.
     */
    authorizationEndpoint: z.string().check(z.maxLength(2_048)),
    clientId: z.string().check(z.maxLength(512)),
    scope: z.string().check(z.maxLength(2_048)),
    params: z.record(z.string(), z.string().check(z.maxLength(1_024))),
    expiresAt: z.number(),
  }),
]);
export type OAuthStartResult = z.infer<typeof oauthStartResultSchema>;

// protocol.ts's wireErrorSchema, repeated: protocol.ts imports this file.
const wireErrorShape = z.object({ code: z.enum(ALL_ERROR_CODES as [ErrorCode, ...ErrorCode[]]), message: z.string() });

/**
 * The OAuth requests, each as a function that builds its schemas (protocol.ts's `requests` is a
 * lazyTable). protocol.ts passes its `diagnosisSchema` in (it imports this file, so this file
 * cannot import it): a failed sign-in carries the checklist that failed (issue 9).
 */
export const oauthRequestSchemas = <D extends z.ZodMiniType>(diagnosisSchema: D) =>
  ({
    /** Which providers have a client id configured on the relay (never the secret). */
    'oauth.config.get': () => ({
      params: z.object({}),
      result: z.object({ providers: z.array(oauthClientStatusSchema) }),
    }),
    /**
     * Stores the user's own client id (and secret, encrypted) for a provider. `clientSecret`
     * undefined keeps the stored one, null removes it.
     */
    'oauth.config.set': () => ({
      params: z.object({
        provider: oauthProviderIdSchema,
        clientId: z.string().check(z.trim(), z.minLength(1), z.maxLength(512)),
        clientSecret: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(1_024)))),
        tenant: z.optional(z.nullable(z.string().check(z.regex(/^[A-Za-z0-9.-]{1,100}$/)))),
      }),
      result: z.object({ provider: oauthClientStatusSchema }),
    }),
    /**
     * Removes the user's own client registration for a provider (id and secret). Accounts already
     * signed in keep their refresh tokens but cannot renew them until a registration is set again
     * (or the relay's default one applies). Answers the provider's status afterwards.
     */
    'oauth.config.remove': () => ({
      params: z.object({ provider: oauthProviderIdSchema }),
      result: z.object({ provider: oauthClientStatusSchema }),
    }),
    /**
     * Starts signing in an account with a provider. Device code: the relay asks the provider for a
     * code and polls for the grant in the background; watch it with `accounts.oauth.poll`.
     * Authorization code: returns the parameters for launchWebAuthFlow; finish with
     * `accounts.oauth.redeem`. With `accountId` the flow signs an existing account in again.
     */
    'accounts.oauth.start': () => ({
      params: z.object({
        provider: oauthProviderIdSchema,
        email: z.string().check(z.minLength(3), z.maxLength(320)),
        accountId: z.optional(idSchema),
        /** Default: the provider's IMAP server. */
        server: z.optional(oauthServerSchema),
        name: z.optional(z.string().check(z.minLength(1), z.maxLength(Limits.maxNameLength))),
        color: z.optional(z.nullable(z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/)))),
      }),
      result: oauthStartResultSchema,
    }),
    /** State of a device-code flow: still waiting for the user, done (the account), or failed. */
    'accounts.oauth.poll': () => ({
      params: z.object({ flowId: idSchema }),
      result: z.discriminatedUnion('status', [
        z.object({ status: z.literal('pending'), expiresAt: z.number() }),
        z.object({ status: z.literal('done'), accountId: idSchema }),
        z.object({
          status: z.literal('failed'),
          error: wireErrorShape,
          /**
           * The checklist of a sign-in that got a token but failed after it (scopes granted, token
           * accepted by the IMAP server), with the token steps. Absent for other failures and from
           * older relays.
           */
          diagnosis: z.optional(diagnosisSchema),
        }),
      ]),
    }),
    /**
     * Finishes an authorization-code flow: the relay redeems the code with the verifier (PKCE),
     * checks the token signs in to IMAP, and saves (or re-signs) the account.
     */
    'accounts.oauth.redeem': () => ({
      params: z.object({
        flowId: idSchema,
        code: z.string().check(z.minLength(1), z.maxLength(4_096)),
        codeVerifier: codeVerifierSchema,
        redirectUri: z.url().check(z.maxLength(2_048)),
      }),
      result: z.object({ accountId: idSchema }),
    }),
  }) as const;
