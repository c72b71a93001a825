import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RequestParams, RequestResult, RequestType } from '../../shared/index.js';
import { testTranslator } from '../testing/translator.js';
import type { CallResult } from './options-common.js';
import { OAuthSignIn, type OAuthSignInDeps } from './oauth-sign-in.svelte.js';

const REDIRECT = 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/';

type Answers = { [T in RequestType]?: (params: RequestParams<T>) => CallResult<RequestResult<T>> };

function deps(answers: Answers, launch: (url: string) => Promise<string> = () => Promise.reject(new Error('no'))) {
  const calls: { type: RequestType; params: unknown }[] = [];
  const d: OAuthSignInDeps = {
    call: async <T extends RequestType>(type: T, params: RequestParams<T>) => {
      calls.push({ type, params });
      const answer = answers[type] as ((p: RequestParams<T>) => CallResult<RequestResult<T>>) | undefined;
      if (!answer) return { ok: false, error: { code: 'UNKNOWN_TYPE', message: type } };
      return answer(params);
    },
    t: testTranslator('en'),
    now: () => 0,
    launchWebAuthFlow: launch,
    redirectUrl: () => REDIRECT,
    sleep: async () => undefined,
  };
  return { d, calls };
}

const googleStart = (): CallResult<RequestResult<'accounts.oauth.start'>> => ({
  ok: true,
  result: {
    flow: 'authorization-code-pkce',
    flowId: 'f1',
    authorizationEndpoint: 'https://accounts.example/auth',
    clientId: 'cid',
    scope: 'https://mail.google.com/',
    params: { access_type: 'offline', login_hint: 'ada@gmail.com' },
    expiresAt: 1,
  },
});

describe('OAuthSignIn', () => {
  it('device code: shows the code, polls until the relay reports the account', async () => {
    let polls = 0;
    const { d, calls } = deps({
      'accounts.oauth.start': () => ({
        ok: true,
        result: {
          flow: 'device-code',
          flowId: 'f1',
          userCode: 'ABCD-1234',
          verificationUri: 'https://microsoft.com/devicelogin',
          verificationUriComplete: null,
          expiresAt: 900_000,
        },
      }),
      'accounts.oauth.poll': () =>
        ++polls < 3
          ? { ok: true, result: { status: 'pending', expiresAt: 900_000 } }
          : { ok: true, result: { status: 'done', accountId: 'acc1' } },
    });
    const signIn = new OAuthSignIn(d, 'microsoft');
    const seen: string[] = [];
    const running = signIn.start({ email: 'ada@outlook.com' });
    seen.push(signIn.state.status);
    expect(await running).toBe('acc1');
    expect(signIn.state).toEqual({ status: 'done', accountId: 'acc1' });
    expect(calls.filter((c) => c.type === 'accounts.oauth.poll')).toHaveLength(3);
    expect(calls[0]).toEqual({
      type: 'accounts.oauth.start',
      params: { provider: 'microsoft', email: 'ada@outlook.com' },
    });
  });

  it('device code: a failed flow shows the code’s hint', async () => {
    const { d } = deps({
      'accounts.oauth.start': () => ({
        ok: true,
        result: {
          flow: 'device-code',
          flowId: 'f1',
          userCode: 'X',
          verificationUri: 'https://v.example',
          verificationUriComplete: null,
          expiresAt: 1,
        },
      }),
      'accounts.oauth.poll': () => ({
        ok: true,
        result: { status: 'failed', error: { code: 'OAUTH_REFUSED', message: 'declined' } },
      }),
    });
    const signIn = new OAuthSignIn(d, 'microsoft');
    expect(await signIn.start({ email: 'a@outlook.com' })).toBeNull();
    expect(signIn.state).toMatchObject({
      status: 'failed',
      code: 'OAUTH_REFUSED',
      technical: 'OAUTH_REFUSED: declined',
    });
  });

  it('Google: sends the S256 challenge of the verifier it later hands to the relay, and checks state', async () => {
    let opened = '';
    const { d, calls } = deps(
      {
        'accounts.oauth.start': googleStart,
        'accounts.oauth.redeem': () => ({ ok: true, result: { accountId: 'acc2' } }),
      },
      async (url) => {
        opened = url;
        const u = new URL(url);
        return `${REDIRECT}?code=the-code&state=${u.searchParams.get('state')}`;
      },
    );
    const signIn = new OAuthSignIn(d, 'google');
    expect(await signIn.start({ email: 'ada@gmail.com' })).toBe('acc2');
    const url = new URL(opened);
    expect(url.origin + url.pathname).toBe('https://accounts.example/auth');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: 'cid',
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge_method: 'S256',
      access_type: 'offline',
      login_hint: 'ada@gmail.com',
    });
    const redeem = calls.find((c) => c.type === 'accounts.oauth.redeem')
      ?.params as RequestParams<'accounts.oauth.redeem'>;
    expect(redeem).toMatchObject({ flowId: 'f1', code: 'the-code', redirectUri: REDIRECT });
    expect(redeem.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(url.searchParams.get('code_challenge')).toBe(
      createHash('sha256').update(redeem.codeVerifier).digest('base64url'),
    );
  });

  it('Google: refuses a redirect with another state, and reports a closed window', async () => {
    const wrongState = deps({ 'accounts.oauth.start': googleStart }, async () => `${REDIRECT}?code=c&state=forged`);
    const a = new OAuthSignIn(wrongState.d, 'google');
    expect(await a.start({ email: 'ada@gmail.com' })).toBeNull();
    expect(a.state).toMatchObject({ status: 'failed', code: 'OAUTH_REFUSED' });
    expect(wrongState.calls.some((c) => c.type === 'accounts.oauth.redeem')).toBe(false);

    const closed = deps({ 'accounts.oauth.start': googleStart }, () =>
      Promise.reject(new Error('The user did not approve access.')),
    );
    const b = new OAuthSignIn(closed.d, 'google');
    expect(await b.start({ email: 'ada@gmail.com' })).toBeNull();
    expect(b.state).toMatchObject({ status: 'failed', technical: 'The user did not approve access.' });
  });
});
