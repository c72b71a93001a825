import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Limits } from '../../../shared/index.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/types.js';
import { issuePairingCode, redeemPairingCode } from './pairing.js';
import { hashToken } from './tokens.js';

const ORIGIN = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';
let store: Store;
let userId: string;

beforeEach(() => {
  store = openSqliteStore({ path: ':memory:' });
  userId = store.ensureDefaultUser().id;
});
afterEach(() => store.close());

describe('pairing', () => {
  it('issues a code that redeems once for a device pinned to the origin', () => {
    const { code, expiresAt } = issuePairingCode({ store, userId, now: 1_000 });
    expect(expiresAt).toBe(1_000 + Limits.pairingCodeTtlMs);

    const redeemed = redeemPairingCode({
      store,
      code: code.toLowerCase(),
      origin: ORIGIN,
      label: 'Chrome on laptop',
      now: 2_000,
    });
    if (!redeemed) throw new Error('expected the code to redeem');
    const { token, device } = redeemed;
    expect(device).toMatchObject({ userId, origin: ORIGIN, label: 'Chrome on laptop', revokedAt: null });
    // the token is returned once and only its hash is stored
    expect(store.findDeviceByTokenHash(hashToken(token))?.id).toBe(device.id);
    expect(store.hasDeviceWithOrigin(ORIGIN)).toBe(true);

    expect(redeemPairingCode({ store, code, origin: ORIGIN, label: 'again', now: 2_001 })).toBeNull();
    expect(store.listDevices()).toHaveLength(1);
  });

  it('refuses an expired code', () => {
    const { code, expiresAt } = issuePairingCode({ store, userId, now: 1_000 });
    expect(redeemPairingCode({ store, code, origin: ORIGIN, label: 'x', now: expiresAt })).toBeNull();
  });

  it('refuses a wrong code', () => {
    issuePairingCode({ store, userId, now: 1_000 });
    expect(redeemPairingCode({ store, code: '0000-0000', origin: ORIGIN, label: 'x', now: 2_000 })).toBeNull();
    expect(redeemPairingCode({ store, code: 'short', origin: ORIGIN, label: 'x', now: 2_000 })).toBeNull();
  });

  it('refuses an empty origin without burning the code', () => {
    const { code } = issuePairingCode({ store, userId, now: 1_000 });
    expect(() => redeemPairingCode({ store, code, origin: '', label: 'x', now: 2_000 })).toThrow(/Origin/);
    expect(redeemPairingCode({ store, code, origin: ORIGIN, label: '', now: 2_000 })?.device.label).toBe('Browser');
  });
});
