/**
 * Suggests IMAP server settings for an email address. Sources, best first:
 *   1. presets for the big providers (no network),
 *   2. Mozilla autoconfig served by the domain (autoconfig.ts),
 *   3. RFC 6186 SRV records (srv.ts),
 *   4. guesses `imap.<domain>` / `mail.<domain>` on 993, only when the name resolves.
 * Sources 2–4 run concurrently (the slowest bounds the wait, not their sum); the best source
 * with any answer wins. Candidates are suggestions: the diagnosis checks them before saving.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Limits, TidingsError, type ServerCandidate } from '../../../shared/index.js';
import type { Logger } from '../log.js';
import { guardedFetch } from '../net/guarded-fetch.js';
import { reachRefusal, type ReachPolicy } from '../net/reach-policy.js';
import { fetchAutoconfig } from './autoconfig.js';
import { parseEmail } from './email-address.js';
import { presetFor } from './presets.js';
import { srvCandidates, withTimeout, type DiscoveryResolver } from './srv.js';

export interface DiscoveryOptions {
  /** See AutoconfigOptions.baseUrl; null = the real https:// URLs. */
  autoconfigBaseUrl: string | null;
  resolver: DiscoveryResolver;
  /** Default: guardedFetch(reach), so autoconfig obeys the network reach policy. */
  fetch?: typeof fetch;
}

/**
 * The production defaults, or test overrides: `dnsServers` aims a real `dns.Resolver` at the
 * given servers ("127.0.0.1:5353"), so tests exercise the real resolver code against a loopback
 * DNS server.
 */
export function createDiscoveryOptions(
  options: { autoconfigBaseUrl?: string | null; dnsServers?: readonly string[] | null } = {},
): DiscoveryOptions {
  const resolver = new Resolver({ timeout: Limits.dnsTimeoutMs, tries: 2 });
  if (options.dnsServers && options.dnsServers.length > 0) resolver.setServers([...options.dnsServers]);
  return { autoconfigBaseUrl: options.autoconfigBaseUrl ?? null, resolver };
}

export async function discover(
  address: string,
  options: DiscoveryOptions & { reach: ReachPolicy; signal?: AbortSignal; log?: Logger },
): Promise<ServerCandidate[]> {
  const email = parseEmail(address);
  if (isIP(email.domain)) {
    // user@[10.0.0.5]: the server is that address (RFC 5321 address literal); nothing to look up,
    // and nothing to fetch from it. The reach policy decides whether it may be suggested at all.
    const refusal = reachRefusal(email.domain, options.reach);
    if (refusal) throw new TidingsError('BAD_REQUEST', refusal);
    return [{ host: email.domain, port: 993, security: 'tls', source: 'guess', username: email.address }];
  }
  const preset = presetFor(email);
  if (preset) return [preset];
  const [autoconfig, srv, guesses] = await Promise.all([
    fetchAutoconfig(email, {
      baseUrl: options.autoconfigBaseUrl,
      fetch: options.fetch ?? guardedFetch(options.reach),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.log ? { log: options.log } : {}),
    }),
    srvCandidates(email, { resolver: options.resolver, ...(options.log ? { log: options.log } : {}) }),
    guessCandidates(email.domain, email.address, options.resolver),
  ]);
  for (const found of [autoconfig, srv, guesses]) if (found.length > 0) return dedupe(found);
  return [];
}

async function guessCandidates(
  domain: string,
  address: string,
  resolver: DiscoveryResolver,
): Promise<ServerCandidate[]> {
  const hosts = [`imap.${domain}`, `mail.${domain}`];
  const resolves = await Promise.all(
    hosts.map(async (host) => {
      const answers = await Promise.allSettled([
        withTimeout(resolver.resolve4(host), Limits.dnsTimeoutMs),
        withTimeout(resolver.resolve6(host), Limits.dnsTimeoutMs),
      ]);
      return answers.some((a) => a.status === 'fulfilled' && a.value.length > 0);
    }),
  );
  return hosts
    .filter((_, i) => resolves[i])
    .map((host) => ({ host, port: 993, security: 'tls' as const, source: 'guess' as const, username: address }));
}

function dedupe(candidates: ServerCandidate[]): ServerCandidate[] {
  const seen = new Set<string>();
  return candidates.filter((c) => {
    const key = `${c.host}:${c.port}:${c.security}:${c.username}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
