import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { TidingsError } from '../../../shared/index.js';

export interface EmailParts {
  /** As typed (trimmed). */
  address: string;
  localPart: string;
  /** Lower-case, IDNA (punycode) form, ready for DNS and URLs. */
  domain: string;
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Splits an address at its last "@" and normalises the domain (IDNA to ASCII, lower case).
 * Only what discovery needs is checked: a non-empty local part and a DNS-safe domain with a dot.
 * Throws BAD_REQUEST otherwise, so nothing is fetched for a malformed input.
 */
export function parseEmail(input: string): EmailParts {
  const address = input.trim();
  const at = address.lastIndexOf('@');
  const localPart = at > 0 ? address.slice(0, at) : '';
  const rawDomain = at > 0 ? address.slice(at + 1) : '';
  if (localPart === '' || /[\s<>]/.test(localPart))
    throw new TidingsError('BAD_REQUEST', 'Enter a full email address, like name@example.com.');
  // RFC 5321 address literal: user@[10.0.0.5] or user@[IPv6:fe80::1]. The reach policy decides
  // later whether the relay may connect to it.
  const literal = /^\[(?:ipv6:)?([0-9a-f.:]+)\]$/i.exec(rawDomain)?.[1];
  if (literal && isIP(literal)) return { address, localPart, domain: literal.toLowerCase() };
  const domain = domainToASCII(rawDomain.replace(/\.$/, '').toLowerCase());
  // WHATWG host parsing turns "10.0.0.5", "0x7f.1" or "2130706433" into an IPv4 address.
  if (isIP(domain)) return { address, localPart, domain };
  const labels = domain.split('.');
  if (domain === '' || domain.length > 253 || labels.length < 2 || !labels.every((l) => LABEL.test(l)))
    throw new TidingsError('BAD_REQUEST', `"${rawDomain.slice(0, 100)}" is not a valid mail domain.`);
  return { address, localPart, domain };
}

/** True when `host` is a syntactically valid DNS host name (what autoconfig and SRV may return). */
export function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  return host
    .toLowerCase()
    .replace(/\.$/, '')
    .split('.')
    .every((l) => LABEL.test(l));
}
