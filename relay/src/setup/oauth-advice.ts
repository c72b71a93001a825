/**
 * Whether an address belongs to a provider that wants OAuth2 sign-in (issue 9): by its domain
 * (outlook.com, hotmail.com, live.com, msn.com → OAuth only; gmail.com, googlemail.com → OAuth
 * recommended, app password possible), else by the domain's MX hosts (a custom domain on
 * Microsoft 365 or Google Workspace). The MX lookup is bounded by Limits.dnsTimeoutMs and a
 * failure just means "no advice".
 */
import {
  Limits,
  oauthProviderForDomain,
  oauthProviderForMx,
  type OAuthAdvice,
  type OAuthProviderInfo,
} from '../../../shared/index.js';
import type { Logger } from '../log.js';
import type { EmailParts } from './email-address.js';
import { withTimeout, type DiscoveryResolver } from './srv.js';

export async function oauthAdvice(options: {
  email: EmailParts;
  resolver: DiscoveryResolver;
  /** Ask DNS for MX hosts when the domain alone says nothing (off for preset domains: no network). */
  lookupMx: boolean;
  /** Whether the relay has a usable client registration for a provider. */
  configured: (provider: OAuthProviderInfo['id']) => boolean;
  log?: Logger;
}): Promise<OAuthAdvice | null> {
  const byDomain = oauthProviderForDomain(options.email.domain);
  if (byDomain) return advice(byDomain, 'domain', options.configured);
  const resolveMx = options.resolver.resolveMx?.bind(options.resolver);
  if (!resolveMx || !options.lookupMx) return null;
  try {
    const records = await withTimeout(resolveMx(options.email.domain), Limits.dnsTimeoutMs);
    const sorted = [...records].sort((a, b) => a.priority - b.priority);
    for (const mx of sorted) {
      const provider = oauthProviderForMx(mx.exchange);
      if (provider) return advice(provider, 'mx', options.configured);
    }
  } catch (err) {
    options.log?.debug('MX lookup for OAuth advice failed', { domain: options.email.domain, err });
  }
  return null;
}

function advice(
  provider: OAuthProviderInfo,
  via: OAuthAdvice['via'],
  configured: (provider: OAuthProviderInfo['id']) => boolean,
): OAuthAdvice {
  return {
    provider: provider.id,
    signIn: provider.passwordSignIn === 'refused' ? 'required' : 'recommended',
    appPasswordUrl: provider.appPasswordUrl,
    configured: configured(provider.id),
    via,
  };
}
