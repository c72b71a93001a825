/**
 * Form POSTs to an OAuth2 provider (token endpoint RFC 6749 §3.2, device authorization RFC 8628
 * §3.1) and parsing of what comes back. Provider errors are data (`{ok: false, error}`), because
 * callers act on them: `authorization_pending` means "keep polling", `invalid_grant` on a refresh
 * means "sign in again". Only an unreachable or broken endpoint throws (UNREACHABLE / TIMEOUT /
 * OAUTH_REFUSED). No token ever appears in a thrown message.
 */
import { z } from 'zod/mini';
import { ErrorCode, Limits, TidingsError } from '../../../shared/index.js';

/** RFC 6749 §5.1 (fields the relay uses). */
const tokenResponseSchema = z.object({
  access_token: z.string().check(z.minLength(1), z.maxLength(16_384)),
  token_type: z.optional(z.string()),
  expires_in: z.optional(z.coerce.number().check(z.positive())),
  refresh_token: z.optional(z.string().check(z.minLength(1), z.maxLength(16_384))),
  scope: z.optional(z.string().check(z.maxLength(4_096))),
});

/** RFC 6749 §5.2 */
const errorResponseSchema = z.object({
  error: z.string().check(z.maxLength(200)),
  error_description: z.optional(z.string().check(z.maxLength(2_000))),
});

/** RFC 8628 §3.2; Microsoft's v2 endpoint uses these names too. */
const deviceResponseSchema = z.object({
  device_code: z.string().check(z.minLength(1), z.maxLength(16_384)),
  user_code: z.string().check(z.minLength(1), z.maxLength(64)),
  verification_uri: z.url().check(z.maxLength(2_048)),
  verification_uri_complete: z.optional(z.url().check(z.maxLength(2_048))),
  expires_in: z.coerce.number().check(z.positive()),
  interval: z.optional(z.coerce.number().check(z.positive())),
});

export interface TokenGrant {
  accessToken: string;
  /** Epoch ms. Providers that omit expires_in get one hour (Google's and Microsoft's default). */
  expiresAt: number;
  lifetimeMs: number;
  /** Absent when the provider keeps the old one (Google refreshes). */
  refreshToken: string | null;
  /** Granted scopes, or null when the provider did not say (RFC 6749 §5.1: then as requested). */
  scope: string[] | null;
}

export interface DeviceAuthorization {
  deviceCode: string;
  userCode: string;
  verificationUri: string;
  verificationUriComplete: string | null;
  expiresAt: number;
  intervalMs: number;
}

export type ProviderAnswer<T> = { ok: true; value: T } | { ok: false; error: string; description: string };

export interface TokenEndpointOptions {
  url: string;
  form: Record<string, string>;
  signal?: AbortSignal;
  now?: () => number;
  fetch?: typeof fetch;
}

/** POSTs a token request; `{ok: false}` carries the provider's `error` code. */
export async function requestToken(options: TokenEndpointOptions): Promise<ProviderAnswer<TokenGrant>> {
  const now = options.now ?? Date.now;
  const answer = await postForm(options);
  if (!answer.ok) return answer;
  const parsed = tokenResponseSchema.safeParse(answer.value);
  if (!parsed.success)
    throw new TidingsError(ErrorCode.OAUTH_REFUSED, 'the token endpoint answered without an access token');
  const t = parsed.data;
  const lifetimeMs = (t.expires_in ?? 3_600) * 1_000;
  return {
    ok: true,
    value: {
      accessToken: t.access_token,
      expiresAt: now() + lifetimeMs,
      lifetimeMs,
      refreshToken: t.refresh_token ?? null,
      scope: t.scope === undefined ? null : t.scope.split(/\s+/).filter(Boolean),
    },
  };
}

/** POSTs a device authorization request (RFC 8628 §3.1). */
export async function requestDeviceCode(options: TokenEndpointOptions): Promise<ProviderAnswer<DeviceAuthorization>> {
  const now = options.now ?? Date.now;
  const answer = await postForm(options);
  if (!answer.ok) return answer;
  const parsed = deviceResponseSchema.safeParse(answer.value);
  if (!parsed.success)
    throw new TidingsError(ErrorCode.OAUTH_REFUSED, 'the device authorization endpoint gave an unexpected answer');
  const d = parsed.data;
  return {
    ok: true,
    value: {
      deviceCode: d.device_code,
      userCode: d.user_code,
      verificationUri: d.verification_uri,
      verificationUriComplete: d.verification_uri_complete ?? null,
      expiresAt: now() + d.expires_in * 1_000,
      // RFC 8628 §3.2: 5 s when the provider does not say.
      intervalMs: (d.interval ?? 5) * 1_000,
    },
  };
}

async function postForm(options: TokenEndpointOptions): Promise<ProviderAnswer<unknown>> {
  const doFetch = options.fetch ?? fetch;
  const timeout = AbortSignal.timeout(Limits.oauthRequestTimeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const host = safeHost(options.url);
  let response: Response;
  try {
    response = await doFetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(options.form).toString(),
      redirect: 'error',
      signal,
    });
  } catch (err) {
    if (timeout.aborted)
      throw new TidingsError(ErrorCode.TIMEOUT, `the sign-in provider (${host}) did not answer in time`, {
        cause: err,
      });
    if (options.signal?.aborted) throw new TidingsError(ErrorCode.TIMEOUT, 'the request was cancelled', { cause: err });
    throw new TidingsError(ErrorCode.UNREACHABLE, `the sign-in provider (${host}) could not be reached`, {
      cause: err,
    });
  }
  const text = await readCapped(response);
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    body = undefined;
  }
  if (response.ok) return { ok: true, value: body };
  const error = errorResponseSchema.safeParse(body);
  if (error.success) return { ok: false, error: error.data.error, description: error.data.error_description ?? '' };
  if (response.status >= 500)
    throw new TidingsError(ErrorCode.UNREACHABLE, `the sign-in provider (${host}) failed with HTTP ${response.status}`);
  throw new TidingsError(ErrorCode.OAUTH_REFUSED, `the sign-in provider (${host}) answered HTTP ${response.status}`);
}

async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > Limits.oauthMaxResponseBytes) {
      await reader.cancel();
      throw new TidingsError(ErrorCode.OAUTH_REFUSED, 'the sign-in provider sent an oversized answer');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}
