/**
 * The well-known mail providers, in one table both ends read: the relay's discovery presets
 * (`accounts.discover`) and hints, and the options page's provider buttons and app-password links.
 * Adding a provider is a row here, not code in two places.
 *
 * All use implicit TLS on 993 (RFC 8314 recommends it over STARTTLS). iCloud accepts the full
 * address or the local part; the full address works for every alias domain, so it is used
 * everywhere.
 */
import type { SecurityModeWire } from './protocol.js';

export type KnownProviderId = 'gmail' | 'outlook' | 'fastmail' | 'icloud' | 'yahoo';

export interface ProviderInfo {
  id: KnownProviderId;
  /** Brand name; not translated. */
  label: string;
  server: { host: string; port: number; security: SecurityModeWire };
  /** Which login the provider expects. */
  username: 'address' | 'local-part';
  /** Where the user creates an app password. */
  appPasswordUrl: string;
  /**
   * The provider's webmail, for "Open in webmail" (extension/core/webmail-url.ts builds the URL and
   * encodes the parts): `inbox`, and `message` where the provider documents opening one message
   * by its Message-ID, with `{address}` (the account's address) and `{messageId}` (without the
   * angle brackets) placeholders.
   */
  webmail: { inbox: string; message?: string };
  /** True when an address domain belongs to this provider (lower-case, IDNA-encoded). */
  matchesDomain: (domain: string) => boolean;
  /** True when an IMAP host belongs to this provider, including its usual aliases. */
  matchesHost: (host: string) => boolean;
}

const oneOf =
  (...domains: string[]) =>
  (d: string) =>
    domains.includes(d);

/** `h` is `suffix` or a subdomain of it (so `gmail.com.evil.example` does not match). */
const under =
  (...suffixes: string[]) =>
  (h: string) =>
    suffixes.some((s) => h === s || h.endsWith(`.${s}`));

const tls993 = (host: string) => ({ host, port: 993, security: 'tls' as const });

export const KNOWN_PROVIDERS: readonly ProviderInfo[] = [
  {
    id: 'gmail',
    label: 'Gmail',
    server: tls993('imap.gmail.com'),
    username: 'address',
    appPasswordUrl: 'https://myaccount.google.com/apppasswords',
    webmail: {
      inbox: 'https://mail.google.com/mail/u/{address}/#inbox',
      // Gmail's search operator rfc822msgid: finds a message by its Message-ID header.
      message: 'https://mail.google.com/mail/u/{address}/#search/rfc822msgid:{messageId}',
    },
    matchesDomain: oneOf('gmail.com', 'googlemail.com'),
    matchesHost: under('gmail.com', 'googlemail.com'),
  },
  {
    id: 'outlook',
    label: 'Outlook / Microsoft 365',
    server: tls993('outlook.office365.com'),
    username: 'address',
    appPasswordUrl: 'https://account.microsoft.com/security',
    // Outlook's read deep links take its own item id, not a Message-ID: the inbox it is.
    // outlook.office.com serves Microsoft 365 and sends personal accounts on to outlook.live.com.
    webmail: { inbox: 'https://outlook.office.com/mail/inbox' },
    matchesDomain: (d) =>
      ['outlook.com', 'hotmail.com', 'live.com', 'msn.com', 'office365.com'].includes(d) ||
      /^(outlook|hotmail|live)\.[a-z.]+$/.test(d) ||
      d.endsWith('.onmicrosoft.com'),
    matchesHost: under('office365.com', 'outlook.com', 'hotmail.com', 'live.com'),
  },
  {
    id: 'fastmail',
    label: 'Fastmail',
    server: tls993('imap.fastmail.com'),
    username: 'address',
    appPasswordUrl: 'https://app.fastmail.com/settings/security/apppasswords',
    webmail: { inbox: 'https://app.fastmail.com/mail/Inbox/' },
    matchesDomain: oneOf(
      'fastmail.com',
      'fastmail.fm',
      'fastmail.org',
      'fastmail.net',
      'fastmail.us',
      'messagingengine.com',
    ),
    matchesHost: under('fastmail.com', 'messagingengine.com'),
  },
  {
    id: 'icloud',
    label: 'iCloud',
    server: tls993('imap.mail.me.com'),
    username: 'address',
    appPasswordUrl: 'https://account.apple.com',
    webmail: { inbox: 'https://www.icloud.com/mail/' },
    matchesDomain: oneOf('icloud.com', 'me.com', 'mac.com'),
    matchesHost: under('me.com', 'icloud.com', 'mac.com'),
  },
  {
    id: 'yahoo',
    label: 'Yahoo',
    server: tls993('imap.mail.yahoo.com'),
    username: 'address',
    appPasswordUrl: 'https://login.yahoo.com/account/security',
    webmail: { inbox: 'https://mail.yahoo.com/' },
    // yahoo.com, yahoo.co.uk, yahoo.com.br, ymail.com, rocketmail.com…
    matchesDomain: (d) => /^yahoo\.[a-z.]+$/.test(d) || d === 'ymail.com' || d === 'rocketmail.com',
    matchesHost: (h) => under('yahoo.com')(h) || /(^|\.)yahoo\.[a-z.]+$/.test(h),
  },
];

/** The provider with this id. */
export function knownProvider(id: KnownProviderId): ProviderInfo {
  const provider = KNOWN_PROVIDERS.find((p) => p.id === id);
  if (!provider) throw new Error(`unknown provider ${id}`);
  return provider;
}

/** The provider an address's domain belongs to, or null. */
export function providerOfDomain(domain: string): ProviderInfo | null {
  const d = domain.trim().toLowerCase().replace(/\.$/, '');
  return KNOWN_PROVIDERS.find((p) => p.matchesDomain(d)) ?? null;
}

/**
 * Which big provider an IMAP host belongs to, matching the preset hosts and their usual aliases
 * (imap.googlemail.com, imap-mail.outlook.com…); null for any other server.
 */
export function providerOfHost(host: string): KnownProviderId | null {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  return KNOWN_PROVIDERS.find((p) => p.matchesHost(h))?.id ?? null;
}
