/**
 * What the store's secrets need as a whole, beyond encrypting one value: checking that a key is
 * the store's key, the one-time upgrade of v1 envelopes (no associated data) to v2, and key
 * rotation. Pure over a Store and SecretBoxes; the CLI handles key files.
 */
import { rewrapClientSecrets } from '../oauth/client-config.js';
import { TidingsError } from '../../../shared/index.js';
import type { Store } from '../store/types.js';
import { accountSecretContext, isLegacyEnvelope, type SecretBox } from './secret-box.js';

/** Reserved setting of the default user: a known value encrypted with the store's key. */
export const KEY_CHECK_SETTING = '_relay.secretKeyCheck';
const KEY_CHECK_PLAINTEXT = 'tidings-key-check-v1';
const KEY_CHECK_CONTEXT = JSON.stringify(['tidings/key-check/v2']);

/** The key check value for `box` (stored under KEY_CHECK_SETTING). */
export function keyCheckValue(box: SecretBox): string {
  return box.encrypt(KEY_CHECK_PLAINTEXT, KEY_CHECK_CONTEXT);
}

/**
 * Whether `box` holds this store's key: 'match', 'mismatch', or 'unknown' for a store without a
 * check value and without accounts (any key is right for it). A v1 check value is rewritten as v2.
 */
export function checkStoreKey(store: Store, box: SecretBox): 'match' | 'mismatch' | 'unknown' {
  const user = store.ensureDefaultUser();
  const check = store.getSetting(user.id, KEY_CHECK_SETTING);
  if (typeof check === 'string') {
    try {
      const plain = isLegacyEnvelope(check) ? box.decryptLegacy(check) : box.decrypt(check, KEY_CHECK_CONTEXT);
      if (plain !== KEY_CHECK_PLAINTEXT) return 'mismatch';
    } catch (err) {
      if (err instanceof TidingsError) return 'mismatch';
      throw err;
    }
    if (isLegacyEnvelope(check)) store.setSetting(user.id, KEY_CHECK_SETTING, keyCheckValue(box));
    return 'match';
  }
  // A store from before the check existed: an account's password tells us the same thing.
  const sample = store.listAccounts()[0];
  if (!sample) return 'unknown';
  try {
    if (isLegacyEnvelope(sample.secretEnc)) box.decryptLegacy(sample.secretEnc);
    else box.decrypt(sample.secretEnc, accountSecretContext(sample));
  } catch (err) {
    if (err instanceof TidingsError) return 'mismatch';
    throw err;
  }
  return 'match';
}

/** Writes the key check for `box` (after checkStoreKey said 'unknown' or 'match'). */
export function recordStoreKey(store: Store, box: SecretBox): void {
  store.setSetting(store.ensureDefaultUser().id, KEY_CHECK_SETTING, keyCheckValue(box));
}

/**
 * Rewraps the v1 envelopes that migration 5 listed as v2 envelopes bound to their rows, in one
 * transaction. Rows that cannot be read (corrupted) are left as they are and reported: they fail
 * closed at use, and the user re-enters that account's password.
 */
export function upgradeLegacySecrets(store: Store, box: SecretBox): { upgraded: number; unreadable: string[] } {
  const ids = new Set(store.legacySecretAccountIds());
  if (ids.size === 0) return { upgraded: 0, unreadable: [] };
  const rewrites: { id: string; secretEnc: string }[] = [];
  const unreadable: string[] = [];
  for (const account of store.listAccounts()) {
    if (!ids.has(account.id)) continue;
    if (!isLegacyEnvelope(account.secretEnc)) {
      // Already rewritten by a newer write (e.g. a password change): just clear the mark.
      rewrites.push({ id: account.id, secretEnc: account.secretEnc });
      continue;
    }
    try {
      const plain = box.decryptLegacy(account.secretEnc);
      rewrites.push({ id: account.id, secretEnc: box.encrypt(plain, accountSecretContext(account)) });
    } catch (err) {
      if (!(err instanceof TidingsError)) throw err;
      unreadable.push(account.id);
    }
  }
  store.rewriteSecrets({ accounts: rewrites });
  return { upgraded: rewrites.length, unreadable };
}

/**
 * Re-encrypts every account secret and the key check from `from` to `to`, all or nothing. Refuses
 * (TidingsError BAD_REQUEST, nothing written) when any secret cannot be read with `from`: it would
 * be lost, since nothing could ever decrypt it again.
 */
export function rotateStoreSecrets(options: { store: Store; from: SecretBox; to: SecretBox }): { accounts: number } {
  const { store, from, to } = options;
  const user = store.ensureDefaultUser();
  const unreadable: string[] = [];
  const rewrites: { id: string; secretEnc: string }[] = [];
  for (const account of store.listAccounts()) {
    try {
      const plain = from.decrypt(account.secretEnc, accountSecretContext(account));
      rewrites.push({ id: account.id, secretEnc: to.encrypt(plain, accountSecretContext(account)) });
    } catch (err) {
      if (!(err instanceof TidingsError)) throw err;
      unreadable.push(account.id);
    }
  }
  // The users' own OAuth2 client secrets rotate with the rest (relay/src/oauth/client-config.ts).
  let clientSecrets: ReturnType<typeof rewrapClientSecrets> = [];
  try {
    clientSecrets = rewrapClientSecrets(store, (envelope, context) =>
      to.encrypt(from.decrypt(envelope, context), context),
    );
  } catch (err) {
    if (!(err instanceof TidingsError)) throw err;
    unreadable.push('(an OAuth2 client secret)');
  }
  if (unreadable.length > 0) {
    throw new TidingsError(
      'BAD_REQUEST',
      `cannot rotate: the secret of account(s) ${unreadable.join(', ')} cannot be decrypted with the current key ` +
        '(changed outside Tidings, or corrupted); remove them or re-enter their passwords first',
    );
  }
  store.rewriteSecrets({
    accounts: rewrites,
    settings: [...clientSecrets, { userId: user.id, key: KEY_CHECK_SETTING, value: keyCheckValue(to) }],
  });
  return { accounts: rewrites.length };
}
