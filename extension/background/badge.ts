import { DEFAULT_USER_SETTINGS, type AccountSummary, type UserSettings } from '../../shared/index.js';
import { totalUnread } from './accounts.js';
import { healthLevel, healthOf } from '../core/account-health.js';
import { healthText } from '../i18n/health-text.js';
import type { Translate } from '../i18n/i18n.js';
import { plural } from '../i18n/plural.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';

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
  /** Some account is catching up after a (re)connect: its count may lag. */
  pending: '#d97706',
  /** The relay is too old or too new. */
  warning: '#d97706',
  /** Not paired, or the relay is unreachable: the number would be a guess. */
  inactive: '#6b7280',
} as const;

/** Highest count shown as a number; more shows as `999+` (the badge has room for ~4 characters). */
export const BADGE_MAX_COUNT = 999;

/** Everything besides the snapshot that decides the badge; the background passes it in. */
export interface BadgeInputs {
  /** The browser's language (i18n/i18n.ts `t` in the worker, testTranslator() in tests). */
  t: Translate;
  /** Localized number formatting for the tooltip; default `String`. */
  formatNumber?: (n: number) => string;
  /** The user's badge settings from the relay; default DEFAULT_USER_SETTINGS.badge. */
  settings?: UserSettings['badge'];
  /**
   * For `countMode: 'new'`: per account id, unread messages that arrived since the popup was last
   * opened (see NewMailTracker). Ignored in 'all' mode.
   */
  newCounts?: ReadonlyMap<string, number>;
}

/**
 * The badge for a snapshot. Precedence, first match wins:
 *
 * 1. not paired (or the token was just refused) → `?`, grey;
 * 2. relay speaks another protocol version → `!`, amber;
 * 3. relay unreachable (`backoff`, or a retry after a failure) → `off`, grey; the tooltip keeps
 *    the last known counts, marked as such;
 * 4. otherwise the count: total unread in 'all' mode, or the messages that arrived since the popup
 *    was last opened in 'new' mode (`''` at 0 unless `hideAtZero` is off, `999+` above 999). When
 *    any account is in error the badge turns red, and shows `!` only if the count is 0: a count is
 *    never hidden by an error marker, because the other accounts' mail is still real. The tooltip
 *    names the failing account and says in words what failed and why (never a wire code). An
 *    account that is catching up after a reconnect turns the badge amber (its count may lag).
 *
 * The first connection attempt after the worker starts (`connecting`, attempt 0) still shows the
 * cached counts, so the badge does not flicker every time the worker wakes up.
 */
export function computeBadge(snapshot: Snapshot, inputs: BadgeInputs): Badge {
  const { t } = inputs;
  const fmt = inputs.formatNumber ?? String;
  const settings = inputs.settings ?? DEFAULT_USER_SETTINGS.badge;
  const { pairing, connection, accounts, relayUrl } = snapshot;
  if (pairing.status === 'unpaired' || connection.status === 'unauthorized') {
    const why = pairing.status === 'unpaired' && pairing.revoked ? t('badge_unpairedRevoked') : t('badge_unpaired');
    return { text: '?', color: BadgeColors.inactive, title: why };
  }
  if (connection.status === 'incompatible') {
    return {
      text: '!',
      color: BadgeColors.warning,
      title: `${t('badge_incompatible', relayUrl)}\n${connection.message}`,
    };
  }
  const newMode = settings.countMode === 'new';
  const newOf = (a: AccountSummary): number => (newMode ? (inputs.newCounts?.get(a.id) ?? 0) : 0);
  const lines = accounts.map((a) => accountLine(a, { t, formatNumber: fmt, newCount: newMode ? newOf(a) : null }));
  if (connection.status === 'backoff' || (connection.status === 'connecting' && connection.attempt > 0)) {
    const last = lines.length > 0 ? `\n${t('badge_lastKnown')}\n${lines.join('\n')}` : '';
    return { text: 'off', color: BadgeColors.inactive, title: `${t('badge_unreachable', relayUrl)}${last}` };
  }
  if (accounts.length === 0) {
    const title = connection.status === 'open' ? t('badge_noAccounts') : t('badge_connecting', relayUrl);
    return { text: '', color: BadgeColors.unread, title };
  }
  const unread = totalUnread(accounts);
  const count = newMode ? accounts.reduce((sum, a) => sum + newOf(a), 0) : unread;
  const levels = accounts.map((a) => healthLevel(healthOf(a)));
  const failing = levels.filter((l) => l === 'problem').length;
  const pending = levels.some((l) => l === 'pending');
  const text =
    count > BADGE_MAX_COUNT
      ? `${BADGE_MAX_COUNT}+`
      : count > 0
        ? String(count)
        : failing > 0
          ? '!'
          : settings.hideAtZero
            ? ''
            : '0';
  const head = newMode
    ? count === 0
      ? t('badge_noNew', fmt(unread))
      : t('badge_new', [fmt(count), fmt(unread)])
    : unread === 0
      ? t('badge_noUnread')
      : t('badge_unread', fmt(unread));
  const problem = failing === 0 ? '' : plural(t, 'badge_problems', failing, fmt(failing));
  return {
    text,
    color: failing > 0 ? BadgeColors.error : pending ? BadgeColors.pending : BadgeColors.unread,
    title: [head + problem, ...lines].join('\n'),
  };
}

/**
 * One tooltip line, e.g. `Work: 3 unread`, `Work: 1 new · 3 unread` (new mode) or
 * `Home: mail.example.com refused the sign-in — sign-in failed`.
 */
export function accountLine(
  account: AccountSummary,
  options: { t: Translate; formatNumber?: (n: number) => string; newCount?: number | null },
): string {
  const { t } = options;
  const fmt = options.formatNumber ?? String;
  const { name } = account;
  const health = healthOf(account);
  switch (health.state) {
    case 'live':
      return options.newCount === null || options.newCount === undefined
        ? t('badge_lineUnread', [name, fmt(account.unread)])
        : t('badge_lineNew', [name, fmt(options.newCount), fmt(account.unread)]);
    case 'catching_up':
      return t('badge_lineCatchingUp', [name, fmt(account.unread), healthText(health, t, fmt)?.title ?? '']);
    case 'stopped':
      return t('badge_linePaused', name);
    default: {
      const text = healthText(health, t, fmt);
      return t('badge_lineHealth', [name, text?.title ?? '', text?.reason ?? '']);
    }
  }
}
