import { describe, expect, it } from 'vitest';
import type { MxRecord } from 'node:dns';
import { parseEmail } from './email-address.js';
import { oauthAdvice } from './oauth-advice.js';
import type { DiscoveryResolver } from './srv.js';

/** A resolver answering MX from a table (the injection point discovery offers for tests). */
function resolver(mx: Record<string, MxRecord[]>, asked: string[] = []): DiscoveryResolver {
  const none = () => Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
  return {
    resolveSrv: none,
    resolve4: none,
    resolve6: none,
    resolveMx: (name) => {
      asked.push(name);
      return mx[name] ? Promise.resolve(mx[name]) : none();
    },
  };
}

const advise = (address: string, r: DiscoveryResolver, configured = false) =>
  oauthAdvice({ email: parseEmail(address), resolver: r, lookupMx: true, configured: () => configured });

describe('oauthAdvice', () => {
  it.each(['me@outlook.com', 'me@Hotmail.com', 'me@live.com', 'me@msn.com'])(
    '%s: Microsoft, OAuth only, from the domain without DNS',
    async (address) => {
      const asked: string[] = [];
      expect(await advise(address, resolver({}, asked), true)).toEqual({
        provider: 'microsoft',
        signIn: 'required',
        appPasswordUrl: null,
        configured: true,
        via: 'domain',
      });
      expect(asked).toEqual([]);
    },
  );

  it('Gmail: OAuth recommended, with the app-password page', async () => {
    expect(await advise('me@googlemail.com', resolver({}))).toEqual({
      provider: 'google',
      signIn: 'recommended',
      appPasswordUrl: 'https://myaccount.google.com/apppasswords',
      configured: false,
      via: 'domain',
    });
  });

  it('recognises Microsoft 365 and Google Workspace custom domains by their MX hosts', async () => {
    const r = resolver({
      'contoso.example': [{ priority: 0, exchange: 'contoso-example.mail.protection.outlook.com' }],
      'acme.example': [
        { priority: 10, exchange: 'alt1.aspmx.l.google.com' },
        { priority: 1, exchange: 'aspmx.l.google.com' },
      ],
    });
    expect(await advise('a@contoso.example', r)).toMatchObject({
      provider: 'microsoft',
      signIn: 'required',
      via: 'mx',
    });
    expect(await advise('a@acme.example', r)).toMatchObject({ provider: 'google', signIn: 'recommended', via: 'mx' });
  });

  it('gives no advice for other domains, or when MX lookups fail', async () => {
    const r = resolver({ 'example.org': [{ priority: 0, exchange: 'mx.example.org' }] });
    expect(await advise('a@example.org', r)).toBeNull();
    expect(await advise('a@nowhere.example', r)).toBeNull();
  });
});
