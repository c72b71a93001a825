import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { SUPPORTED_LOCALES } from './locales.js';

// i18n.ts reads the UI language from the extension API (wxt/browser) once per page; each test
// sets it and loads the module afresh, as a page in that language would.
const ui = { language: 'en' };
vi.stubGlobal('chrome', { i18n: { getUILanguage: () => ui.language, getMessage: () => '' } });
async function formatNumberIn(language: string): Promise<(n: number) => string> {
  ui.language = language;
  vi.resetModules();
  return (await import('./i18n.js')).formatNumber;
}

const localesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'locales');
/** The language a locale's messages are in (`uiLocale`), as uiLanguage() falls back to. */
const messagesLanguage = (lang: string): string =>
  (JSON.parse(readFileSync(join(localesDir, lang, 'components.json'), 'utf8')) as { uiLocale: { message: string } })
    .uiLocale.message;

describe('formatNumber', () => {
  // formatNumber skips Intl for 0–999; Intl is the reference it must agree with.
  const languages = [...SUPPORTED_LOCALES.map(messagesLanguage), 'en-GB', 'en-IN', 'es-419', 'es-MX'];

  it.each(languages)('writes 0–999 as Intl.NumberFormat(%s) does', async (lang) => {
    const formatNumber = await formatNumberIn(lang);
    const intl = new Intl.NumberFormat(lang);
    for (let n = 0; n < 1000; n++) expect(formatNumber(n), `${lang} ${n}`).toBe(intl.format(n));
    expect(formatNumber(12_345), lang).toBe(intl.format(12_345));
  });

  it('groups larger numbers and formats fractions the way the UI language does', async () => {
    const formatNumber = await formatNumberIn('en');
    expect(formatNumber(12_345)).toBe('12,345');
    expect(formatNumber(1.5)).toBe('1.5');
    expect(formatNumber(-3)).toBe('-3');
    expect(formatNumber(7)).toBe('7');
  });
});
