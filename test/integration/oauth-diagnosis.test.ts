// Issue 9: the diagnosis checklist of a saved OAuth2 account covers the token steps ("token
// endpoint reachable", "scopes granted", "token accepted by the IMAP server"), against real parts:
// the relay process, the harness OAuth2 provider, and Dovecot's oauth2 passdb introspecting every
// token at that provider. Also: the options page's client registrations can be removed again.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAUTH_PROVIDERS, type Diagnosis } from '../../shared/index.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { startOAuthProvider, type LocalOAuthProvider } from '../harness/oauth-provider.js';
import { rejection, TestClient } from '../harness/protocol-client.js';
import { startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken, pairTokenForNewUser, trustTestCaEnv } from '../harness/setup-fixtures.js';

const SECRET = `gsecret-${randomBytes(8).toString('hex')}`;
const REDIRECT_URI = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';
const MAIL_SCOPE = OAUTH_PROVIDERS.google.imapScope;

let provider: LocalOAuthProvider;
let dovecot: Dovecot;
let relay: RelayProcess;
let client: TestClient;

beforeAll(async () => {
  provider = await startOAuthProvider();
  provider.registerClient({ clientId: 'google-client', clientSecret: SECRET });
  dovecot = await startDovecot({ oauth2: { introspectionUrl: provider.endpoints.introspection } });
  const endpoints = { google: { authorization: provider.endpoints.authorization, token: provider.endpoints.token } };
  relay = await startRelayProcess({
    env: { ...trustTestCaEnv(dovecot), TIDINGS_OAUTH_ENDPOINTS: JSON.stringify(endpoints) },
  });
  client = (await TestClient.connect(relay.url, await pairToken(relay))).client;
  await client.request('oauth.config.set', { provider: 'google', clientId: 'google-client', clientSecret: SECRET });
});

afterAll(async () => {
  client?.close();
  await relay?.stop();
  await dovecot?.stop();
  await provider?.close();
});

/** Google-style sign-in: the user has consented before, so the authorize endpoint redirects at once. */
async function signIn(user: ImapUser): Promise<string> {
  const { accountId } = await client.request('accounts.oauth.redeem', await authorize(user));
  return accountId;
}

