import { providerOfDomain, type ServerCandidate } from '../../../shared/index.js';
import type { EmailParts } from './email-address.js';

/** The preset candidate for a well-known provider's address (shared/providers.ts), or null. */
export function presetFor(email: EmailParts): ServerCandidate | null {
  const provider = providerOfDomain(email.domain);
  if (!provider) return null;
  return {
    ...provider.server,
    source: 'preset',
    username: provider.username === 'address' ? email.address : email.localPart,
  };
}
