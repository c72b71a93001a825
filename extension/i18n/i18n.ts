import { browser } from 'wxt/browser';

/**
 * The signature of `t`, for pure modules (badge, error text, view model, notifications) that take
 * the translator as a parameter instead of importing this file, so unit tests can pass a
 * translator built from the locale files (testing/translator.ts) without a browser.
 */
export type Translate = (key: string, substitutions?: string | string[]) => string;

/**
 * UI strings through Chrome's i18n (`_locales/<lang>/messages.json`, built from
 * `extension/locales/`). A missing key renders as the key itself, so it is visible, never blank.
 * Substitutions fill `$1`…`$9` placeholders and are inserted as text by the caller (Svelte text
 * nodes), never as markup.
 *
 * @example t('extName')
 */
export function t(key: string, substitutions?: string | string[]): string {
  // WXT types getMessage's key as the built-in @@ names only; our keys come from locales/.
  const getMessage = browser.i18n?.getMessage as
    ((key: string, substitutions?: string | string[]) => string) | undefined;
  const message = getMessage?.(key, substitutions);
  return message || key;
}

/**
 * The language for Intl formatting (e.g. "es-ES"): the browser's UI language when the messages
 * are in that language, else the messages' own language (`uiLocale` in each locale file). Numbers
 * and dates then always match the words around them: a German browser gets English text (our
 * fallback) with English numbers, and a browser whose UI language and message bundle disagree
 * (Chromium started with LANGUAGE=es, as the e2e suite does) formats like its text.
 */
export function uiLanguage(): string {
  // Both inputs are fixed for the page's life, and the popup asks for every date it formats.
  return (language ??= resolveUiLanguage());
}
let language: string | undefined;
function resolveUiLanguage(): string {
  const ui = browser.i18n?.getUILanguage?.() || 'en';
  const messages = t('uiLocale');
  if (messages === 'uiLocale') return ui;
  return ui.toLowerCase().split('-')[0] === messages.toLowerCase() ? ui : messages;
}

/**
 * Intl formatters by language and options. Building one resolves the locale in ICU and costs far
 * more than formatting (the popup formats two dates per row on every render), so each is built once.
 */
const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>();
function cached<F extends Intl.NumberFormat | Intl.DateTimeFormat | Intl.RelativeTimeFormat>(
  kind: string,
  options: object,
  make: (lang: string) => F,
): F {
  const lang = uiLanguage();
  const key = `${kind}\u0000${lang}\u0000${JSON.stringify(options)}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = make(lang);
    formatters.set(key, formatter);
  }
  // The key includes the kind, so the stored formatter is the one `make` built.
  return formatter as F;
}

/**
 * Localized number (12.345 in Spanish, 12,345 in English).
 *
 * Whole numbers from 0 to 999 skip Intl: every language we ship (SUPPORTED_LOCALES, and their
 * regional variants) writes them as plain ASCII digits without grouping, and building the first
 * Intl.NumberFormat of a context loads ICU's locale data (~20 ms in a traced worker start) on
 * the path of a woken worker's first badge and snapshot. `format-number.test.ts` checks the
 * shortcut against Intl for each shipped language, so a language with other digits fails it.
 */
export function formatNumber(n: number): string {
  if (Number.isInteger(n) && n >= 0 && n < 1000 && !Object.is(n, -0)) return String(n);
  return cached('number', {}, (lang) => new Intl.NumberFormat(lang)).format(n);
}

/** Localized absolute date and time. */
export function formatDateTime(
  epochMs: number,
  options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' },
): string {
  return cached('date', options, (lang) => new Intl.DateTimeFormat(lang, options)).format(epochMs);
}

/**
 * Localized relative time ("5 minutes ago", "hace 5 minutos"), falling back to a date after a week.
 * Never in the future (issue 8): a time ahead of `now` (a sender's or the relay's clock running
 * ahead) reads as "now", not "in 3 minutes".
 */
export function formatRelative(epochMs: number, now: number = Date.now()): string {
  const diff = Math.min(0, epochMs - now);
  const abs = Math.abs(diff);
  const rtf = cached('relative', {}, (lang) => new Intl.RelativeTimeFormat(lang, { numeric: 'auto' }));
  if (abs < 60_000) return rtf.format(Math.round(diff / 1000), 'second');
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  if (abs < 7 * 86_400_000) return rtf.format(Math.round(diff / 86_400_000), 'day');
  return formatDateTime(epochMs, { dateStyle: 'medium' });
}

/**
 * Builds the date formatters the popup's rows use. The first Intl date formatter in a fresh
 * extension process loads ICU's locale data (15–30 ms measured in a popup opened after the worker
 * had stopped; 0.2 ms once any thread of the process has built one), so the worker builds them
 * while it waits for the relay, before the popup's rows arrive (entrypoints/background.ts).
 */
export function warmDateFormats(now: number = Date.now()): void {
  formatRelative(now - 60_000, now);
  formatDateTime(now);
  formatDateTime(now, { dateStyle: 'medium' });
}
