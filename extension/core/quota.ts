/**
 * Storage quota (RFC 9208) as the user reads it: "1.2 GB of 15 GB", a percentage and a level.
 * Sizes use binary multiples (what servers count in: QUOTA STORAGE is in units of 1024 octets)
 * labelled with the everyday unit names, as mail providers do.
 */
import type { AccountSummary } from '../../shared/index.js';
import type { Translate } from '../i18n/i18n.js';

export type Quota = NonNullable<AccountSummary['quota']>;

/** Past this share of the limit the meter turns amber. */
export const QUOTA_WARN_RATIO = 0.9;

const UNITS = ['byte', 'kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/** `1288490189` → "1.2 GB" (en) / "1,2 GB" (es). */
export function formatBytes(bytes: number, locale: string): string {
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(locale, {
    style: 'unit',
    unit: UNITS[unit],
    unitDisplay: 'short',
    maximumFractionDigits: value < 10 && unit > 0 ? 1 : 0,
  }).format(value);
}

export interface QuotaView {
  /** 0–100, rounded down so 99.6 % never shows as "100 %" while there is room. */
  percent: number;
  /** Share for the bar, 0–1. */
  ratio: number;
  level: 'ok' | 'warning' | 'full';
  /** "1.2 GB of 15 GB". */
  text: string;
  /** "8 % used". */
  percentText: string;
}

export function quotaView(quota: Quota, options: { t: Translate; locale: string }): QuotaView {
  const { t, locale } = options;
  const ratio = Math.min(1, Math.max(0, quota.usedBytes / quota.limitBytes));
  const level = ratio >= 1 ? 'full' : ratio >= QUOTA_WARN_RATIO ? 'warning' : 'ok';
  const percent = Math.floor(ratio * 100);
  const pct = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }).format(percent / 100);
  return {
    percent,
    ratio,
    level,
    text: t('quota_usage', [formatBytes(quota.usedBytes, locale), formatBytes(quota.limitBytes, locale)]),
    percentText: t('quota_percent', pct),
  };
}
