import { describe, expect, it } from 'vitest';
import {
  OAUTH_PROVIDERS,
  oauthImapServer,
  oauthProviderForDomain,
  oauthProviderForImapHost,
  oauthProviderForMx,
  resolveEndpoints,
} from './oauth-providers.js';

describe('OAuth2 provider table', () => {
  it.each([
    ['hotmail.com', 'microsoft'],
    ['outlook.com', 'microsoft'],
    ['live.com', 'microsoft'],
    ['msn.com', 'microsoft'],
    ['hotmail.co.uk', 'microsoft'],
    ['contoso.onmicrosoft.com', 'microsoft'],
    ['gmail.com', 'google'],
    ['GoogleMail.com.', 'google'],
    ['fastmail.com', null],
    ['example.org', null],
  ])('maps the address domain %s to %s (via the shared host table)', (domain, id) => {
    expect(oauthProviderForDomain(domain)?.id ?? null).toBe(id);
  });

  it('recognises hosted domains by MX and providers by IMAP host', () => {
    expect(oauthProviderForMx('contoso-com.mail.protection.outlook.com.')?.id).toBe('microsoft');
    expect(oauthProviderForMx('ASPMX.L.GOOGLE.COM')?.id).toBe('google');
    expect(oauthProviderForMx('mx.google.com.evil.example')).toBeNull();
    expect(oauthProviderForImapHost('outlook.office365.com')?.id).toBe('microsoft');
    expect(oauthProviderForImapHost('imap.gmail.com')?.id).toBe('google');
    expect(oauthImapServer(OAUTH_PROVIDERS.microsoft)).toEqual({
      host: 'outlook.office365.com',
      port: 993,
      security: 'tls',
    });
  });

  it('asks for refresh tokens and the IMAP scope', () => {
    expect(OAUTH_PROVIDERS.microsoft.scopes).toEqual([
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'offline_access',
    ]);
    expect(OAUTH_PROVIDERS.google.scopes).toContain(OAUTH_PROVIDERS.google.imapScope);
    expect(OAUTH_PROVIDERS.google.authorizationParams).toMatchObject({ access_type: 'offline' });
  });

  it('fills the Microsoft tenant into the endpoints and leaves Google alone', () => {
    const ms = resolveEndpoints(OAUTH_PROVIDERS.microsoft.endpoints, 'consumers');
    expect(ms.deviceAuthorization).toBe('https://login.microsoftonline.com/consumers/oauth2/v2.0/devicecode');
    expect(ms.token).toBe('https://login.microsoftonline.com/consumers/oauth2/v2.0/token');
    expect(resolveEndpoints(OAUTH_PROVIDERS.google.endpoints, null)).toEqual(OAUTH_PROVIDERS.google.endpoints);
  });
});
