import { TidingsError, type AccountDetails } from '../../../shared/index.js';
import type { Account, Store } from '../store/types.js';

/**
 * The account as the options page may see it: settings only, never the password (not even
 * encrypted) and not the stored CA bundle (the pinned fingerprint stands for it).
 */
export function toAccountDetails(a: Account): AccountDetails {
  return {
    id: a.id,
    name: a.name,
    host: a.host,
    port: a.port,
    security: a.security,
    username: a.username,
    pinnedFingerprint: a.pinnedFingerprint,
    color: a.color,
    watchedMailboxes: [...a.watchedMailboxes],
    archiveMailbox: a.archiveMailbox,
    oauthProvider: a.auth.kind === 'oauth2' ? a.auth.provider : null,
  };
}

/**
 * The account with this id if it belongs to `userId`; NOT_FOUND otherwise — the same answer for
 * another user's account as for none, so ids cannot be probed across users.
 */
export function ownedAccount(store: Store, userId: string, id: string): Account {
  const account = store.getAccount(id);
  if (!account || account.userId !== userId) throw new TidingsError('NOT_FOUND', 'no such account');
  return account;
}
