/**
 * The address of the client behind a request, for rate limits, pairing lockouts and logs.
 *
 * Without `--trust-proxy` it is the TCP peer, always: X-Forwarded-For is a header anyone can send.
 * With it, and only when the peer IS one of the configured proxies, the header is read from the
 * right (each proxy appends the address it saw) and the first address that is not itself a
 * trusted proxy is the client. An absent or malformed header falls back to the peer, so a
 * misconfigured proxy makes every client share one key (over-limiting), never lets a client
 * choose its own key.
 *
 * @example
 * clientAddress({ peer: '127.0.0.1', forwardedFor: '198.51.100.7', trustedProxies: parseTrustedProxies('127.0.0.1') })
 * // '198.51.100.7'
 */
import { isIP } from 'node:net';

/** Canonical form for comparison: no brackets or zone, IPv4-mapped IPv6 as IPv4, lower case. */
export function normalizeAddress(address: string): string {
  let a = address.trim().toLowerCase();
  if (a.startsWith('[') && a.includes(']')) a = a.slice(1, a.indexOf(']'));
  const zone = a.indexOf('%');
  if (zone !== -1) a = a.slice(0, zone);
  if (a.startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7);
  return a;
}

/** Parses `--trust-proxy`'s comma-separated IP list; throws one line naming a bad entry. */
export function parseTrustedProxies(value: string): ReadonlySet<string> {
  const out = new Set<string>();
  for (const raw of value.split(',')) {
    const entry = normalizeAddress(raw);
    if (entry === '') continue;
    if (isIP(entry) === 0) throw new Error(`"${raw.trim()}" is not an IP address (list proxy addresses, not names)`);
    out.add(entry);
  }
  return out;
}

export function clientAddress(options: {
  peer: string | undefined;
  forwardedFor: string | undefined;
  trustedProxies: ReadonlySet<string>;
}): string {
  const peer = options.peer === undefined ? 'unknown' : normalizeAddress(options.peer);
  if (!options.trustedProxies.has(peer) || options.forwardedFor === undefined) return peer;
  const hops = options.forwardedFor.split(',').map(normalizeAddress).reverse();
  for (const hop of hops) {
    if (isIP(hop) === 0) return peer;
    if (!options.trustedProxies.has(hop)) return hop;
  }
  return peer;
}
