/**
 * A `Translate` for unit tests that reads `extension/locales/<lang>/*.json` and substitutes like
 * Chrome's `i18n.getMessage`: named placeholders (`$COUNT$`, case-insensitive) take their
 * `content` (`$1`…`$9`), which takes the substitutions; `$$` is a literal `$`. A missing key throws,
 * so a test fails loudly instead of comparing against the key.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Translate } from '../i18n/i18n.js';
import { loadLocale } from '../i18n/locales.js';

const localesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'locales');

export function testTranslator(lang: 'en' | 'es' = 'en'): Translate {
  const messages = loadLocale(localesDir, lang);
  return (key, substitutions) => {
    const entry = messages[key];
    if (!entry) throw new Error(`no message "${key}" in locales/${lang}`);
    const subs = substitutions === undefined ? [] : [substitutions].flat();
    const positional = (text: string) => text.replace(/\$(\d)/g, (_, n: string) => subs[Number(n) - 1] ?? '');
    const placeholders = new Map(
      Object.entries(entry.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), positional(p.content)]),
    );
    // One pass, so a substituted value containing `$…$` is never expanded again.
    return entry.message.replace(/\$\$|\$([A-Za-z0-9_@]+)\$|\$(\d)/g, (match, name?: string, digit?: string) => {
      if (match === '$$') return '$';
      if (name !== undefined) return placeholders.get(name.toLowerCase()) ?? '';
      return subs[Number(digit) - 1] ?? '';
    });
  };
}