/** Starts a Google sign-in and consents; returns what accounts.oauth.redeem takes. */
async function authorize(user: ImapUser) {
  const started = await client.request('accounts.oauth.start', {
    provider: 'google',
    email: user.username,
    server: { host: dovecot.host, port: dovecot.imapsPort, security: 'tls', pinnedFingerprint: null },
  });
  if (started.flow !== 'authorization-code-pkce') throw new Error('expected an authorization-code flow');
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(started.authorizationEndpoint);
  const query = {
    ...started.params,
    client_id: started.clientId,
    scope: started.scope,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    state: 'st',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  provider.autoApprove = user.username;
  const res = await fetch(url, { redirect: 'manual' });
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
  return { flowId: started.flowId, code, codeVerifier: verifier, redirectUri: REDIRECT_URI };
}

const statuses = (d: Diagnosis) => d.steps.map((s) => `${s.id}:${s.status}`);
const step = (d: Diagnosis, id: string) => d.steps.find((s) => s.id === id);

describe('accounts.diagnose for a saved OAuth2 account', () => {
  it('renews the token at the provider, checks the scopes, then signs in to IMAP with it', async () => {
    const user = await dovecot.addUser({ username: 'diag-ok@example.com' });
    const accountId = await signIn(user);
    const before = provider.refreshes(user.username);
    const d = await client.request('accounts.diagnose', { accountId });
    expect(statuses(d)).toEqual(['token:ok', 'scopes:ok', 'dns:ok', 'tcp:ok', 'tls:ok', 'capabilities:ok', 'auth:ok']);
    expect(d.ok).toBe(true);
    // "Token endpoint reachable" is a real request to the token endpoint, not a cached token.
    expect(provider.refreshes(user.username)).toBe(before + 1);
    expect(step(d, 'scopes')?.detail).toContain(MAIL_SCOPE);
    // No token in what the extension sees.
    const wire = JSON.stringify(d);
    for (const t of provider.issuedTokens) expect(wire).not.toContain(t);

    // An access token the IMAP server refuses (already expired when Dovecot introspects it).
    provider.accessTokenTtlMs = 1;
    try {
      const refused = await client.request('accounts.diagnose', { accountId });
      expect(step(refused, 'token')?.status).toBe('ok');
      expect(step(refused, 'auth')).toMatchObject({ status: 'fail', code: 'AUTH_FAILED' });
      expect(step(refused, 'auth')?.detail).toContain('did not accept the access token');
      expect(refused.ok).toBe(false);
    } finally {
      provider.accessTokenTtlMs = 3_600_000;
    }
  });

  it('reports a refused refresh on the token step (sign in again) and tries nothing after it', async () => {
    const user = await dovecot.addUser({ username: 'diag-refused@example.com' });
    const accountId = await signIn(user);
    provider.refuseRefresh = true;
    let d: Diagnosis;
    try {
      d = await client.request('accounts.diagnose', { accountId });
    } finally {
      provider.refuseRefresh = false;
    }
    expect(step(d, 'token')).toMatchObject({ status: 'fail', code: 'REAUTH_REQUIRED' });
    expect(step(d, 'token')?.hint).toContain('Sign in again');
    expect(statuses(d).slice(1)).toEqual([
      'scopes:skipped',
      'dns:skipped',
      'tcp:skipped',
      'tls:skipped',
      'capabilities:skipped',
      'auth:skipped',
    ]);
    expect(d.ok).toBe(false);
  });

  it('fails "scopes granted" when the grant lacks the provider\'s mail scope', async () => {
    const user = await dovecot.addUser({ username: 'diag-scope@example.com' });
    const accountId = await signIn(user);
    provider.grantScope = 'openid email';
    let d: Diagnosis;
    try {
      d = await client.request('accounts.diagnose', { accountId });
    } finally {
      provider.grantScope = null;
    }
    expect(step(d, 'token')?.status).toBe('ok');
    expect(step(d, 'scopes')).toMatchObject({ status: 'fail', code: 'OAUTH_REFUSED' });
    expect(step(d, 'scopes')?.detail).toContain(MAIL_SCOPE);
    expect(step(d, 'scopes')?.detail).toContain('openid');
    expect(step(d, 'auth')?.status).toBe('skipped');
  });

  it("answers NOT_FOUND for another user's account", async () => {
    const user = await dovecot.addUser({ username: 'diag-owner@example.com' });
    const accountId = await signIn(user);
    const other = (await TestClient.connect(relay.url, await pairTokenForNewUser(relay, 'other'))).client;
    try {
      expect((await rejection(other.request('accounts.diagnose', { accountId }))).error.code).toBe('NOT_FOUND');
    } finally {
      other.close();
    }
  });
});

describe('the checklist of a failed sign-in', () => {
  it('a grant without the mail scope fails the sign-in, and the flow carries the checklist that says why', async () => {
    const user = await dovecot.addUser({ username: 'setup-scope@example.com' });
    provider.grantScope = 'openid';
    let redeem: Awaited<ReturnType<typeof authorize>>;
    try {
      redeem = await authorize(user);
      const err = await rejection(client.request('accounts.oauth.redeem', redeem));
      expect(err.error.code).toBe('OAUTH_REFUSED');
      expect(err.error.message).toContain(MAIL_SCOPE);
    } finally {
      provider.grantScope = null;
    }
    const polled = await client.request('accounts.oauth.poll', { flowId: redeem.flowId });
    if (polled.status !== 'failed') throw new Error(`expected a failed flow, got ${polled.status}`);
    expect(polled.diagnosis && statuses(polled.diagnosis)).toEqual([
      'token:ok',
      'scopes:fail',
      'dns:skipped',
      'tcp:skipped',
      'tls:skipped',
      'capabilities:skipped',
      'auth:skipped',
    ]);
    const { accounts } = await client.request('accounts.list', {});
    expect(accounts.some((a) => a.username === user.username)).toBe(false);
  });

  it('a token the IMAP server refuses fails the sign-in on "token accepted by the mail server"', async () => {
    const user = await dovecot.addUser({ username: 'setup-imap@example.com' });
    provider.accessTokenTtlMs = 1;
    let redeem: Awaited<ReturnType<typeof authorize>>;
    try {
      redeem = await authorize(user);
      expect((await rejection(client.request('accounts.oauth.redeem', redeem))).error.code).toBe('AUTH_FAILED');
    } finally {
      provider.accessTokenTtlMs = 3_600_000;
    }
    const polled = await client.request('accounts.oauth.poll', { flowId: redeem.flowId });
    if (polled.status !== 'failed' || !polled.diagnosis) throw new Error('expected a failed flow with a checklist');
    expect(step(polled.diagnosis, 'scopes')?.status).toBe('ok');
    expect(step(polled.diagnosis, 'auth')).toMatchObject({ status: 'fail', code: 'AUTH_FAILED' });
  });
});

describe('oauth.config.remove', () => {
  it("forgets the user's client registration; the status says so, without a secret", async () => {
    const other = (await TestClient.connect(relay.url, await pairTokenForNewUser(relay, 'own-client'))).client;
    try {
      await other.request('oauth.config.set', { provider: 'microsoft', clientId: 'ms-own', tenant: 'consumers' });
      const { providers } = await other.request('oauth.config.get', {});
      expect(providers.find((p) => p.provider === 'microsoft')).toMatchObject({ clientId: 'ms-own', ready: true });
      const removed = await other.request('oauth.config.remove', { provider: 'microsoft' });
      expect(removed.provider).toMatchObject({ provider: 'microsoft', clientId: null, hasSecret: false, ready: false });
      // The default user's Google registration is still what this user falls back to.
      const after = await other.request('oauth.config.get', {});
      expect(after.providers.find((p) => p.provider === 'google')).toMatchObject({
        clientId: 'google-client',
        hasSecret: true,
      });
      expect(JSON.stringify(after)).not.toContain(SECRET);
    } finally {
      other.close();
    }
  });
});
