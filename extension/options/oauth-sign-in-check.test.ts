// A sign-in whose token failed the checklist (issue 9) shows that checklist, with the token steps,
// for both flows: from the device-code poll, and fetched after a refused redeem.
import { describe, expect, it } from 'vitest';
import type { Diagnosis, DiagnosisStep } from '../../shared/index.js';
import { fakeRelay } from '../testing/options-fakes.js';
import { OAuthSignIn } from './oauth-sign-in.svelte.js';
import { createSignIn } from './options-common.js';

const skipped = (id: DiagnosisStep['id']): DiagnosisStep => ({
  id,
  status: 'skipped',
  detail: '',
  hint: null,
  ms: null,
});
const scopeFailure: Diagnosis = {
  ok: false,
  steps: [
    { id: 'token', status: 'ok', detail: 'issued', hint: null, ms: null },
    { id: 'scopes', status: 'fail', code: 'OAUTH_REFUSED', detail: 'lacks scope', hint: null, ms: null },
    ...(['dns', 'tcp', 'tls', 'capabilities', 'auth'] as const).map(skipped),
  ],
  addresses: [],
  tlsVersion: null,
  certificate: null,
  capabilities: [],
  rttMs: null,
  error: null,
};
const refused = { code: 'OAUTH_REFUSED' as const, message: 'Mail access was not granted' };

describe('a sign-in that failed its checklist', () => {
  it('device code: keeps the checklist from the poll, against the provider server and the address', async () => {
    const relay = fakeRelay({
      'accounts.oauth.start': () => ({
        flow: 'device-code',
        flowId: 'f1',
        userCode: 'ABCD',
        verificationUri: 'https://microsoft.com/devicelogin',
        verificationUriComplete: null,
        expiresAt: 1,
      }),
      'accounts.oauth.poll': () => ({ status: 'failed', error: refused, diagnosis: scopeFailure }),
    });
    const { call, t, now } = relay.deps;
    const signIn = new OAuthSignIn(
      { call, t, now, launchWebAuthFlow: async () => '', redirectUrl: () => '', sleep: async () => undefined },
      'microsoft',
    );
    expect(await signIn.start({ email: 'ada@outlook.com' })).toBeNull();
    if (signIn.state.status !== 'failed') throw new Error('expected a failed sign-in');
    expect(signIn.state.code).toBe('OAUTH_REFUSED');
    expect(signIn.state.check).toMatchObject({
      diagnosis: scopeFailure,
      provider: 'microsoft',
      settings: { host: 'outlook.office365.com', port: 993, security: 'tls', username: 'ada@outlook.com' },
    });
  });

  it('authorization code: fetches the checklist of a refused redeem from the flow', async () => {
    const relay = fakeRelay({
      'accounts.oauth.start': () => ({
        flow: 'authorization-code-pkce',
        flowId: 'f2',
        authorizationEndpoint: 'https://accounts.example/auth',
        clientId: 'cid',
        scope: 'https://mail.google.com/',
        params: {},
        expiresAt: 1,
      }),
      'accounts.oauth.redeem': () => ({ error: 'OAUTH_REFUSED' }),
      'accounts.oauth.poll': () => ({ status: 'failed', error: refused, diagnosis: scopeFailure }),
    });
    relay.deps.identity = {
      launchWebAuthFlow: async (url) =>
        `https://x.chromiumapp.org/?code=c&state=${new URL(url).searchParams.get('state')}`,
      redirectUrl: () => 'https://x.chromiumapp.org/',
    };
    const signIn = createSignIn(relay.deps, 'google');
    const server = { host: 'imap.example.org', port: 993, security: 'tls' as const, pinnedFingerprint: null };
    expect(await signIn.start({ email: 'ada@example.org', server })).toBeNull();
    expect(relay.calls.map((c) => c.type)).toEqual([
      'accounts.oauth.start',
      'accounts.oauth.redeem',
      'accounts.oauth.poll',
    ]);
    if (signIn.state.status !== 'failed') throw new Error('expected a failed sign-in');
    expect(signIn.state.check?.settings).toEqual({ ...server, username: 'ada@example.org' });
    expect(signIn.state.check?.diagnosis.steps[1]?.status).toBe('fail');
  });

  it('shows no checklist when the relay has none for the failure', async () => {
    const relay = fakeRelay({ 'accounts.oauth.start': () => ({ error: 'OAUTH_NOT_CONFIGURED' }) });
    const signIn = createSignIn(relay.deps, 'google');
    await signIn.start({ email: 'ada@gmail.com' });
    expect(signIn.state).toMatchObject({ status: 'failed', code: 'OAUTH_NOT_CONFIGURED' });
    expect(signIn.state.status === 'failed' && signIn.state.check).toBeFalsy();
  });
});
