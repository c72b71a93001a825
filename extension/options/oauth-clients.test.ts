// "Sign-in apps" on the options page (issue 9): client ids set, replaced and removed through the
// relay; a secret is sent once and never shown.
import { describe, expect, it } from 'vitest';
import type { OAuthClientStatus } from '../../shared/index.js';
import { fakeRelay } from '../testing/options-fakes.js';
import { OAuthClients } from './oauth-clients.svelte.js';

const google = (over: Partial<OAuthClientStatus> = {}): OAuthClientStatus => ({
  provider: 'google',
  flow: 'authorization-code-pkce',
  clientId: null,
  hasSecret: false,
  tenant: null,
  ready: false,
  ...over,
});
const microsoft = (over: Partial<OAuthClientStatus> = {}): OAuthClientStatus => ({
  provider: 'microsoft',
  flow: 'device-code',
  clientId: null,
  hasSecret: false,
  tenant: 'common',
  ready: false,
  ...over,
});

function world(statuses: OAuthClientStatus[]) {
  const relay = fakeRelay({
    'oauth.config.get': () => ({ providers: statuses }),
    'oauth.config.set': (p) => ({
      provider:
        p.provider === 'google'
          ? google({ clientId: p.clientId, hasSecret: true, ready: true })
          : microsoft({ clientId: p.clientId, tenant: p.tenant ?? 'common', ready: true }),
    }),
    'oauth.config.remove': (p) => ({ provider: p.provider === 'google' ? google() : microsoft() }),
  });
  relay.deps.identity = {
    launchWebAuthFlow: async () => '',
    redirectUrl: () => 'https://oihelfjcondonnbdjhopoammfceepnjd.chromiumapp.org/',
  };
  return { relay, clients: new OAuthClients(relay.deps) };
}

describe('OAuthClients', () => {
  it('lists the providers of the table with their state, and the redirect URI to register', async () => {
    const { clients } = world([google({ clientId: 'g-id', hasSecret: false })]);
    await clients.load();
    expect(clients.statuses?.map((s) => s.provider)).toEqual(['google', 'microsoft']);
    expect(clients.readiness('google')).toBe('needsSecret');
    expect(clients.readiness('microsoft')).toBe('notSet');
    expect(clients.redirectUrl()).toBe('https://oihelfjcondonnbdjhopoammfceepnjd.chromiumapp.org/');
  });

  it('sets a Google client id with its secret once, then clears the secret field', async () => {
    const { relay, clients } = world([]);
    await clients.load();
    clients.edit('google');
    clients.form.clientId = '  g-id.apps.googleusercontent.com ';
    expect(await clients.save()).toBe(false);
    expect(clients.errors.clientSecret).toBe('Google needs the client secret too.');
    clients.form.clientSecret = 'GOCSPX-secret';
    expect(await clients.save()).toBe(true);
    expect(relay.calls.at(-1)).toEqual({
      type: 'oauth.config.set',
      params: { provider: 'google', clientId: 'g-id.apps.googleusercontent.com', clientSecret: 'GOCSPX-secret' },
    });
    expect(clients.form.clientSecret).toBe('');
    expect(clients.readiness('google')).toBe('ready');
    expect(clients.editing).toBeNull();
  });

  it('replaces a client id keeping the stored secret when the field stays empty', async () => {
    const { relay, clients } = world([google({ clientId: 'old', hasSecret: true, ready: true })]);
    await clients.load();
    clients.edit('google');
    expect(clients.form.clientId).toBe('old');
    clients.form.clientId = 'new';
    expect(await clients.save()).toBe(true);
    expect(relay.calls.at(-1)?.params).toEqual({ provider: 'google', clientId: 'new' });
  });

  it('sends a Microsoft tenant (empty = the default) and refuses a malformed one', async () => {
    const { relay, clients } = world([]);
    await clients.load();
    clients.edit('microsoft');
    clients.form.clientId = '1111-2222';
    clients.form.tenant = 'not a tenant/';
    expect(await clients.save()).toBe(false);
    expect(clients.errors.tenant).toBeDefined();
    clients.form.tenant = '';
    expect(await clients.save()).toBe(true);
    expect(relay.calls.at(-1)?.params).toEqual({ provider: 'microsoft', clientId: '1111-2222', tenant: null });
  });

  it('removes a registration only after confirmation', async () => {
    const { relay, clients } = world([google({ clientId: 'g', hasSecret: true, ready: true })]);
    await clients.load();
    expect(await clients.remove('google')).toBe(false);
    expect(clients.confirmRemove).toBe('google');
    expect(relay.calls.some((c) => c.type === 'oauth.config.remove')).toBe(false);
    expect(await clients.remove('google')).toBe(true);
    expect(clients.readiness('google')).toBe('notSet');
  });

  it('shows a failed load and a refused save in the user language', async () => {
    const relay = fakeRelay({
      'oauth.config.get': () => ({ error: 'UNREACHABLE' }),
      'oauth.config.set': () => ({ error: 'BAD_REQUEST' }),
    });
    const clients = new OAuthClients(relay.deps);
    await clients.load();
    expect(clients.loadError?.code).toBe('UNREACHABLE');
    clients.edit('microsoft');
    clients.form.clientId = 'x';
    expect(await clients.save()).toBe(false);
    expect(clients.saveError?.code).toBe('BAD_REQUEST');
    expect(clients.redirectUrl()).toBeNull();
  });
});
