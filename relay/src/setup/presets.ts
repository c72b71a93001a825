import type { ServerCandidate } from '../../../shared/index.js';
import type { EmailParts } from './email-address.js';

interface Preset {
  /** Shown in hints ("This server needs an app password: …"). */
  provider: 'gmail' | 'outlook' | 'fastmail' | 'icloud' | 'yahoo';
  host: string;
  /** Which login the provider expects. */
  username: 'address' | 'local-part';
  matches: (domain: string) => boolean;
}

const oneOf =
  (...domains: string[]) =>
  (d: string) =>
    domains.includes(d);

/**
 * Well-known providers, matched by the address's domain. All use implicit TLS on 993
 * (RFC 8314 recommends it over STARTTLS). iCloud accepts the full address or the local part;
 * the full address works for every alias domain, so it is used everywhere.
 */
const PRESETS: readonly Preset[] = [
  { provider: 'gmail', host: 'imap.gmail.com', username: 'address', matches: oneOf('gmail.com', 'googlemail.com') },
  {
    provider: 'outlook',
    host: 'outlook.office365.com',
    username: 'address',
    matches: (d) =>
      ['outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'office365.com'].includes(d) ||
      /^(outlook|hotmail|live)\.[a-z.]+$/.test(d) ||
      d.endsWith('.onmicrosoft.com'),
  },
  {
    provider: 'fastmail',
    host: 'imap.fastmail.com',
    username: 'address',
    matches: oneOf('fastmail.com', 'fastmail.fm', 'fastmail.org', 'fastmail.net', 'fastmail.us', 'messagingengine.com'),
  },
  {
    provider: 'icloud',
    host: 'imap.mail.me.com',
    username: 'address',
    matches: oneOf('icloud.com', 'me.com', 'mac.com'),
  },
  {
    provider: 'yahoo',
    host: 'imap.mail.yahoo.com',
    username: 'address',
    // yahoo.com, yahoo.co.uk, yahoo.com.br, ymail.com, rocketmail.com…
    matches: (d) => /^yahoo\.[a-z.]+$/.test(d) || d === 'ymail.com' || d === 'rocketmail.com',
  },
];

/** The preset candidate for a well-known provider's address, or null. */
export function presetFor(email: EmailParts): ServerCandidate | null {
  const preset = PRESETS.find((p) => p.matches(email.domain));
  if (!preset) return null;
  return {
    host: preset.host,
    port: 993,
    security: 'tls',
    source: 'preset',
    username: preset.username === 'address' ? email.address : email.localPart,
  };
}

export type AppPasswordProvider = Preset['provider'];

/**
 * Which big provider an IMAP host belongs to, for the "needs an app password" hint. Matches the
 * preset hosts and their usual aliases (imap.googlemail.com, imap-mail.outlook.com…).
 */
export function providerOfHost(host: string): AppPasswordProvider | null {
  const h = host.toLowerCase().replace(/\.$/, '');
  const is = (suffix: string) => h === suffix || h.endsWith(`.${suffix}`);
  if (is('gmail.com') || is('googlemail.com')) return 'gmail';
  if (is('office365.com') || is('outlook.com') || is('hotmail.com') || is('live.com')) return 'outlook';
  if (is('fastmail.com') || is('messagingengine.com')) return 'fastmail';
  if (is('me.com') || is('icloud.com') || is('mac.com')) return 'icloud';
  if (is('yahoo.com') || /(^|\.)yahoo\.[a-z.]+$/.test(h)) return 'yahoo';
  return null;
}
