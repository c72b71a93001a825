// Issue 9, OAuth2 accounts end to end against real parts: the relay process, a local OAuth2
// provider (test/harness/oauth-provider.ts) standing in for Microsoft and Google, and Dovecot with
// an `oauth2` passdb that introspects every token at that provider, so expiry and revocation are
// enforced by the IMAP server itself. Covers: client registrations (CLI and socket, never the
// secret back), device-code sign-in, authorization code + PKCE (verified by the provider), a
// token expiring during IDLE (refreshed, reconnected, no mail missed), a refused refresh
// (REAUTH_REQUIRED after `doveadm kick`, then "sign in again"), one refresh for two connections,
// and no token in the store, the relay log or an error message.
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestResult } from '../../shared/index.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { appendMessage } from '../harness/mail.js';
import { startOAuthProvider, type LocalOAuthProvider } from '../harness/oauth-provider.js';
import { rejection, TestClient } from '../harness/protocol-client.js';
import { runRelayCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken, trustTestCaEnv } from '../harness/setup-fixtures.js';

const GOOGLE_SECRET = `gsecret-${randomBytes(8).toString('hex')}`;
const REDIRECT_URI = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';

let provider: LocalOAuthProvider;
let dovecot: Dovecot;
let relay: RelayProcess;
let token: string;
let client: TestClient;

beforeAll(async () => {
  provider = await startOAuthProvider();
  provider.registerClient({ clientId: 'ms-client' });
  provider.registerClient({ clientId: 'google-client', clientSecret: GOOGLE_SECRET });
  dovecot = await startDovecot({ oauth2: { introspectionUrl: provider.endpoints.introspection } });
  const endpoints = {
    microsoft: { deviceAuthorization: provider.endpoints.deviceAuthorization, token: provider.endpoints.token },
    google: { authorization: provider.endpoints.authorization, token: provider.endpoints.token },
  };
  relay = await startRelayProcess({
    env: { ...trustTestCaEnv(dovecot), TIDINGS_OAUTH_ENDPOINTS: JSON.stringify(endpoints) },
  });
  token = await pairToken(relay);
  client = (await TestClient.connect(relay.url, token)).client;
});

afterAll(async () => {
  client?.close();
  await relay?.stop();
  await dovecot?.stop();
  await provider?.close();
});

const server = () => ({
  host: dovecot.host,
  port: dovecot.imapsPort,
  security: 'tls' as const,
  pinnedFingerprint: null,
});

function stateOf(accountId: string): string | undefined {
  return client.latestState(accountId);
}

