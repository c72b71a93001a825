import type { Translate } from './i18n.js';

const rules = new Map<string, Intl.PluralRules>();

/**
 * A counted phrase in the translator's own language, by CLDR plural rules (`Intl.PluralRules`):
 * the message `<key>_<category>` (`_one`, `_many`, `_other`…), falling back to `<key>_other`
 * when a language has no message for that category. The count is the first substitution, so a
 * message says `$COUNT$ accounts`, never a hard-coded 1.
 *
 * The language comes from the translator itself (each locale's `uiLocale` message), so pure
 * modules need nothing but `t`.
 *
 * @example plural(t, 'badge_problems', 3, formatNumber(3)) // " · 3 accounts have a problem"
 */
export function plural(t: Translate, key: string, n: number, count: string, ...rest: string[]): string {
  const lang = t('uiLocale');
  const locale = lang === 'uiLocale' ? 'en' : lang;
  let pluralRules = rules.get(locale);
  if (!pluralRules) {
    pluralRules = new Intl.PluralRules(locale);
    rules.set(locale, pluralRules);
  }
  const exactKey = `${key}_${pluralRules.select(n)}`;
  const exact = t(exactKey, [count, ...rest]);
  return exact === exactKey ? t(`${key}_other`, [count, ...rest]) : exact;
}
