/**
 * The diagnosis of a SAVED account, with its stored secret (`accounts.diagnose {accountId}`, and
 * `accounts.trustCertificate` with a new pin). A password account runs the ordinary checklist
 * with its stored password. An OAuth2 account (issue 9) first renews its access token at the
 * provider and checks the grant, as two steps before the connection steps:
 *
 * - `token`: the token endpoint is reachable (through the network reach policy) and issues an
 *   access token for the stored refresh token; a refusal (`invalid_grant`) is REAUTH_REQUIRED.
 * - `scopes`: the granted scopes include the provider's IMAP scope (shared/oauth-providers.ts).
 * - `auth` then means "the IMAP server accepted the token".
 *
 * No token or secret appears in a step, a log line or an error message.
 */
import {
  ErrorCode,
  OAUTH_PROVIDERS,
  TidingsError,
  type Diagnosis,
  type DiagnosisStep,
  type OAuthProviderInfo,
} from '../../../shared/index.js';
import { accountSecretContext, type SecretBox } from '../crypto/secret-box.js';
import type { Logger } from '../log.js';
import { guardedFetch } from '../net/guarded-fetch.js';
import { ReachRefused, type ReachPolicy } from '../net/reach-policy.js';
import type { FreshToken, OAuthTokens } from '../oauth/token-manager.js';
import type { Account } from '../store/types.js';
import { diagnose, type DiagnoseInput, type DiagnoseOutcome } from './diagnose.js';

export interface DiagnoseAccountInput {
  account: Account;
  secretBox: SecretBox;
  tokens: OAuthTokens;
  reach: ReachPolicy;
  /** Deadline of each connecting step (DiagnoseInput.timeoutMs). */
  timeoutMs?: number;
  /** Check with this pin instead of the stored one (trusting a changed certificate). */
  pinnedFingerprint?: string;
  /** Also check that these folders exist. */
  mailboxes?: readonly string[];
  signal?: AbortSignal;
  log?: Logger;
  now?: () => number;
  /** The token request's fetch; default guardedFetch(reach). Tests inject a failing one. */
  fetch?: typeof fetch;
}

const CONNECTION_STEPS: DiagnosisStep['id'][] = ['dns', 'tcp', 'tls', 'capabilities', 'auth'];

