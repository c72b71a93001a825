import { z } from 'zod/mini';
import { accountSummarySchema, type AccountSummary } from '../../shared/index.js';
import { checkRelayUrl, DEFAULT_RELAY_URL } from '../core/relay-url.js';

/** The one `browser.storage.local` key Tidings uses. Bump the suffix on an incompatible change. */
export const STORAGE_KEY = 'tidings.v1';

/** What the background keeps across worker restarts. */
export interface StoredState {
  /** Normalised relay base URL (see checkRelayUrl). */
  relayUrl: string;
  /** The device token from pairing; never sent to the UI. */
  pairing: { token: string; deviceId: string } | null;
  /** True when the relay dropped the pairing (not the user); the UI says so. */
  revoked: boolean;
  lastSeq: number | null;
  accounts: AccountSummary[];
  accountsAt: number | null;
}

export const defaultStoredState: StoredState = {
  relayUrl: DEFAULT_RELAY_URL,
  pairing: null,
  revoked: false,
  lastSeq: null,
  accounts: [],
  accountsAt: null,
};

/** The storage key holds an object; each field is checked on its own (see parseStoredState). */
const fields = {
  // Only validity matters here; the message (the key, untranslated) is never shown.
  relayUrl: z.string().check(z.refine((s) => checkRelayUrl(s, (key) => key).ok, 'not a valid relay URL')),
  pairing: z.nullable(
    z.object({ token: z.string().check(z.minLength(1)), deviceId: z.string().check(z.minLength(1)) }),
  ),
  revoked: z.boolean(),
  lastSeq: z.nullable(z.int().check(z.nonnegative())),
  accounts: z.array(accountSummarySchema),
  accountsAt: z.nullable(z.number()),
} satisfies { [K in keyof StoredState]: z.ZodMiniType<StoredState[K]> };

/**
 * Reads stored state from `unknown`. Field by field: a bad cached account list must not cost the
 * user their pairing (but a bad relay URL does: the token is only for that relay). Missing or invalid fields fall back to the default and are reported in
 * `problems` (field names only; never values, which include the token).
 */
export function parseStoredState(value: unknown): { state: StoredState; problems: string[] } {
  const problems: string[] = [];
  if (value === undefined) return { state: { ...defaultStoredState }, problems };
  const record = z.record(z.string(), z.unknown()).safeParse(value);
  if (!record.success) return { state: { ...defaultStoredState }, problems: ['(not an object)'] };
  const raw = record.data;
  const pick = <T>(key: keyof StoredState, schema: z.ZodMiniType<T>, fallback: T): T => {
    if (!(key in raw)) return fallback;
    const r = schema.safeParse(raw[key]);
    if (r.success) return r.data;
    problems.push(key);
    return fallback;
  };
  const d = defaultStoredState;
  const state: StoredState = {
    relayUrl: pick('relayUrl', fields.relayUrl, d.relayUrl),
    pairing: pick('pairing', fields.pairing, d.pairing),
    revoked: pick('revoked', fields.revoked, d.revoked),
    lastSeq: pick('lastSeq', fields.lastSeq, d.lastSeq),
    accounts: pick('accounts', fields.accounts, d.accounts),
    accountsAt: pick('accountsAt', fields.accountsAt, d.accountsAt),
  };
  // A token belongs to one relay: never send it to the default URL instead.
  if (problems.includes('relayUrl')) state.pairing = null;
  return { state, problems };
}

/** The part of `browser.storage.local` the background uses. */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}
