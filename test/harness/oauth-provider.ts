/**
 * A local OAuth2 authorization server for tests (plain node:http on 127.0.0.1): enough of RFC 6749
 * (authorization code, refresh), RFC 7636 (PKCE, S256 only), RFC 8628 (device authorization),
 * RFC 7009 (revocation) and RFC 7662 (introspection, which Dovecot's `oauth2` passdb calls) to
 * stand in for Google and Microsoft. Dovecot asks it whether a token is valid, so expiry and
 * revocation are enforced by the real IMAP server, not by a mock.
 *
 * Switches for failure tests: short access-token lifetimes, refusing refreshes (invalid_grant),
 * answering the token endpoint slowly; counters of refreshes per user.
 *
 * @example
 * await using provider = await startOAuthProvider({ accessTokenTtlMs: 3_000 });
 * provider.registerClient({ clientId: 'cid', clientSecret: 'sec' });
 * // Dovecot: startDovecot({ oauth2: { introspectionUrl: provider.endpoints.introspection } })
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OAuthProviderOptions {
  /** Lifetime of access tokens (default 1 hour, like Google and Microsoft). */
  accessTokenTtlMs?: number;
  /** Device codes expire after this long (default 15 minutes). */
  deviceCodeTtlMs?: number;
  /** Polling interval the device authorization endpoint asks for, in seconds (default 1; real ones say 5). */
  deviceIntervalSeconds?: number;
  /** Issue a new refresh token on every refresh and revoke the old one (Microsoft does). */
  rotateRefreshTokens?: boolean;
}

export interface OAuthClient {
  clientId: string;
  /** When set, the token endpoint demands it (Google); unset = a public client (Microsoft device code). */
  clientSecret?: string;
}

interface Grant {
  username: string;
  clientId: string;
  scope: string;
  revoked: boolean;
}

interface AccessToken {
  grant: Grant;
  expiresAt: number;
  revoked: boolean;
}

interface AuthorizationCode {
  grant: Grant;
  redirectUri: string;
  challenge: string;
  expiresAt: number;
  used: boolean;
}

interface DeviceFlow {
  clientId: string;
  scope: string;
  userCode: string;
  expiresAt: number;
  state:
    { status: 'pending' } | { status: 'approved'; username: string } | { status: 'denied' } | { status: 'redeemed' };
}

export interface OAuthTokenSet {
  accessToken: string;
  refreshToken: string;
}

export interface LocalOAuthProvider extends AsyncDisposable {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly endpoints: {
    authorization: string;
    deviceAuthorization: string;
    token: string;
    revocation: string;
    introspection: string;
  };
  registerClient(client: OAuthClient): void;
  /**
   * Answer the authorize endpoint with an immediate redirect (a user who already consented) for
   * this user, or null (default) to show the consent page with Allow / Deny buttons.
   */
  autoApprove: string | null;
  /** The consent page signs in this user when the request has no login_hint. */
  consentUser: string | null;
  /** Refresh requests answer 400 invalid_grant (the user withdrew consent). */
  refuseRefresh: boolean;
  /** Every token endpoint response waits this long first. */
  slowMs: number;
  /**
   * Scope granted instead of the requested one (tests of "scopes granted"), also in the answer to
   * a refresh of an earlier grant; null = as requested.
   */
  grantScope: string | null;
  accessTokenTtlMs: number;
  /** The user approves a pending device code (as if they typed it at the verification page). */
  approveDevice(userCode: string, username: string): void;
  denyDevice(userCode: string): void;
  /** User codes handed out, oldest first. */
  readonly userCodes: string[];
  /** Successful refresh_token grants per user. */
  refreshes(username: string): number;
  /** Token endpoint requests by grant type (successful or not). */
  readonly tokenRequests: Record<string, number>;
  /** Revokes every grant (refresh and access tokens) of a user, as a user removing the app would. */
  revokeUser(username: string): void;
  /** Issues tokens directly, as if the user had signed in. */
  issue(username: string, clientId: string, scope?: string): OAuthTokenSet;
  /** Every token string ever issued (for secrets tests: none may appear in a store or a log). */
  readonly issuedTokens: string[];
  close(): Promise<void>;
}

