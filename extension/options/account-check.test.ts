// The account editor for OAuth2 accounts (issue 9: no password, "Sign in again") and its
// connection check with the re-trust of a changed certificate (issue 13).
import { describe, expect, it } from 'vitest';
import type { Diagnosis } from '../../shared/index.js';
import { details, diagnosis, fakeRelay, type Handlers } from '../testing/options-fakes.js';
import { OptionsState } from './options-state.svelte.js';

const OLD_PIN = '11:22:33';
/** The checklist of an account whose server now presents another self-signed certificate (AA:BB:CC). */
const changed: Diagnosis = diagnosis('selfSigned');

function page(handlers: Handlers, identity?: { redirect: (authUrl: string) => string }) {
  const relay = fakeRelay({ 'mailboxes.list': () => ({ mailboxes: [] }), ...handlers });
  if (identity)
    relay.deps.identity = {
      launchWebAuthFlow: async (url) => identity.redirect(url),
      redirectUrl: () => 'https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/',
    };
  return { relay, options: new OptionsState(relay.deps) };
}

describe('the editor of an OAuth2 account', () => {
  it('never sends a password or server settings, and signs the same account in again', async () => {
    const { relay, options } = page(
      {
        'accounts.get': () => ({ account: details({ oauthProvider: 'google', host: 'imap.gmail.com' }) }),
        'accounts.update': (p) => ({ account: details({ ...p.patch, oauthProvider: 'google' }), diagnosis: null }),
        'accounts.oauth.start': () => ({
          flow: 'authorization-code-pkce',
          flowId: 'flow-1',
          authorizationEndpoint: 'https://accounts.example/auth',
          clientId: 'cid',
          scope: 'https://mail.google.com/',
          params: {},
          expiresAt: Date.UTC(2026, 5, 1, 1),
        }),
        'accounts.oauth.redeem': () => ({ accountId: 'acc-1' }),
      },
      {
        redirect: (authUrl) =>
          `https://abcdefghijklmnopabcdefghijklmnop.chromiumapp.org/?code=c0de&state=${new URL(authUrl).searchParams.get('state')}`,
      },
    );
    const editor = await options.startEdit('acc-1');
    expect(editor.oauthProvider).toBe('google');

    editor.name = 'Gmail';
    editor.password = 'typed anyway';
    editor.server.host = 'evil.example';
    expect(await editor.save()).toBe(true);
    const update = relay.calls.find((c) => c.type === 'accounts.update');
    expect(update?.params).toEqual({ id: 'acc-1', patch: { name: 'Gmail' } });

    expect(await editor.signInAgain()).toBe(true);
    expect(relay.calls.find((c) => c.type === 'accounts.oauth.start')?.params).toEqual({
      provider: 'google',
      email: 'ada@example.org',
      accountId: 'acc-1',
    });
    expect(relay.calls.find((c) => c.type === 'accounts.oauth.redeem')?.params).toMatchObject({
      flowId: 'flow-1',
      code: 'c0de',
    });
    expect(editor.signedInAgain).toBe(true);
  });

  it('shows why a sign-in again failed and stays signed out of "done"', async () => {
    const { options } = page({
      'accounts.get': () => ({ account: details({ oauthProvider: 'microsoft' }) }),
      'accounts.oauth.start': () => ({ error: 'OAUTH_NOT_CONFIGURED' }),
    });
    const editor = await options.startEdit('acc-1');
    expect(await editor.signInAgain()).toBe(false);
    expect(editor.signIn?.state).toMatchObject({ status: 'failed', code: 'OAUTH_NOT_CONFIGURED' });
    expect(editor.signedInAgain).toBe(false);
  });
});

describe('checking a saved account and trusting its changed certificate', () => {
  it('runs the saved account checklist and offers the new certificate beside the pinned one', async () => {
    const { relay, options } = page({
      'accounts.get': () => ({ account: details({ pinnedFingerprint: OLD_PIN }) }),
      'accounts.diagnose': () => changed,
      'accounts.trustCertificate': (p) => ({
        account: details({ pinnedFingerprint: p.fingerprint }),
        diagnosis: diagnosis('ok'),
      }),
    });
    const editor = await options.startEdit('acc-1');
    const account = editor.account!;
    await editor.check.run(account);
    expect(relay.calls.find((c) => c.type === 'accounts.diagnose')?.params).toEqual({ accountId: 'acc-1' });
    const offered = editor.check.changedCertificate(account, relay.deps.now());
    expect(offered?.fingerprint256).toBe('AA:BB:CC');

    // Not before the user confirmed they compared it.
    expect(await editor.check.trustNew(account, offered!)).toBe(false);
    expect(relay.calls.some((c) => c.type === 'accounts.trustCertificate')).toBe(false);

    editor.check.confirmed = true;
    expect(await editor.check.trustNew(account, offered!)).toBe(true);
    expect(relay.calls.find((c) => c.type === 'accounts.trustCertificate')?.params).toEqual({
      id: 'acc-1',
      fingerprint: 'AA:BB:CC',
    });
    expect(editor.account?.pinnedFingerprint).toBe('AA:BB:CC');
    expect(editor.server.pinnedFingerprint).toBe('AA:BB:CC');
    expect(editor.check.trusted).toBe(true);
    expect(editor.check.diagnosis?.ok).toBe(true);
    // Now pinned to what the server presents: nothing more to offer.
    expect(editor.check.changedCertificate(editor.account!, relay.deps.now())).toBeNull();
  });

  it('keeps the old pin and says why when the relay refuses the fingerprint', async () => {
    const { options } = page({
      'accounts.get': () => ({ account: details({ pinnedFingerprint: OLD_PIN }) }),
      'accounts.diagnose': () => changed,
      'accounts.trustCertificate': () => ({ error: 'TLS_FAILED' }),
    });
    const editor = await options.startEdit('acc-1');
    await editor.check.run(editor.account!);
    editor.check.confirmed = true;
    const offered = editor.check.changedCertificate(editor.account!, Date.UTC(2026, 5, 1))!;
    expect(await editor.check.trustNew(editor.account!, offered)).toBe(false);
    expect(editor.check.trustError?.code).toBe('TLS_FAILED');
    expect(editor.account?.pinnedFingerprint).toBe(OLD_PIN);
    expect(editor.check.trusted).toBe(false);
  });

  it('offers nothing for an unpinned account, an expired certificate, or a check that failed', async () => {
    const { options } = page({
      'accounts.get': () => ({ account: details() }),
      'accounts.diagnose': () => ({ error: 'RATE_LIMITED' }),
    });
    const editor = await options.startEdit('acc-1');
    const account = editor.account!;
    await editor.check.run(account);
    expect(editor.check.state).toMatchObject({ status: 'error', error: { code: 'RATE_LIMITED' } });
    expect(editor.check.changedCertificate(account, Date.UTC(2026, 5, 1))).toBeNull();

    editor.check.state = { status: 'done', diagnosis: changed };
    expect(editor.check.changedCertificate(account, Date.UTC(2026, 5, 1))).toBeNull();
    const pinned = { ...account, pinnedFingerprint: OLD_PIN };
    expect(editor.check.changedCertificate(pinned, Date.UTC(2026, 5, 1))).not.toBeNull();
    expect(editor.check.changedCertificate(pinned, Date.UTC(2028, 0, 1))).toBeNull();
  });
});
