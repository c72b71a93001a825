import type { AccountSummary, ServerEvent } from '../../shared/index.js';

/**
 * Applies one relay event to the account list and returns the new list (never mutates).
 * `device.revoked` changes no account; the relay client handles it as a state change.
 * An event for an account the list does not know is ignored: `accounts.changed` or a resync
 * brings new accounts in.
 */
export function applyEvent(accounts: readonly AccountSummary[], event: ServerEvent): AccountSummary[] {
  switch (event.event) {
    case 'counts': {
      const { accountId, unread, mailboxes } = event.payload;
      return accounts.map((a) => (a.id === accountId ? { ...a, unread, mailboxes } : a));
    }
    case 'account.state': {
      const { accountId, state, health } = event.payload;
      // An older relay sends no health: drop the stale one so `state` speaks (core/account-health.ts).
      return accounts.map((a) => (a.id === accountId ? { ...a, state, health } : a));
    }
    case 'accounts.changed':
      return [...event.payload.accounts];
    case 'device.revoked':
      return [...accounts];
    default:
      // Message and settings events do not change the account list (counts follow in `counts`).
      return [...accounts];
  }
}

/** Total unread over all accounts. */
export function totalUnread(accounts: readonly AccountSummary[]): number {
  return accounts.reduce((sum, a) => sum + a.unread, 0);
}
