/**
 * The mail providers the options page offers as presets, and which one an IMAP host belongs to
 * (for the "this provider needs an app password" hint). The relay has its own presets for
 * discovery (`accounts.discover`); these only choose the form's defaults and hints.
 */
import type { SecurityModeWire } from '../../shared/index.js';

export type ProviderId = 'gmail' | 'outlook' | 'fastmail' | 'icloud' | 'yahoo' | 'custom';

export interface Provider {
  id: ProviderId;
  /** Brand name; not translated. Custom's label comes from the locale files. */
  label: string;
  /** Preset server; null for Custom (discovered from the address). */
  server: { host: string; port: number; security: SecurityModeWire } | null;
  /** Where the user creates an app password, or null. */
  appPasswordUrl: string | null;
}

export const PROVIDERS: readonly Provider[] = [
  {
    id: 'gmail',
    label: 'Gmail',
    server: { host: 'imap.gmail.com', port: 993, security: 'tls' },
    appPasswordUrl: 'https://myaccount.google.com/apppasswords',
  },
  {
    id: 'outlook',
    label: 'Outlook / Microsoft 365',
    server: { host: 'outlook.office365.com', port: 993, security: 'tls' },
    appPasswordUrl: 'https://account.microsoft.com/security',
  },
  {
    id: 'fastmail',
    label: 'Fastmail',
    server: { host: 'imap.fastmail.com', port: 993, security: 'tls' },
    appPasswordUrl: 'https://app.fastmail.com/settings/security/apppasswords',
  },
  {
    id: 'icloud',
    label: 'iCloud',
    server: { host: 'imap.mail.me.com', port: 993, security: 'tls' },
    appPasswordUrl: 'https://account.apple.com',
  },
  {
    id: 'yahoo',
    label: 'Yahoo',
    server: { host: 'imap.mail.yahoo.com', port: 993, security: 'tls' },
    appPasswordUrl: 'https://login.yahoo.com/account/security',
  },
  { id: 'custom', label: '', server: null, appPasswordUrl: null },
];

export function providerById(id: ProviderId): Provider {
  const provider = PROVIDERS.find((p) => p.id === id);
  if (!provider) throw new Error(`unknown provider ${id}`);
  return provider;
}

/**
 * Which big provider an IMAP host belongs to, matching the preset hosts and their usual aliases
 * (imap.googlemail.com, imap-mail.outlook.com…); 'custom' otherwise.
 */
export function providerOfHost(host: string): ProviderId {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  const is = (suffix: string) => h === suffix || h.endsWith(`.${suffix}`);
  if (is('gmail.com') || is('googlemail.com')) return 'gmail';
  if (is('office365.com') || is('outlook.com') || is('hotmail.com') || is('live.com')) return 'outlook';
  if (is('fastmail.com') || is('messagingengine.com')) return 'fastmail';
  if (is('me.com') || is('icloud.com') || is('mac.com')) return 'icloud';
  if (is('yahoo.com') || /(^|\.)yahoo\.[a-z.]+$/.test(h)) return 'yahoo';
  return 'custom';
}

/** A light check of an address before asking the relay: one @, something on both sides, a dot in the domain. */
export function looksLikeEmail(input: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.trim());
}
