import type { AccountHealth } from '../../shared/index.js';
import { errorHint, errorLabel } from './error-text.js';
import type { Translate } from './i18n.js';

/** What the popup and the badge tooltip say about an account that is not live. */
export interface HealthText {
  /** What is wrong, naming the server: "mail.example.com is unreachable". */
  title: string;
  /** Why, in words (never a wire code): "server unreachable". Empty when the title says it all. */
  reason: string;
  /** What to do about it, or that the relay retries by itself. */
  action: string;
}

/**
 * Plain-language text for one account's health (issue 8), from `locales/<lang>/popup.json`
 * (`health_*`) and the error texts. `null` when the account is live. The translator is a
 * parameter so this module stays pure.
 */
export function healthText(
  health: AccountHealth,
  t: Translate,
  formatNumber: (n: number) => string = String,
): HealthText | null {
  const host = health.host;
  switch (health.state) {
    case 'live':
      return null;
    case 'stopped':
      return { title: t('health_stopped'), reason: '', action: '' };
    case 'catching_up':
      return { title: t('health_catchingUp', host), reason: '', action: '' };
    case 'unreachable':
      return {
        title: t('health_unreachable', host),
        reason: errorLabel(health.code, t),
        action: errorHint(health.code, t),
      };
    case 'auth_refused':
      return {
        title: t('health_authRefused', host),
        reason: errorLabel(health.code, t),
        action: errorHint(health.code, t),
      };
    case 'cert_changed':
      return {
        title: t('health_certChanged', host),
        reason: errorLabel(health.code, t),
        action: errorHint(health.code, t),
      };
    case 'frozen':
      return {
        title: t('health_frozen', host),
        reason: t('health_frozenReason', formatNumber(Math.round(health.limitMs / 1000))),
        action: errorHint('TIMEOUT', t),
      };
  }
}
