/**
 * Pairing: the CLI issues a short-lived one-time code; the options page trades it (POST /v1/pair)
 * for a device token pinned to the extension's Origin.
 */
import { Limits, TidingsError, normalizePairingCode } from '../../../shared/index.js';
import type { Device, Store } from '../store/types.js';
import { generateDeviceToken, generatePairingCode, hashPairingCode, hashToken } from './tokens.js';

/**
 * Creates a code for `userId`, valid for Limits.pairingCodeTtlMs. Only its hash is stored; the
 * returned code is shown to the user once.
 *
 * @example
 * const { code } = issuePairingCode({ store, userId: store.ensureDefaultUser().id, now: Date.now() });
 */
export function issuePairingCode(options: { store: Store; userId: string; now: number }): {
  code: string;
  expiresAt: number;
} {
  const code = generatePairingCode();
  const expiresAt = options.now + Limits.pairingCodeTtlMs;
  options.store.createPairingCode({ codeHash: hashPairingCode(code), userId: options.userId, expiresAt });
  return { code, expiresAt };
}

/**
 * Consumes `code` and creates a device pinned to `origin`. Returns the raw token (shown to the
 * extension once, stored only as a hash) or null when the code is wrong, expired or already used.
 * Callers map null to PAIRING_INVALID without saying which, so a guesser learns nothing.
 */
export function redeemPairingCode(options: {
  store: Store;
  code: string;
  origin: string;
  label: string;
  now: number;
}): { token: string; device: Device } | null {
  const { store, code, origin, now } = options;
  // Refuse before consuming: an empty Origin would pin the device to nothing and burn the code.
  if (origin.trim() === '') throw new TidingsError('BAD_REQUEST', 'pairing needs the Origin of the extension');
  // Generated codes have exactly 8 symbols; anything else cannot match, so skip the store.
  if (normalizePairingCode(code).length !== 8) return null;
  const consumed = store.consumePairingCode(hashPairingCode(code), now);
  if (!consumed) return null;
  const token = generateDeviceToken();
  const label = options.label.trim() === '' ? 'Browser' : options.label.trim().slice(0, Limits.maxNameLength);
  const device = store.createDevice({ userId: consumed.userId, label, origin, tokenHash: hashToken(token) });
  return { token, device };
}
