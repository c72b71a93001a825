import type { AccountSummary } from '../../shared/index.js';
import { totalUnread } from './accounts.js';
import { errorLabel } from './error-text.js';
import type { Snapshot } from './snapshot.js';

/** What the toolbar button shows: `chrome.action.setBadgeText/BackgroundColor/Title`. */
export interface Badge {
  text: string;
  /** CSS hex colour of the badge background. */
  color: string;
  title: string;
}

export const BadgeColors = {
  /** Normal unread count. */
  unread: '#2563eb',
  /** Some account is in error. */
  error: '#dc2626',
  /** The relay is too old or too new. */
  warning: '#d97706',
  /** Not paired, or the relay is unreachable: the number would be a guess. */
  inactive: '#6b7280',
} as const;

/** Highest count shown as a number; more shows as `999+` (the badge has room for ~4 characters). */
export const BADGE_MAX_COUNT = 999;

/**
 * The badge for a snapshot. Precedence, first match wins:
 *
 * 1. not paired (or the token was just refused) → `?`, grey;
 * 2. relay speaks another protocol version → `!`, amber;
 * 3. relay unreachable (`backoff`, or a retry after a failure) → `off`, grey; the tooltip keeps
 *    the last known counts, marked as such;
 * 4. otherwise the total unread (`''` at 0, `999+` above 999). When any account is in error the
 *    badge turns red, and shows `!` only if there is no unread mail: a count is never hidden by an
 *    error marker, because the other accounts' mail is still real. The tooltip names the failing
 *    account and says what failed.
 *
 * The first connection attempt after the worker starts (`connecting`, attempt 0) still shows the
 * cached counts, so the badge does not flicker every time the worker wakes up.
 */
export function computeBadge(snapshot: Snapshot): Badge {
  const { pairing, connection, accounts, relayUrl } = snapshot;
  if (pairing.status === 'unpaired' || connection.status === 'unauthorized') {
    const why =
      pairing.status === 'unpaired' && pairing.revoked
        ? 'Tidings is not paired — the relay no longer accepts this browser. Open the options page to pair again.'
        : 'Tidings is not paired — open the options page';
    return { text: '?', color: BadgeColors.inactive, title: why };
  }
  if (connection.status === 'incompatible') {
    return {
      text: '!',
      color: BadgeColors.warning,
      title: `Tidings and the relay at ${relayUrl} speak different protocol versions — update the older one.\n${connection.message}`,
    };
  }
  const lines = accounts.map(accountLine);
  if (connection.status === 'backoff' || (connection.status === 'connecting' && connection.attempt > 0)) {
    const last = lines.length > 0 ? `\nLast known:\n${lines.join('\n')}` : '';
    return {
      text: 'off',
      color: BadgeColors.inactive,
      title: `Cannot reach the relay at ${relayUrl} — is it running? Retrying automatically.${last}`,
    };
  }
  if (accounts.length === 0) {
    const title =
      connection.status === 'open'
        ? 'Tidings — no accounts yet. Add one on the relay with `npm run relay -- accounts add`.'
        : `Tidings — connecting to the relay at ${relayUrl}…`;
    return { text: '', color: BadgeColors.unread, title };
  }
  const total = totalUnread(accounts);
  const failing = accounts.filter((a) => a.state.status === 'error').length;
  const text = total > BADGE_MAX_COUNT ? `${BADGE_MAX_COUNT}+` : total > 0 ? String(total) : failing > 0 ? '!' : '';
  const head = total === 0 ? 'Tidings — no unread mail' : `Tidings — ${total} unread`;
  const problem =
    failing === 0 ? '' : failing === 1 ? ' · 1 account has a problem' : ` · ${failing} accounts have a problem`;
  return {
    text,
    color: failing > 0 ? BadgeColors.error : BadgeColors.unread,
    title: [head + problem, ...lines].join('\n'),
  };
}

/** One tooltip line, e.g. `Work: 3 unread` or `Home: sign-in failed (AUTH_FAILED)`. */
export function accountLine(account: AccountSummary): string {
  const { state } = account;
  switch (state.status) {
    case 'online':
      return `${account.name}: ${account.unread} unread`;
    case 'connecting':
      return `${account.name}: ${account.unread} unread (connecting…)`;
    case 'error':
      return `${account.name}: ${errorLabel(state.code)} (${state.code})`;
    case 'stopped':
      return `${account.name}: paused`;
  }
}
