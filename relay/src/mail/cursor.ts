import { createHash } from 'node:crypto';
import { z } from 'zod/mini';
import { ErrorCode, TidingsError, type SearchQuery } from '../../../shared/index.js';

/**
 * Opaque list/search cursors: base64url JSON, parsed back with zod (a cursor comes from the
 * client, so it is untrusted input). A cursor names the scope it belongs to (and, for a search,
 * a hash of the query), so one cannot be replayed against another list.
 */

const uidValiditySchema = z.string().check(z.regex(/^\d{1,20}$/));

/** One mailbox's list position (see PagePosition). */
const listPositionSchema = z.object({
  uv: uidValiditySchema,
  u: z.int().check(z.positive()),
  s: z.int().check(z.nonnegative()),
});
/** One mailbox's search position (see SearchPosition). */
const searchPositionSchema = z.object({ uv: uidValiditySchema, u: z.int().check(z.positive()) });

/** Per account of a unified scope: where it stands (0 = exhausted) and its last known total. */
const unifiedEntry = <T extends z.ZodMiniType>(position: T) =>
  z.object({ p: z.union([position, z.literal(0)]), t: z.int().check(z.nonnegative()) });

const cursorSchema = z.discriminatedUnion('k', [
  z.object({ k: z.literal('m'), a: z.string(), m: z.string(), p: listPositionSchema }),
  z.object({ k: z.literal('u'), e: z.record(z.string(), unifiedEntry(listPositionSchema)) }),
  z.object({ k: z.literal('sm'), a: z.string(), m: z.string(), q: z.string(), p: searchPositionSchema }),
  z.object({ k: z.literal('su'), q: z.string(), e: z.record(z.string(), unifiedEntry(searchPositionSchema)) }),
]);

export type Cursor = z.infer<typeof cursorSchema>;
export type ListPositionWire = z.infer<typeof listPositionSchema>;
export type SearchPositionWire = z.infer<typeof searchPositionSchema>;
export type UnifiedEntries<P> = Record<string, { p: P | 0; t: number }>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Decodes a cursor of the expected kind; anything else is BAD_REQUEST. */
export function decodeCursor<K extends Cursor['k']>(raw: string, kind: K): Extract<Cursor, { k: K }> {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new TidingsError(ErrorCode.BAD_REQUEST, 'invalid cursor: start again from the first page');
  }
  const parsed = cursorSchema.safeParse(json);
  if (!parsed.success || !isKind(parsed.data, kind))
    throw new TidingsError(ErrorCode.BAD_REQUEST, 'invalid cursor for this list: start again from the first page');
  return parsed.data;
}

function isKind<K extends Cursor['k']>(cursor: Cursor, kind: K): cursor is Extract<Cursor, { k: K }> {
  return cursor.k === kind;
}

/** A short, stable fingerprint of a search query, so a cursor is not reused for another query. */
export function queryHash(query: SearchQuery): string {
  const canonical = JSON.stringify(
    Object.entries(query)
      .filter(([, v]) => v !== undefined && v !== '')
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}
