import { describe, expect, it } from 'vitest';
import { testTranslator } from '../testing/translator.js';
import { plural } from './plural.js';

describe('plural', () => {
  it('picks the CLDR category of the count in the translator’s language', () => {
    const en = testTranslator('en');
    expect(plural(en, 'badge_problems', 1, '1')).toBe(' · 1 account has a problem');
    expect(plural(en, 'badge_problems', 0, '0')).toBe(' · 0 accounts have a problem');
    expect(plural(en, 'badge_problems', 2, '2')).toBe(' · 2 accounts have a problem');
    const es = testTranslator('es');
    expect(plural(es, 'badge_problems', 1, '1')).toBe(' · 1 cuenta tiene un problema');
    expect(plural(es, 'badge_problems', 5, '5')).toBe(' · 5 cuentas tienen un problema');
  });

  it('uses categories beyond one/other where the language has them', () => {
    // Spanish has a "many" category for millions (CLDR 42+): "1.000.000 de cuentas".
    const es = testTranslator('es');
    expect(new Intl.PluralRules('es').select(1_000_000)).toBe('many');
    expect(plural(es, 'badge_problems', 1_000_000, '1.000.000')).toBe(' · 1.000.000 de cuentas tienen un problema');
  });

  it('falls back to the other form when a message for the category is missing', () => {
    const onlyOther = (key: string, subs?: string | string[]) =>
      key === 'uiLocale' ? 'es' : key === 'n_other' ? `${String(subs?.[0])} cosas` : key;
    expect(plural(onlyOther, 'n', 1_000_000, '1.000.000')).toBe('1.000.000 cosas');
  });
});
