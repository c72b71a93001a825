/**
 * The provider buttons of the add-account form: the shared table of well-known providers
 * (shared/providers.ts, which the relay's discovery also reads) plus "Custom". These only choose
 * the form's defaults and hints; the relay discovers the real settings.
 */
import {
  KNOWN_PROVIDERS,
  knownProvider,
  providerOfHost as knownProviderOfHost,
  type KnownProviderId,
  type SecurityModeWire,
} from '../../shared/index.js';

export type ProviderId = KnownProviderId | 'custom';

export interface Provider {
  id: ProviderId;
  /** Brand name; not translated. Custom's label comes from the locale files. */
  label: string;
  /** Preset server; null for Custom (discovered from the address). */
  server: { host: string; port: number; security: SecurityModeWire } | null;
  /** Where the user creates an app password, or null. */
  appPasswordUrl: string | null;
}

const CUSTOM: Provider = { id: 'custom', label: '', server: null, appPasswordUrl: null };

export const PROVIDERS: readonly Provider[] = [
  ...KNOWN_PROVIDERS.map(({ id, label, server, appPasswordUrl }) => ({ id, label, server, appPasswordUrl })),
  CUSTOM,
];

export function providerById(id: ProviderId): Provider {
  if (id === 'custom') return CUSTOM;
  const { label, server, appPasswordUrl } = knownProvider(id);
  return { id, label, server, appPasswordUrl };
}

/** Which big provider an IMAP host belongs to; 'custom' for any other server. */
export function providerOfHost(host: string): ProviderId {
  return knownProviderOfHost(host) ?? 'custom';
}

/** A light check of an address before asking the relay: one @, something on both sides, a dot in the domain. */
export function looksLikeEmail(input: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.trim());
}