const DEFAULT_SCOPE = 'https://mail.google.com/';

export async function startOAuthProvider(options: OAuthProviderOptions = {}): Promise<LocalOAuthProvider> {
  const clients = new Map<string, OAuthClient>();
  const accessTokens = new Map<string, AccessToken>();
  const refreshTokens = new Map<string, Grant>();
  const codes = new Map<string, AuthorizationCode>();
  const devices = new Map<string, DeviceFlow>();
  const refreshCounts = new Map<string, number>();
  const tokenRequests: Record<string, number> = {};
  const userCodes: string[] = [];
  const issuedTokens: string[] = [];
  const deviceCodeTtlMs = options.deviceCodeTtlMs ?? 15 * 60_000;
  const deviceInterval = options.deviceIntervalSeconds ?? 1;

  const newToken = (prefix: string) => {
    const t = `${prefix}-${randomBytes(24).toString('base64url')}`;
    issuedTokens.push(t);
    return t;
  };

  const issueFor = (grant: Grant): { accessToken: string; expiresIn: number } => {
    const accessToken = newToken('at');
    accessTokens.set(accessToken, { grant, expiresAt: Date.now() + provider.accessTokenTtlMs, revoked: false });
    return { accessToken, expiresIn: Math.max(1, Math.round(provider.accessTokenTtlMs / 1000)) };
  };

  const tokenResponse = (grant: Grant, refreshToken: string) => {
    const { accessToken, expiresIn } = issueFor(grant);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: expiresIn,
      refresh_token: refreshToken,
      // A scope switched on now applies to refreshes of earlier grants too (consent narrowed later).
      scope: provider.grantScope ?? grant.scope,
    };
  };

  const newGrant = (username: string, clientId: string, scope: string): { grant: Grant; refreshToken: string } => {
    const grant: Grant = { username, clientId, scope: provider.grantScope ?? scope, revoked: false };
    const refreshToken = newToken('rt');
    refreshTokens.set(refreshToken, grant);
    return { grant, refreshToken };
  };

  /** RFC 6749 §2.3.1: client_secret_post or HTTP Basic. Returns the client or an error body. */
  const authenticateClient = (req: IncomingMessage, form: URLSearchParams): OAuthClient | null => {
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const [u, p] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(p ?? '');
    }
    const client = id ? clients.get(id) : undefined;
    if (!client) return null;
    if (client.clientSecret !== undefined && !safeEqual(client.clientSecret, secret ?? '')) return null;
    return client;
  };

  const handleToken = async (req: IncomingMessage, res: ServerResponse, form: URLSearchParams) => {
    const grantType = form.get('grant_type') ?? '';
    tokenRequests[grantType] = (tokenRequests[grantType] ?? 0) + 1;
    if (provider.slowMs > 0) await new Promise((r) => setTimeout(r, provider.slowMs));
    const client = authenticateClient(req, form);
    if (!client) return json(res, 401, { error: 'invalid_client', error_description: 'unknown client or bad secret' });
    switch (grantType) {
      case 'authorization_code': {
        const code = codes.get(form.get('code') ?? '');
        if (!code || code.used || code.expiresAt < Date.now() || code.grant.clientId !== client.clientId)
          return json(res, 400, { error: 'invalid_grant', error_description: 'code unknown, used or expired' });
        code.used = true;
        if (form.get('redirect_uri') !== code.redirectUri)
          return json(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri mismatch' });
        const verifier = form.get('code_verifier') ?? '';
        if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier) || !safeEqual(s256(verifier), code.challenge))
          return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        const refreshToken = newToken('rt');
        refreshTokens.set(refreshToken, code.grant);
        return json(res, 200, tokenResponse(code.grant, refreshToken));
      }
      case 'refresh_token': {
        const old = form.get('refresh_token') ?? '';
        const grant = refreshTokens.get(old);
        if (!grant || grant.revoked || grant.clientId !== client.clientId || provider.refuseRefresh)
          return json(res, 400, { error: 'invalid_grant', error_description: 'refresh token revoked or expired' });
        refreshCounts.set(grant.username, (refreshCounts.get(grant.username) ?? 0) + 1);
        let refreshToken = old;
        if (options.rotateRefreshTokens) {
          refreshTokens.delete(old);
          refreshToken = newToken('rt');
          refreshTokens.set(refreshToken, grant);
        }
        const body = tokenResponse(grant, refreshToken);
        // Google answers a refresh without a refresh_token (the old one stays valid).
        return json(res, 200, options.rotateRefreshTokens ? body : { ...body, refresh_token: undefined });
      }
      case 'urn:ietf:params:oauth:grant-type:device_code': {
        const flow = devices.get(form.get('device_code') ?? '');
        if (!flow || flow.clientId !== client.clientId) return json(res, 400, { error: 'invalid_grant' });
        if (flow.expiresAt < Date.now()) return json(res, 400, { error: 'expired_token' });
        switch (flow.state.status) {
          case 'pending':
            return json(res, 400, { error: 'authorization_pending' });
          case 'denied':
            return json(res, 400, { error: 'access_denied' });
          case 'redeemed':
            return json(res, 400, { error: 'invalid_grant', error_description: 'device code already used' });
          case 'approved': {
            const { grant, refreshToken } = newGrant(flow.state.username, client.clientId, flow.scope);
            flow.state = { status: 'redeemed' };
            return json(res, 200, tokenResponse(grant, refreshToken));
          }
        }
        return;
      }
      default:
        return json(res, 400, { error: 'unsupported_grant_type' });
    }
  };

  const handleAuthorize = (res: ServerResponse, query: URLSearchParams) => {
    const client = clients.get(query.get('client_id') ?? '');
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!client || !/^https?:\/\//.test(redirectUri))
      return html(res, 400, '<h1>Bad request</h1><p>unknown client or redirect_uri</p>');
    if (query.get('response_type') !== 'code' || query.get('code_challenge_method') !== 'S256')
      return redirect(res, redirectUri, { error: 'invalid_request', state: query.get('state') ?? '' });
    const username = query.get('login_hint') || provider.autoApprove || provider.consentUser;
    const request = {
      clientId: client.clientId,
      redirectUri,
      scope: query.get('scope') ?? DEFAULT_SCOPE,
      state: query.get('state') ?? '',
      challenge: query.get('code_challenge') ?? '',
      username: username ?? '',
    };
    if (provider.autoApprove !== null) return approve(res, request);
    const hidden = Object.entries(request)
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${escapeHtml(v)}">`)
      .join('');
    return html(
      res,
      200,
      `<!doctype html><title>Local provider: consent</title><h1>Allow Tidings to read your mail?</h1>
<p>Signing in as <b id="user">${escapeHtml(request.username)}</b></p>
<form method="post" action="/authorize/decision">${hidden}
<button name="decision" value="allow" id="allow">Allow</button>
<button name="decision" value="deny" id="deny">Deny</button></form>`,
    );
  };

  const approve = (
    res: ServerResponse,
    r: { clientId: string; redirectUri: string; scope: string; state: string; challenge: string; username: string },
  ) => {
    const code = newToken('code');
    codes.set(code, {
      grant: { username: r.username, clientId: r.clientId, scope: provider.grantScope ?? r.scope, revoked: false },
      redirectUri: r.redirectUri,
      challenge: r.challenge,
      expiresAt: Date.now() + 60_000,
      used: false,
    });
    return redirect(res, r.redirectUri, { code, state: r.state });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const form = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : new URLSearchParams();
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /authorize':
        return handleAuthorize(res, url.searchParams);
      case 'POST /authorize/decision': {
        const r = {
          clientId: form.get('clientId') ?? '',
          redirectUri: form.get('redirectUri') ?? '',
          scope: form.get('scope') ?? '',
          state: form.get('state') ?? '',
          challenge: form.get('challenge') ?? '',
          username: form.get('username') ?? '',
        };
        if (!clients.has(r.clientId)) return html(res, 400, 'unknown client');
        if (form.get('decision') !== 'allow')
          return redirect(res, r.redirectUri, { error: 'access_denied', state: r.state });
        return approve(res, r);
      }
      case 'POST /token':
        return handleToken(req, res, form);
      case 'POST /devicecode': {
        const client = authenticateClient(req, form);
        if (!client) return json(res, 401, { error: 'invalid_client' });
        const deviceCode = newToken('dc');
        const userCode = randomBytes(4).toString('hex').toUpperCase();
        userCodes.push(userCode);
        devices.set(deviceCode, {
          clientId: client.clientId,
          scope: form.get('scope') ?? '',
          userCode,
          expiresAt: Date.now() + deviceCodeTtlMs,
          state: { status: 'pending' },
        });
        return json(res, 200, {
          device_code: deviceCode,
          user_code: userCode,
          verification_uri: `${provider.url}/device`,
          expires_in: Math.round(deviceCodeTtlMs / 1000),
          interval: deviceInterval,
          message: `To sign in, open ${provider.url}/device and enter the code ${userCode}.`,
        });
      }
      case 'POST /revoke': {
        const token = form.get('token') ?? '';
        const grant = refreshTokens.get(token);
        if (grant) revokeGrant(grant);
        const access = accessTokens.get(token);
        if (access) access.revoked = true;
        return json(res, 200, {});
      }
      case 'POST /introspect': {
        // Dovecot sends token=<tok>&client_id=&client_secret= (TEST-INFRA.md); RFC 7662 §2.2.
        const access = accessTokens.get(form.get('token') ?? '');
        if (!access || access.revoked || access.grant.revoked || access.expiresAt <= Date.now())
          return json(res, 200, { active: false });
        return json(res, 200, {
          active: true,
          username: access.grant.username,
          scope: access.grant.scope,
          client_id: access.grant.clientId,
          exp: Math.floor(access.expiresAt / 1000),
        });
      }
      default:
        return json(res, 404, { error: 'not_found' });
    }
  };

  const revokeGrant = (grant: Grant) => {
    grant.revoked = true;
    for (const t of accessTokens.values()) if (t.grant === grant) t.revoked = true;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: 'server_error', error_description: String(err) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;

  const provider: LocalOAuthProvider = {
    url: base,
    endpoints: {
      authorization: `${base}/authorize`,
      deviceAuthorization: `${base}/devicecode`,
      token: `${base}/token`,
      revocation: `${base}/revoke`,
      introspection: `${base}/introspect`,
    },
    registerClient: (client) => clients.set(client.clientId, client),
    autoApprove: null,
    consentUser: null,
    refuseRefresh: false,
    slowMs: 0,
    grantScope: null,
    accessTokenTtlMs: options.accessTokenTtlMs ?? 3_600_000,
    approveDevice(userCode, username) {
      const flow = [...devices.values()].find((f) => f.userCode === userCode);
      if (!flow) throw new Error(`approveDevice: no device flow with user code ${userCode}`);
      flow.state = { status: 'approved', username };
    },
    denyDevice(userCode) {
      const flow = [...devices.values()].find((f) => f.userCode === userCode);
      if (!flow) throw new Error(`denyDevice: no device flow with user code ${userCode}`);
      flow.state = { status: 'denied' };
    },
    userCodes,
    refreshes: (username) => refreshCounts.get(username) ?? 0,
    tokenRequests,
    revokeUser(username) {
      for (const grant of refreshTokens.values()) if (grant.username === username) revokeGrant(grant);
      for (const t of accessTokens.values()) if (t.grant.username === username) t.revoked = true;
    },
    issue(username, clientId, scope = DEFAULT_SCOPE) {
      const { grant, refreshToken } = newGrant(username, clientId, scope);
      return { accessToken: issueFor(grant).accessToken, refreshToken };
    },
    issuedTokens,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
    async [Symbol.asyncDispose]() {
      await provider.close();
    },
  };
  return provider;
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
}

function redirect(res: ServerResponse, to: string, params: Record<string, string>): void {
  const url = new URL(to);
  for (const [k, v] of Object.entries(params)) if (v !== '') url.searchParams.set(k, v);
  res.writeHead(302, { location: url.toString() });
  res.end();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
