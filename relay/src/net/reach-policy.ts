/**
 * Network reach policy: which addresses the relay may connect to on a user's behalf (discovery,
 * autoconfig, diagnosis, account connections). A paired device must not turn the relay into a
 * scanner of its own network or a reader of cloud metadata (issue 12, SECURITY.md "network reach").
 *
 * - Never: link-local (169.254/16, fe80::/10, which hold cloud metadata services), known metadata
 *   addresses outside them, unspecified, multicast and broadcast addresses.
 * - Loopback and private ranges (RFC 1918, CGNAT 100.64/10, IPv6 ULA fc00::/7): only when the
 *   operator allows them (`--allow-private-networks`; by default allowed when the relay itself
 *   listens on loopback, since then only this machine's user can reach it).
 * - Everything else (public addresses): allowed.
 *
 * Checked on resolved addresses (a name that resolves to 169.254.169.254 is refused like the
 * literal), at connection time through `guardedLookup`, so a redirect or a DNS answer that
 * changes between check and connect cannot slip through.
 */
import { lookup as dnsLookup } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface ReachPolicy {
  /** Loopback and private ranges may be reached (home servers on a LAN, a local Dovecot). */
  allowPrivate: boolean;
}

export type AddressClass = 'public' | 'private' | 'loopback' | 'link-local' | 'metadata' | 'special';

function list(entries: [string, number, 'ipv4' | 'ipv6'][]): BlockList {
  const b = new BlockList();
  for (const [net, prefix, family] of entries) b.addSubnet(net, prefix, family);
  return b;
}

/** Cloud metadata endpoints outside link-local (AWS IPv6, Alibaba, Azure wire server, Oracle). */
const METADATA = new Set(['fd00:ec2::254', '100.100.100.200', '168.63.129.16', '192.0.0.192']);
const LINK_LOCAL = list([
  ['169.254.0.0', 16, 'ipv4'],
  ['fe80::', 10, 'ipv6'],
]);
const LOOPBACK = list([
  ['127.0.0.0', 8, 'ipv4'],
  ['::1', 128, 'ipv6'],
]);
const PRIVATE = list([
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
]);
const SPECIAL = list([
  ['0.0.0.0', 8, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
]);

/** `::ffff:a.b.c.d` (IPv4-mapped IPv6) is the IPv4 address for every purpose here. */
function unmap(ip: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return m ? m[1]! : ip.toLowerCase();
}

/** The class of an IP address (v4 or v6); throws for something that is not an IP. */
export function classifyAddress(address: string): AddressClass {
  const ip = unmap(address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, ''));
  const family = isIP(ip);
  if (family === 0) throw new Error(`not an IP address: ${address}`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (METADATA.has(ip)) return 'metadata';
  if (LINK_LOCAL.check(ip, type)) return 'link-local';
  if (SPECIAL.check(ip, type)) return 'special';
  if (LOOPBACK.check(ip, type)) return 'loopback';
  if (PRIVATE.check(ip, type)) return 'private';
  return 'public';
}

const WHY: Record<Exclude<AddressClass, 'public'>, string> = {
  'link-local': 'a link-local address (where cloud metadata services live)',
  metadata: 'a cloud metadata address',
  special: 'an unspecified, multicast or reserved address',
  loopback: 'a loopback address, and this relay does not allow private networks',
  private: 'a private-network address, and this relay does not allow private networks',
};

/** Null when the relay may connect to `address`, else the reason in plain words. */
export function reachRefusal(address: string, policy: ReachPolicy): string | null {
  const cls = classifyAddress(address);
  if (cls === 'public') return null;
  if ((cls === 'loopback' || cls === 'private') && policy.allowPrivate) return null;
  return `The relay does not connect to ${address}: it is ${WHY[cls]}.`;
}

/** The error a refused connection fails with (code `EREACHPOLICY`). */
export class ReachRefused extends Error {
  readonly code = 'EREACHPOLICY';
  constructor(message: string) {
    super(message);
    this.name = 'ReachRefused';
  }
}

/**
 * A `lookup` for net/tls/http(s) connections that resolves like the system does, then refuses
 * the connection when any resolved address is outside the policy (a name with one public and one
 * link-local address is refused: the OS could pick either).
 *
 * @example tls.connect({ host, port, lookup: guardedLookup({ allowPrivate: false }) })
 */
export function guardedLookup(policy: ReachPolicy, base: typeof dnsLookup = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    base(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const all = addresses as unknown as { address: string; family: number }[];
      for (const a of all) {
        const refusal = reachRefusal(a.address, policy);
        if (refusal) return callback(new ReachRefused(refusal), '', 0);
      }
      if (options.all) return (callback as (e: null, a: typeof all) => void)(null, all);
      const first = all[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

/** Checks a host that may be an IP literal (connections to literals skip `lookup`). */
export function literalRefusal(host: string, policy: ReachPolicy): string | null {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  return isIP(bare) ? reachRefusal(bare, policy) : null;
}