/** Device-code sign-in as the options page drives it; the "user" approves at the provider. */
async function signInWithDeviceCode(user: ImapUser, accountId?: string): Promise<string> {
  const started = await client.request('accounts.oauth.start', {
    provider: 'microsoft',
    email: user.username,
    server: server(),
    ...(accountId ? { accountId } : {}),
  });
  if (started.flow !== 'device-code') throw new Error('expected a device-code flow');
  expect(started.verificationUri).toBe(`${provider.url}/device`);
  expect(await client.request('accounts.oauth.poll', { flowId: started.flowId })).toMatchObject({ status: 'pending' });
  provider.approveDevice(started.userCode, user.username);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const result = await client.request('accounts.oauth.poll', { flowId: started.flowId });
    if (result.status === 'done') return result.accountId;
    if (result.status === 'failed') throw new Error(`sign-in failed: ${result.error.code} ${result.error.message}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the device-code sign-in did not finish within 15 s');
}

async function waitOnline(accountId: string, timeoutMs = 15_000): Promise<void> {
  await client.waitFor(() => stateOf(accountId) === 'online', timeoutMs, `account ${accountId} online`);
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** What launchWebAuthFlow does: open the authorization URL and read the code off the redirect. */
async function authorize(
  started: Extract<RequestResult<'accounts.oauth.start'>, { flow: 'authorization-code-pkce' }>,
  challenge: string,
): Promise<string> {
  const url = new URL(started.authorizationEndpoint);
  const state = randomBytes(8).toString('hex');
  for (const [k, v] of Object.entries({
    ...started.params,
    client_id: started.clientId,
    scope: started.scope,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }))
    url.searchParams.set(k, v);
  const res = await fetch(url, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.origin + location.pathname).toBe(REDIRECT_URI);
  expect(location.searchParams.get('state')).toBe(state);
  return location.searchParams.get('code') ?? '';
}

describe('client registrations', () => {
  it('refuses to start a sign-in before a client id is set, saying what to run', async () => {
    const err = await rejection(
      client.request('accounts.oauth.start', { provider: 'google', email: 'a@gmail.com', server: server() }),
    );
    expect(err.error.code).toBe('OAUTH_NOT_CONFIGURED');
    expect(err.error.message).toContain('npm run relay -- oauth set google');
  });

  it('stores the Microsoft client id from the CLI and the Google one from the socket; never returns the secret', async () => {
    const cli = await runRelayCli(['oauth', 'set', 'microsoft', '--client-id', 'ms-client'], {
      dataDir: relay.dataDir,
    });
    expect(cli.code, cli.stderr).toBe(0);
    const set = await client.request('oauth.config.set', {
      provider: 'google',
      clientId: 'google-client',
      clientSecret: GOOGLE_SECRET,
    });
    expect(set.provider).toEqual({
      provider: 'google',
      flow: 'authorization-code-pkce',
      clientId: 'google-client',
      hasSecret: true,
      tenant: null,
      ready: true,
    });
    const { providers } = await client.request('oauth.config.get', {});
    expect(providers.find((p) => p.provider === 'microsoft')).toMatchObject({
      clientId: 'ms-client',
      hasSecret: false,
      tenant: 'common',
      ready: true,
    });
    expect(JSON.stringify({ set, providers })).not.toContain(GOOGLE_SECRET);
    // Discovery now offers the right path: Microsoft only with OAuth2, Gmail with either.
    expect((await client.request('accounts.discover', { email: 'someone@hotmail.com' })).oauth).toEqual({
      provider: 'microsoft',
      signIn: 'required',
      appPasswordUrl: null,
      configured: true,
      via: 'domain',
    });
    expect((await client.request('accounts.discover', { email: 'someone@gmail.com' })).oauth).toMatchObject({
      provider: 'google',
      signIn: 'recommended',
      appPasswordUrl: 'https://myaccount.google.com/apppasswords',
    });
    const list = await runRelayCli(['oauth', 'list'], { dataDir: relay.dataDir });
    expect(list.stdout).toMatch(/google\s+authorization-code-pkce\s+google-client\s+yes/);
    expect(list.stdout).not.toContain(GOOGLE_SECRET);
  });
});

describe('device-code sign-in (Microsoft)', () => {
  it('adds the account once the user enters the code; the watcher signs in with the token and pushes mail', async () => {
    const user = await dovecot.addUser({ username: `dc-${randomBytes(3).toString('hex')}@example.test` });
    const accountId = await signInWithDeviceCode(user);
    await waitOnline(accountId);
    const { accounts } = await client.request('accounts.list', {});
    expect(accounts.find((a) => a.id === accountId)).toMatchObject({
      username: user.username,
      oauthProvider: 'microsoft',
      state: { status: 'online' },
    });
    const before = client.events.length;
    await appendMessage(dovecot, user, { subject: 'over oauth' });
    await client.waitFor(
      () => client.events.slice(before).some((e) => e.event === 'message.new' && e.payload.accountId === accountId),
      10_000,
      'message.new',
    );
    // No password to set, no server to change; renaming works and does not touch the token.
    const refused = await rejection(client.request('accounts.update', { id: accountId, patch: {}, password: 'x' }));
    expect(refused.error.code).toBe('BAD_REQUEST');
    expect((await rejection(client.request('accounts.update', { id: accountId, patch: { port: 1 } }))).error.code).toBe(
      'BAD_REQUEST',
    );
    const renamed = await client.request('accounts.update', { id: accountId, patch: { name: 'Renamed' } });
    expect(renamed.account.name).toBe('Renamed');
    // The command connection signs in with the token too.
    const { mailboxes } = await client.request('mailboxes.list', { accountId });
    expect(mailboxes.find((m) => m.path === 'INBOX')?.total).toBe(1);
  });

  it('reports a declined sign-in as failed, and an unknown flow as NOT_FOUND', async () => {
    const started = await client.request('accounts.oauth.start', {
      provider: 'microsoft',
      email: 'nobody@example.test',
      server: server(),
    });
    if (started.flow !== 'device-code') throw new Error('expected a device-code flow');
    provider.denyDevice(started.userCode);
    let result: RequestResult<'accounts.oauth.poll'> = { status: 'pending', expiresAt: 0 };
    const deadline = Date.now() + 10_000;
    while (result.status === 'pending' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      result = await client.request('accounts.oauth.poll', { flowId: started.flowId });
    }
    expect(result).toMatchObject({ status: 'failed', error: { code: 'OAUTH_REFUSED' } });
    expect((await rejection(client.request('accounts.oauth.poll', { flowId: 'nope' }))).error.code).toBe('NOT_FOUND');
  });
});

describe('authorization code + PKCE (Google)', () => {
  it('redeems the code with the verifier; a wrong verifier is refused by the provider', async () => {
    const user = await dovecot.addUser({ username: `ac-${randomBytes(3).toString('hex')}@example.test` });
    provider.autoApprove = user.username;
    try {
      const first = await client.request('accounts.oauth.start', {
        provider: 'google',
        email: user.username,
        server: server(),
        name: 'Gmail test',
      });
      if (first.flow !== 'authorization-code-pkce') throw new Error('expected an authorization-code flow');
      expect(first).toMatchObject({
        clientId: 'google-client',
        scope: 'https://mail.google.com/',
        params: { access_type: 'offline', prompt: 'consent', login_hint: user.username },
      });
      const wrong = pkce();
      const code1 = await authorize(first, wrong.challenge);
      const refused = await rejection(
        client.request('accounts.oauth.redeem', {
          flowId: first.flowId,
          code: code1,
          codeVerifier: pkce().verifier,
          redirectUri: REDIRECT_URI,
        }),
      );
      expect(refused.error.code).toBe('OAUTH_REFUSED');

      const second = await client.request('accounts.oauth.start', {
        provider: 'google',
        email: user.username,
        server: server(),
        name: 'Gmail test',
      });
      if (second.flow !== 'authorization-code-pkce') throw new Error('expected an authorization-code flow');
      const right = pkce();
      const code2 = await authorize(second, right.challenge);
      const { accountId } = await client.request('accounts.oauth.redeem', {
        flowId: second.flowId,
        code: code2,
        codeVerifier: right.verifier,
        redirectUri: REDIRECT_URI,
      });
      await waitOnline(accountId);
      const { account } = await client.request('accounts.get', { id: accountId });
      expect(account).toMatchObject({ name: 'Gmail test', username: user.username, host: dovecot.host });
      // A code works once.
      const again = await rejection(
        client.request('accounts.oauth.redeem', {
          flowId: second.flowId,
          code: code2,
          codeVerifier: right.verifier,
          redirectUri: REDIRECT_URI,
        }),
      );
      expect(again.error.code).toBe('BAD_REQUEST');
    } finally {
      provider.autoApprove = null;
    }
  });
});

describe('token lifetime', () => {
  it('refreshes an access token that expired during IDLE and misses no mail across the reconnect', async () => {
    provider.accessTokenTtlMs = 2_000;
    try {
      const user = await dovecot.addUser({ username: `ex-${randomBytes(3).toString('hex')}@example.test` });
      const accountId = await signInWithDeviceCode(user);
      await waitOnline(accountId);
      expect(provider.refreshes(user.username)).toBe(0);
      // Let the token expire while the watcher idles, then end the session the way Microsoft does
      // at expiry; mail arrives while the watcher is away.
      await new Promise((r) => setTimeout(r, 2_500));
      await dovecot.kick(user.username);
      await appendMessage(dovecot, user, { subject: 'while reconnecting' });
      await client.waitFor(
        () =>
          client.events.some(
            (e) =>
              e.event === 'message.new' &&
              e.payload.accountId === accountId &&
              e.payload.rows.some((r) => r.subject === 'while reconnecting'),
          ),
        15_000,
        'the message that arrived during the reconnect',
      );
      await waitOnline(accountId);
      expect(provider.refreshes(user.username)).toBeGreaterThanOrEqual(1);
    } finally {
      provider.accessTokenTtlMs = 3_600_000;
    }
  });

  it('shares one refresh between two connections that need a token at once', async () => {
    provider.accessTokenTtlMs = 2_000;
    try {
      const user = await dovecot.addUser({ username: `st-${randomBytes(3).toString('hex')}@example.test` });
      const accountId = await signInWithDeviceCode(user);
      await waitOnline(accountId);
      await new Promise((r) => setTimeout(r, 2_500));
      // A slow token endpoint holds the first refresh open while the second connection asks.
      provider.slowMs = 2_500;
      const listing = client.request('mailboxes.list', { accountId });
      await dovecot.kick(user.username);
      await listing;
      await waitOnline(accountId);
      expect(provider.refreshes(user.username)).toBe(1);
    } finally {
      provider.slowMs = 0;
      provider.accessTokenTtlMs = 3_600_000;
    }
  });

  it('puts the account into REAUTH_REQUIRED when the provider refuses the refresh, and signing in again recovers it', async () => {
    const user = await dovecot.addUser({ username: `rv-${randomBytes(3).toString('hex')}@example.test` });
    const accountId = await signInWithDeviceCode(user);
    await waitOnline(accountId);
    // The user removes the app's access at the provider. Dovecot keeps the open session (it never
    // re-checks a token), so cut it as the provider would.
    provider.revokeUser(user.username);
    await dovecot.kick(user.username);
    await client.waitFor(() => stateOf(accountId) === 'error:REAUTH_REQUIRED', 15_000, 'REAUTH_REQUIRED');
    const { accounts } = await client.request('accounts.list', {});
    expect(accounts.find((a) => a.id === accountId)?.state).toMatchObject({
      status: 'error',
      code: 'REAUTH_REQUIRED',
      retryAt: null,
    });
    // Requests fail with the same code instead of storming the provider.
    expect((await rejection(client.request('mailboxes.list', { accountId }))).error.code).toBe('REAUTH_REQUIRED');

    const again = await signInWithDeviceCode(user, accountId);
    expect(again).toBe(accountId);
    await waitOnline(accountId);
    expect((await client.request('mailboxes.list', { accountId })).mailboxes.length).toBeGreaterThan(0);
  });
});

describe('secrets', () => {
  it('keeps every token and the client secret out of the store file, the relay log and error messages', async () => {
    expect(provider.issuedTokens.length).toBeGreaterThan(5);
    const files = readdirSync(relay.dataDir).filter((f) => f.startsWith('tidings.db'));
    const stored = files.map((f) => readFileSync(join(relay.dataDir, f)).toString('latin1')).join('\n');
    const logs = relay.output();
    const errors = JSON.stringify(client.errors);
    for (const secret of [...provider.issuedTokens, GOOGLE_SECRET]) {
      expect(stored.includes(secret), 'a token or secret in the store').toBe(false);
      expect(logs.includes(secret), 'a token or secret in the relay log').toBe(false);
      expect(errors.includes(secret)).toBe(false);
      // base64 forms (XOAUTH2/OAUTHBEARER carry the token base64-encoded).
      expect(logs.includes(Buffer.from(secret).toString('base64').slice(0, 24))).toBe(false);
    }
    // The refresh tokens are there, encrypted: one v1 envelope per OAuth2 account.
    expect(logs).toContain('access token refreshed');
  });
});
