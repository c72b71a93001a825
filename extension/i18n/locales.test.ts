import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCALE, loadLocale, SUPPORTED_LOCALES } from './locales.js';

const extensionDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const localesDir = join(extensionDir, 'locales');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name.startsWith('.') || name === 'locales') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const placeholders = (message: string) => [...message.matchAll(/\$(\d|[A-Za-z_]+)\$?/g)].map((m) => m[0]).sort();

describe('locales', () => {
  const base = loadLocale(localesDir, DEFAULT_LOCALE);

  it('has the same area files in every language', () => {
    const files = (lang: string) => readdirSync(join(localesDir, lang)).sort();
    for (const lang of SUPPORTED_LOCALES) expect(files(lang), lang).toEqual(files(DEFAULT_LOCALE));
  });

  it.each(SUPPORTED_LOCALES.filter((l) => l !== DEFAULT_LOCALE))(
    '%s has every key of English, no extra, same placeholders',
    (lang) => {
      const other = loadLocale(localesDir, lang);
      expect(Object.keys(other).sort()).toEqual(Object.keys(base).sort());
      for (const [key, value] of Object.entries(base)) {
        expect(placeholders(other[key]!.message), `${lang}:${key}`).toEqual(placeholders(value.message));
        expect(Object.keys(other[key]!.placeholders ?? {}).sort(), `${lang}:${key} placeholders`).toEqual(
          Object.keys(value.placeholders ?? {}).sort(),
        );
        expect(other[key]!.message.trim(), `${lang}:${key} is empty`).not.toBe('');
      }
    },
  );

  // Regression (issue 13): one Spanish string said "relay" where every other says "relé".
  it('calls the relay "relé" in Spanish, except inside commands', () => {
    const es = loadLocale(localesDir, 'es');
    const english = Object.entries(es)
      .filter(([, v]) => /\brelay\b/i.test(v.message.replace(/npm run relay\b/g, '')))
      .map(([k]) => k);
    expect(english).toEqual([]);
  });

  it('defines every key the code asks for', () => {
    const used = new Set<string>();
    for (const file of sourceFiles(extensionDir)) {
      for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([A-Za-z0-9_]+)'/g)) used.add(m[1]!);
    }
    const missing = [...used].filter((k) => !(k in base));
    expect(missing).toEqual([]);
  });
});
