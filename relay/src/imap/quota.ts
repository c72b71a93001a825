import type { ImapFlow } from 'imapflow';
import type { AccountSummary } from '../../../shared/index.js';

export type Quota = NonNullable<AccountSummary['quota']>;

/**
 * Storage use of the quota root that holds INBOX (RFC 9208 GETQUOTAROOT; imapflow reports
 * STORAGE in bytes, converted from the wire's KiB). null when the server has no QUOTA, reports no
 * STORAGE resource, or has no limit (a 0 or missing limit is "unlimited", nothing to show).
 */
export async function readQuota(client: ImapFlow): Promise<Quota | null> {
  const result = await client.getQuota('INBOX');
  if (!result) return null;
  const storage = result.storage;
  if (!storage || typeof storage !== 'object') return null;
  const used = storage.usage;
  const limit = storage.limit;
  if (typeof used !== 'number' || typeof limit !== 'number' || !(limit > 0) || used < 0) return null;
  return { usedBytes: used, limitBytes: limit };
}

/** True when the server advertises QUOTA (RFC 2087) or any RFC 9208 QUOTA=RES-* capability. */
export function hasQuota(client: ImapFlow): boolean {
  if (client.capabilities.has('QUOTA')) return true;
  for (const c of client.capabilities.keys()) if (c.startsWith('QUOTA=RES-')) return true;
  return false;
}
