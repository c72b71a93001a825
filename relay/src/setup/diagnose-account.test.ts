// The token step of a saved OAuth2 account's checklist (issue 9) goes through the network reach
// policy, and each way it fails becomes a step with a code, never a thrown error or a token.
// Real store, secret box, token manager and node:http; nothing else runs (no IMAP is reached).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountSecretContext, createSecretBox } from '../crypto/secret-box.js';
import { silentLogger } from '../log.js';
import { saveClientConfig } from '../oauth/client-config.js';
import { OAuthTokens } from '../oauth/token-manager.js';
import { newRecordId } from '../store/ids.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Account, Store } from '../store/types.js';
import { diagnoseAccount } from './diagnose-account.js';

const REFRESH_TOKEN = `rt-${randomBytes(8).toString('hex')}`;
let dir: string;
let store: Store;
let server: Server | null = null;
const secretBox = createSecretBox(randomBytes(32));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidings-diag-account-'));
  store = openSqliteStore({ path: join(dir, 'tidings.db') });
});

afterEach(async () => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

function oauthAccount(): Account {
  const user = store.ensureDefaultUser();
  saveClientConfig({ store, secretBox, userId: user.id, provider: 'microsoft', clientId: 'ms-client' });
  const id = newRecordId();
  const owner = { userId: user.id, id, host: 'outlook.office365.com', username: 'ada@outlook.com' };
  return store.createAccount({
    id,
    userId: user.id,
    name: 'Outlook',
    host: owner.host,
    port: 993,
    security: 'tls',
    username: owner.username,
    secretEnc: secretBox.encrypt(REFRESH_TOKEN, accountSecretContext(owner)),
    watchedMailboxes: ['INBOX'],
    pinnedFingerprint: null,
    caPem: null,
    auth: { kind: 'oauth2', provider: 'microsoft', signedInAt: 1 },
  });
}

/** A token endpoint on loopback answering every request with `status` and `body`. */
async function tokenEndpoint(status: number, body: object): Promise<string> {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
}

async function check(tokenUrl: string, allowPrivate: boolean) {
  const account = oauthAccount();
  const tokens = new OAuthTokens({
    store,
    secretBox,
    log: silentLogger,
    overrides: { microsoft: { token: tokenUrl } },
  });
  return diagnoseAccount({ account, secretBox, tokens, reach: { allowPrivate } });
}

describe('diagnoseAccount: the token step', () => {
  it('refuses a token endpoint the reach policy forbids, before any request, as BAD_REQUEST', async () => {
    let requests = 0;
    const url = await tokenEndpoint(200, { access_token: 'at', expires_in: 3600 });
    server?.on('request', () => (requests += 1));
    const { diagnosis, failure } = await check(url, false);
    expect(diagnosis.steps[0]).toMatchObject({ id: 'token', status: 'fail', code: 'BAD_REQUEST' });
    expect(diagnosis.steps[0]?.detail).toContain('does not connect');
    expect(diagnosis.steps.slice(1).every((s) => s.status === 'skipped')).toBe(true);
    expect(failure?.code).toBe('BAD_REQUEST');
    expect(requests).toBe(0);
  });

  it('reports a refused refresh (invalid_grant) as REAUTH_REQUIRED, with no token in the words', async () => {
    const url = await tokenEndpoint(400, { error: 'invalid_grant', error_description: 'revoked' });
    const { diagnosis } = await check(url, true);
    expect(diagnosis.steps[0]).toMatchObject({ id: 'token', status: 'fail', code: 'REAUTH_REQUIRED' });
    expect(JSON.stringify(diagnosis)).not.toContain(REFRESH_TOKEN);
  });

  it('reports a client the provider refuses as OAUTH_REFUSED, and a dead endpoint as UNREACHABLE', async () => {
    const refused = await check(await tokenEndpoint(401, { error: 'invalid_client' }), true);
    expect(refused.diagnosis.steps[0]).toMatchObject({ status: 'fail', code: 'OAUTH_REFUSED' });
    const dead = await check('http://127.0.0.1:9/token', true);
    expect(dead.diagnosis.steps[0]).toMatchObject({ status: 'fail', code: 'UNREACHABLE' });
  });

  it('fails "scopes granted" when the renewed token lacks the IMAP scope, and tries no IMAP', async () => {
    const url = await tokenEndpoint(200, { access_token: 'at', expires_in: 3600, scope: 'openid offline_access' });
    const { diagnosis } = await check(url, true);
    expect(diagnosis.steps.slice(0, 2)).toMatchObject([
      { id: 'token', status: 'ok' },
      { id: 'scopes', status: 'fail', code: 'OAUTH_REFUSED' },
    ]);
    expect(diagnosis.steps[1]?.detail).toContain('https://outlook.office.com/IMAP.AccessAsUser.All');
    expect(diagnosis.steps.find((s) => s.id === 'dns')?.status).toBe('skipped');
  });
});
