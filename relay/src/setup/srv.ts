/**
 * RFC 6186 service discovery: `_imaps._tcp.<domain>` (implicit TLS) and `_imap._tcp.<domain>`
 * (used here with STARTTLS, which Tidings requires on that port) SRV records.
 */
import type { MxRecord, SrvRecord } from 'node:dns';
import { Limits, type ServerCandidate } from '../../../shared/index.js';
import type { Logger } from '../log.js';
import { isHostName, type EmailParts } from './email-address.js';

/** The part of `dns.promises.Resolver` discovery uses; tests may pass a Resolver aimed at a loopback server. */
export interface DiscoveryResolver {
  resolveSrv(name: string): Promise<SrvRecord[]>;
  resolve4(name: string): Promise<string[]>;
  resolve6(name: string): Promise<string[]>;
  /** For recognising Microsoft 365 / Google Workspace domains (oauth-advice.ts); optional. */
  resolveMx?(name: string): Promise<MxRecord[]>;
}

/**
 * Orders one service's records: lowest priority first (RFC 2782); within a priority, higher
 * weight first (a deterministic stand-in for RFC 2782's weighted random pick, so every browser
 * sees the same suggestion). RFC 6186 §4: a single record whose target is "." means the service
 * is decidedly not available, so such a set yields nothing.
 */
export function orderSrv(records: readonly SrvRecord[]): SrvRecord[] {
  const usable = records.filter((r) => r.name !== '' && r.name !== '.');
  return usable.sort((a, b) => a.priority - b.priority || b.weight - a.weight);
}

export async function srvCandidates(
  email: EmailParts,
  options: { resolver: DiscoveryResolver; log?: Logger },
): Promise<ServerCandidate[]> {
  // RFC 8314 §5.1: prefer implicit TLS (imaps) over STARTTLS when both are published.
  const services = [
    { name: `_imaps._tcp.${email.domain}`, security: 'tls' as const },
    { name: `_imap._tcp.${email.domain}`, security: 'starttls' as const },
  ];
  const results = await Promise.all(
    services.map(async (s) => {
      try {
        const records = await withTimeout(options.resolver.resolveSrv(s.name), Limits.dnsTimeoutMs);
        return orderSrv(records)
          .map((r) => ({ ...r, name: r.name.replace(/\.$/, '').toLowerCase() }))
          .filter((r) => isHostName(r.name) && r.port > 0 && r.port <= 65_535)
          .map((r): ServerCandidate => ({
            host: r.name,
            port: r.port,
            security: s.security,
            source: 'srv',
            username: email.address,
          }));
      } catch (err) {
        // NXDOMAIN / NODATA are the usual "not published" answers; nothing to report.
        options.log?.debug('SRV lookup failed', { name: s.name, err });
        return [];
      }
    }),
  );
  return results.flat();
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(Object.assign(new Error(`no DNS answer within ${ms} ms`), { code: 'ETIMEOUT' })),
      ms,
    );
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
