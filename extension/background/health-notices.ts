/**
 * The texts of the health notifications (issues 8, 9), in the user's language: the account by
 * name, what failed and why in words (i18n/health-text.ts, never a wire code), and what to do.
 * Names and hosts come from the relay and the user, so they pass through `safeLine`.
 */
import type { AccountHealth } from '../../shared/index.js';
import { safeLine } from '../core/safe-text.js';
import { healthText } from '../i18n/health-text.js';
import type { Translate } from '../i18n/i18n.js';
import { plural } from '../i18n/plural.js';
import type { NotificationContent } from './notifications.js';

export interface NoticeInput {
  t: Translate;
  formatNumber: (n: number) => string;
  iconUrl: string;
  /** Whether the platform shows buttons (Firefox does not). */
  buttons: boolean;
  accountName: string;
  /** The latest failing health of the outage. */
  health: AccountHealth;
}

/** "<account> is not getting new mail" / "<host> is unreachable — server unreachable" / what to do. */
export function outageNotice(input: NoticeInput): NotificationContent {
  const { t } = input;
  const text = healthText(input.health, t, input.formatNumber);
  const problem = sentence(text?.title ?? '', input.health.host);
  return {
    type: 'basic',
    iconUrl: input.iconUrl,
    title: t('notify_outageTitle', name(input)),
    message: text?.reason ? t('notify_outageMessage', [problem, text.reason]) : problem,
    ...(text?.action ? { contextMessage: text.action } : {}),
    priority: 1,
  };
}

/** "<account>: sign in again", what happened and the button that leads to the options page. */
export function reauthNotice(input: NoticeInput): NotificationContent {
  const { t } = input;
  const text = healthText(input.health, t, input.formatNumber);
  return {
    type: 'basic',
    iconUrl: input.iconUrl,
    title: t('notify_reauthTitle', name(input)),
    message: text?.action ?? '',
    ...(text?.title ? { contextMessage: sentence(text.title, input.health.host) } : {}),
    ...(input.buttons ? { buttons: [{ title: t('notify_signInAgain') }] } : {}),
    // Stays on screen until acted upon where the platform allows: the account gets no mail until then.
    priority: 2,
  };
}

/** "<account> is back" and how many new messages arrived meanwhile, when the relay sent any. */
export function recoveryNotice(input: NoticeInput & { newMessages: number }): NotificationContent {
  const { t } = input;
  const n = input.newMessages;
  return {
    type: 'basic',
    iconUrl: input.iconUrl,
    title: t('notify_backTitle', name(input)),
    message: n > 0 ? plural(t, 'notify_backNew', n, input.formatNumber(n)) : t('notify_backNone'),
    priority: 0,
  };
}

function name(input: NoticeInput): string {
  return safeLine(input.accountName).trim() || safeLine(input.health.host);
}

/** Starts a sentence with a capital, unless it starts with the host name (which keeps its case). */
function sentence(text: string, host: string): string {
  return safeLine(text.startsWith(host) ? text : text.charAt(0).toUpperCase() + text.slice(1));
}