export async function diagnoseAccount(input: DiagnoseAccountInput): Promise<DiagnoseOutcome> {
  const { account } = input;
  const settings = {
    host: account.host,
    port: account.port,
    security: account.security,
    username: account.username,
    pinnedFingerprint: input.pinnedFingerprint ?? account.pinnedFingerprint,
  };
  const common = {
    settings,
    // A new pin brings its own chain; a CA added with the CLI (--ca-file) stays valid otherwise.
    caPem: input.pinnedFingerprint !== undefined ? null : account.caPem,
    reach: input.reach,
    ...(input.timeoutMs !== undefined ? { timeoutMs: input.timeoutMs } : {}),
    ...(input.mailboxes ? { mailboxes: input.mailboxes } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
    ...(input.log ? { log: input.log } : {}),
    ...(input.now ? { now: input.now } : {}),
  };
  if (account.auth.kind !== 'oauth2') {
    const password = input.secretBox.decrypt(account.secretEnc, accountSecretContext(account));
    return diagnose({ ...common, password });
  }

  const info = OAUTH_PROVIDERS[account.auth.provider];
  const started = performance.now();
  let fresh: FreshToken;
  try {
    fresh = await input.tokens.renewNow(account.id, { fetch: input.fetch ?? guardedFetch(input.reach) });
  } catch (err) {
    if (input.signal?.aborted) throw err;
    const failed = tokenFailure(info, err);
    const tokenStep: DiagnosisStep = { id: 'token', status: 'fail', ...failed, ms: elapsed(started) };
    return skipped([tokenStep], 'Not tried: no access token.', {
      code: failed.code,
      message: `${failed.detail} ${failed.hint}`,
    });
  }
  return checkWithToken({ ...common, info, token: fresh, tokenMs: elapsed(started) });
}

/**
 * The checklist once an access token is in hand (a renewal, or a sign-in's first grant): the
 * `token` step passed, `scopes` compares the grant with the provider table, then the connection
 * steps sign in to IMAP with the token. Used by the saved-account diagnosis and by sign-in flows.
 */
export async function checkWithToken(
  input: Omit<DiagnoseInput, 'password' | 'accessToken'> & {
    info: OAuthProviderInfo;
    token: { accessToken: string; scope: readonly string[] | null; lifetimeMs: number };
    tokenMs: number | null;
  },
): Promise<DiagnoseOutcome> {
  const { info, token, tokenMs, ...rest } = input;
  const tokenSteps: DiagnosisStep[] = [
    {
      id: 'token',
      status: 'ok',
      detail: `${providerName(info)} issued an access token (valid for ${Math.round(token.lifetimeMs / 60_000)} min).`,
      hint: null,
      ms: tokenMs,
    },
  ];
  const scopes = scopeStep(info, token.scope);
  tokenSteps.push(scopes);
  if (scopes.status === 'fail')
    return skipped(tokenSteps, 'Not tried: mail access was not granted.', {
      code: ErrorCode.OAUTH_REFUSED,
      message: `${scopes.detail} ${scopes.hint ?? ''}`.trim(),
    });

  const outcome = await diagnose({ ...rest, password: '', accessToken: token.accessToken });
  const username = rest.settings.username;
  const steps = outcome.diagnosis.steps.map((step) =>
    step.id === 'auth' && step.status === 'fail' && step.code === ErrorCode.AUTH_FAILED
      ? {
          ...step,
          detail: `The mail server did not accept the access token for ${username}.`,
          hint: `${providerName(info)} issued the token, but the IMAP server refused it. Check that IMAP access is on for this mailbox, then sign in again.`,
        }
      : step,
  );
  const authFailed = steps.find((s) => s.id === 'auth' && s.status === 'fail' && s.code === ErrorCode.AUTH_FAILED);
  return {
    ...outcome,
    diagnosis: { ...outcome.diagnosis, steps: [...tokenSteps, ...steps] },
    failure:
      authFailed && outcome.failure?.code === ErrorCode.AUTH_FAILED
        ? { code: ErrorCode.AUTH_FAILED, message: `${authFailed.detail} ${authFailed.hint ?? ''}`.trim() }
        : outcome.failure,
  };
}

/** "Scopes granted": the provider's IMAP scope must be among those the token response lists. */
export function scopeStep(info: OAuthProviderInfo, granted: readonly string[] | null): DiagnosisStep {
  if (granted === null)
    return {
      id: 'scopes',
      status: 'ok',
      // RFC 6749 §5.1: a token response without `scope` grants what was asked for.
      detail: `${providerName(info)} did not list the granted scopes, so it granted those asked for (${info.scopes.join(', ')}).`,
      hint: null,
      ms: null,
    };
  if (!granted.includes(info.imapScope))
    return {
      id: 'scopes',
      status: 'fail',
      code: ErrorCode.OAUTH_REFUSED,
      detail: `Mail access was not granted: the token lacks the scope ${info.imapScope} (granted: ${granted.join(', ') || 'none'}).`,
      hint: 'Sign in again and allow access to your mail on the consent page (do not untick it).',
      ms: null,
    };
  return { id: 'scopes', status: 'ok', detail: `Granted: ${granted.join(', ')}.`, hint: null, ms: null };
}

function tokenFailure(info: OAuthProviderInfo, err: unknown): { code: ErrorCode; detail: string; hint: string } {
  const name = providerName(info);
  if (!(err instanceof TidingsError))
    return { code: ErrorCode.INTERNAL, detail: 'Renewing the access token failed.', hint: 'Try again later.' };
  const refused = err.cause instanceof ReachRefused ? err.cause.message : null;
  switch (err.code) {
    case ErrorCode.REAUTH_REQUIRED:
      return {
        code: err.code,
        detail: `${name} refused to renew access: the sign-in was revoked, expired or consent was withdrawn.`,
        hint: 'Choose "Sign in again" and allow access to your mail.',
      };
    case ErrorCode.OAUTH_NOT_CONFIGURED:
      return {
        code: err.code,
        detail: `No ${info.id} client id is set on the relay, so it cannot renew access.`,
        hint: 'Set your own client id under "Sign-in apps" on this page (see docs/oauth.md).',
      };
    case ErrorCode.OAUTH_REFUSED:
      return {
        code: err.code,
        detail: `${name}'s token endpoint refused the request (${err.message}).`,
        hint: 'Check the client id and secret set on the relay; they must belong to the app you signed in with.',
      };
    case ErrorCode.TIMEOUT:
      return {
        code: err.code,
        detail: `${name}'s token endpoint did not answer in time.`,
        hint: "Try again in a moment; if it keeps failing, check the relay machine's internet connection.",
      };
    default:
      return {
        code: refused ? ErrorCode.BAD_REQUEST : ErrorCode.UNREACHABLE,
        detail: refused
          ? `The relay does not connect to ${name}'s token endpoint: ${refused}`
          : `${name}'s token endpoint could not be reached (${err.message}).`,
        hint: refused
          ? "The relay's operator must allow this address, or correct the endpoint in TIDINGS_OAUTH_ENDPOINTS."
          : "Check the relay machine's internet connection and DNS; the provider may also be briefly down.",
      };
  }
}

function skipped(steps: DiagnosisStep[], why: string, failure: { code: ErrorCode; message: string }): DiagnoseOutcome {
  const all: DiagnosisStep[] = [...steps];
  if (!all.some((s) => s.id === 'scopes'))
    all.push({ id: 'scopes', status: 'skipped', detail: why, hint: null, ms: null });
  for (const id of CONNECTION_STEPS) all.push({ id, status: 'skipped', detail: why, hint: null, ms: null });
  const diagnosis: Diagnosis = {
    ok: false,
    steps: all,
    addresses: [],
    tlsVersion: null,
    certificate: null,
    capabilities: [],
    rttMs: null,
    error: null,
  };
  return { diagnosis, failure, trust: { pinnedFingerprint: null, caPem: null } };
}

function providerName(info: OAuthProviderInfo): string {
  return info.label.split(' (')[0] ?? info.label;
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}
