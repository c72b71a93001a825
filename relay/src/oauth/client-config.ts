/**
 * The user's own OAuth2 client registrations (client id, secret, Microsoft tenant), one per
 * provider, kept in the store's per-user settings with the secret encrypted by the secret box.
 * The CLI (`oauth set`) writes them for the relay's default user; the options page writes them
 * for its own user (`oauth.config.set`). A user without their own falls back to the default
 * user's, so one registration serves a family relay.
 */
import { z } from 'zod/mini';
import {
  ErrorCode,
  OAUTH_PROVIDER_IDS,
  OAUTH_PROVIDERS,
  resolveEndpoints,
  TidingsError,
  type OAuthClientStatus,
  type OAuthEndpoints,
  type OAuthProviderId,
  type OAuthProviderInfo,
} from '../../../shared/index.js';
import { oauthClientSecretContext, type SecretBox } from '../crypto/secret-box.js';
import type { Store } from '../store/types.js';

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string | null;
  tenant: string | null;
}

/** Endpoint overrides from the relay's configuration (TIDINGS_OAUTH_ENDPOINTS; tests use a local provider). */
export type OAuthEndpointOverrides = Partial<Record<OAuthProviderId, Partial<OAuthEndpoints>>>;

export interface ResolvedOAuthProvider {
  info: OAuthProviderInfo;
  /** With the tenant filled in and overrides applied. */
  endpoints: OAuthEndpoints;
  client: OAuthClientConfig;
}

const storedSchema = z.object({
  clientId: z.string().check(z.minLength(1)),
  clientSecretEnc: z.nullable(z.string()),
  tenant: z.nullable(z.string()),
});
type Stored = z.infer<typeof storedSchema>;

const settingKey = (provider: OAuthProviderId) => `oauth.client.${provider}`;

function readStored(store: Store, userId: string, provider: OAuthProviderId): Stored | null {
  const parsed = storedSchema.safeParse(store.getSetting(userId, settingKey(provider)));
  return parsed.success ? parsed.data : null;
}

/** The user's own stored registration, else the default user's (with whose it is); null when neither exists. */
function storedFor(
  store: Store,
  userId: string,
  provider: OAuthProviderId,
): { stored: Stored; ownerId: string } | null {
  const own = readStored(store, userId, provider);
  if (own) return { stored: own, ownerId: userId };
  const defaultId = store.ensureDefaultUser().id;
  const fallback = readStored(store, defaultId, provider);
  return fallback ? { stored: fallback, ownerId: defaultId } : null;
}

/**
 * Every stored client secret re-encrypted by `rewrap` (key rotation), as settings to write in the
 * same transaction as the account secrets. `rewrap` throws when a secret cannot be read.
 */
export function rewrapClientSecrets(
  store: Store,
  rewrap: (envelope: string, context: string) => string,
): { userId: string; key: string; value: Stored }[] {
  const out: { userId: string; key: string; value: Stored }[] = [];
  for (const user of store.listUsers()) {
    for (const provider of OAUTH_PROVIDER_IDS) {
      const stored = readStored(store, user.id, provider);
      if (stored?.clientSecretEnc == null) continue;
      const clientSecretEnc = rewrap(stored.clientSecretEnc, oauthClientSecretContext(user.id, provider));
      out.push({ userId: user.id, key: settingKey(provider), value: { ...stored, clientSecretEnc } });
    }
  }
  return out;
}

export function loadClientConfig(options: {
  store: Store;
  secretBox: SecretBox;
  userId: string;
  provider: OAuthProviderId;
}): OAuthClientConfig | null {
  const found = storedFor(options.store, options.userId, options.provider);
  if (!found) return null;
  const { stored, ownerId } = found;
  return {
    clientId: stored.clientId,
    clientSecret:
      stored.clientSecretEnc === null
        ? null
        : options.secretBox.decrypt(stored.clientSecretEnc, oauthClientSecretContext(ownerId, options.provider)),
    tenant: stored.tenant,
  };
}

/**
 * Saves a registration for `userId`. `clientSecret`: undefined keeps the stored one (so the
 * options page can change the tenant without retyping the secret), null removes it.
 */
export function saveClientConfig(options: {
  store: Store;
  secretBox: SecretBox;
  userId: string;
  provider: OAuthProviderId;
  clientId: string;
  clientSecret?: string | null | undefined;
  tenant?: string | null | undefined;
}): void {
  const { store, secretBox, userId, provider } = options;
  const current = readStored(store, userId, provider);
  const clientSecretEnc =
    options.clientSecret === undefined
      ? (current?.clientSecretEnc ?? null)
      : options.clientSecret === null
        ? null
        : secretBox.encrypt(options.clientSecret, oauthClientSecretContext(userId, provider));
  const tenant = options.tenant === undefined ? (current?.tenant ?? null) : options.tenant;
  const value: Stored = { clientId: options.clientId.trim(), clientSecretEnc, tenant };
  store.setSetting(userId, settingKey(provider), value);
}

/**
 * Forgets `userId`'s own registration for a provider (id, secret, tenant). A user without their
 * own falls back to the default user's again.
 */
export function removeClientConfig(options: { store: Store; userId: string; provider: OAuthProviderId }): void {
  options.store.setSetting(options.userId, settingKey(options.provider), undefined);
}

/** What the options page may see of a registration: never the secret. */
export function clientStatus(options: { store: Store; userId: string; provider: OAuthProviderId }): OAuthClientStatus {
  const info = OAUTH_PROVIDERS[options.provider];
  const stored = storedFor(options.store, options.userId, options.provider)?.stored ?? null;
  const hasSecret = stored?.clientSecretEnc != null;
  return {
    provider: info.id,
    flow: info.flow,
    clientId: stored?.clientId ?? null,
    hasSecret,
    tenant: stored?.tenant ?? info.defaultTenant,
    ready: stored !== null && (info.clientSecret !== 'required' || hasSecret),
  };
}

export function allClientStatuses(options: { store: Store; userId: string }): OAuthClientStatus[] {
  return OAUTH_PROVIDER_IDS.map((provider) => clientStatus({ ...options, provider }));
}

/**
 * The provider's endpoints and the user's client registration, ready for a flow or a refresh.
 * Throws OAUTH_NOT_CONFIGURED (with what to do) when no usable registration exists.
 */
export function resolveProvider(options: {
  store: Store;
  secretBox: SecretBox;
  userId: string;
  provider: OAuthProviderId;
  overrides: OAuthEndpointOverrides;
}): ResolvedOAuthProvider {
  const info = OAUTH_PROVIDERS[options.provider];
  const client = loadClientConfig(options);
  if (!client || (info.clientSecret === 'required' && client.clientSecret === null)) {
    throw new TidingsError(
      ErrorCode.OAUTH_NOT_CONFIGURED,
      `No ${info.id} client ${client ? 'secret' : 'id'} is set on the relay. Register an app (see docs/oauth.md), then enter it in the options page under "Sign-in apps", or run: ` +
        `npm run relay -- oauth set ${info.id} --client-id <id>${info.clientSecret === 'required' ? ' --client-secret <secret>' : ''}`,
    );
  }
  const endpoints = resolveEndpoints(
    { ...info.endpoints, ...options.overrides[info.id] },
    client.tenant ?? info.defaultTenant,
  );
  return { info, endpoints, client };
}

/** The client authentication fields of a token request (RFC 6749 §2.3.1, client_secret_post). */
export function clientFields(client: OAuthClientConfig): Record<string, string> {
  return client.clientSecret === null
    ? { client_id: client.clientId }
    : { client_id: client.clientId, client_secret: client.clientSecret };
}
