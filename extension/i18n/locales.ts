/**
 * Locale sources: `extension/locales/<lang>/<area>.json` in Chrome's messages.json format, one
 * file per UI area so features can add strings without touching each other's files. The build
 * merges them into `_locales/<lang>/messages.json` (see wxt.config.ts); `locales.test.ts` fails
 * when a key is missing in one language or its placeholders differ.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod/mini';

export const SUPPORTED_LOCALES = ['en', 'es'] as const;
export const DEFAULT_LOCALE = 'en';

const messageSchema = z.object({
  message: z.string(),
  description: z.optional(z.string()),
  placeholders: z.optional(z.record(z.string(), z.object({ content: z.string(), example: z.optional(z.string()) }))),
});
export const messagesFileSchema = z.record(z.string().check(z.regex(/^[A-Za-z0-9_]+$/)), messageSchema);
export type MessagesFile = z.infer<typeof messagesFileSchema>;

/** Reads and merges every area file of one language; a key defined twice is an error. */
export function loadLocale(localesDir: string, lang: string): MessagesFile {
  const dir = join(localesDir, lang);
  const merged: MessagesFile = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const parsed = messagesFileSchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    for (const [key, value] of Object.entries(parsed)) {
      if (key in merged) throw new Error(`locale ${lang}: key "${key}" is defined twice (${file})`);
      merged[key] = value;
    }
  }
  return merged;
}
