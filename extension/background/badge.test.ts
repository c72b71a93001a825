import { describe, expect, it } from 'vitest';
import type { AccountSummary } from '../../shared/index.js';
import { BadgeColors, computeBadge } from './badge.js';
import type { ConnectionState, Snapshot } from '../ui-protocol/snapshot.js';
import { account } from '../testing/fakes.js';
import { testTranslator } from '../testing/translator.js';

const t = testTranslator();

const open: ConnectionState = { status: 'open', since: 1 };

function snap(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    relayUrl: 'ws://127.0.0.1:8787',
    pairing: { status: 'paired', deviceId: 'dev-1' },
    connection: open,
    accounts: [],
    accountsAt: 1,
    ...overrides,
  };
}

const authFailed: AccountSummary['state'] = {
  status: 'error',
  code: 'AUTH_FAILED',
  message: 'LOGIN failed',
  retryAt: null,
};

describe('computeBadge', () => {
  it('shows ? in grey when not paired', () => {
    const b = computeBadge(snap({ pairing: { status: 'unpaired', revoked: false }, connection: { status: 'idle' } }), {
      t,
    });
    expect(b).toEqual({
      text: '?',
      color: BadgeColors.inactive,
      title: 'Tidings is not paired — open the options page',
    });
  });

  it('says so when the relay revoked the pairing, and while the refusal is being processed', () => {
    const revoked = computeBadge(
      snap({ pairing: { status: 'unpaired', revoked: true }, connection: { status: 'idle' } }),
      { t },
    );
    expect(revoked.text).toBe('?');
    expect(revoked.title).toMatch(/no longer accepts this browser/);
    expect(computeBadge(snap({ connection: { status: 'unauthorized' } }), { t }).text).toBe('?');
  });

  it('shows an amber ! when the relay speaks another protocol version', () => {
    const b = computeBadge(snap({ connection: { status: 'incompatible', message: 'relay speaks 2' } }), { t });
    expect(b.text).toBe('!');
    expect(b.color).toBe(BadgeColors.warning);
    expect(b.title).toMatch(/different protocol versions — update the older one\.\nrelay speaks 2/);
  });

  it('shows off in grey when the relay is unreachable, keeping the last known counts in the tooltip', () => {
    const accounts = [account({ id: 'w', name: 'Work', unread: 3 })];
    for (const connection of [
      { status: 'backoff', attempt: 2, retryAt: 5, error: 'x' },
      { status: 'connecting', attempt: 2 },
    ] as const) {
      const b = computeBadge(snap({ connection, accounts }), { t });
      expect(b.text).toBe('off');
      expect(b.color).toBe(BadgeColors.inactive);
      expect(b.title).toBe(
        'Cannot reach the relay at ws://127.0.0.1:8787 — is it running? Retrying automatically.\nLast known:\nWork: 3 unread',
      );
    }
  });

  it('keeps the cached counts during the first connect after the worker wakes', () => {
    const b = computeBadge(
      snap({ connection: { status: 'connecting', attempt: 0 }, accounts: [account({ id: 'w', unread: 4 })] }),
      { t },
    );
    expect(b.text).toBe('4');
  });

  it('shows nothing and a hint when there are no accounts yet', () => {
    const b = computeBadge(snap(), { t });
    expect(b.text).toBe('');
    expect(b.title).toMatch(/no accounts yet.*options page/);
    expect(computeBadge(snap({ connection: { status: 'connecting', attempt: 0 } }), { t }).title).toMatch(
      /connecting to the relay/,
    );
  });

  it('shows the total unread in blue with one line per account', () => {
    const b = computeBadge(
      snap({
        accounts: [
          account({ id: 'w', name: 'Work', unread: 3 }),
          account({ id: 'h', name: 'Home', unread: 2, state: { status: 'connecting', attempt: 1 } }),
          account({ id: 'o', name: 'Old', unread: 0, state: { status: 'stopped' } }),
        ],
      }),
      { t },
    );
    expect(b).toEqual({
      text: '5',
      color: BadgeColors.unread,
      title: 'Tidings — 5 unread\nWork: 3 unread\nHome: 2 unread (connecting…)\nOld: paused',
    });
  });

  it('shows an empty badge at zero unread', () => {
    const b = computeBadge(snap({ accounts: [account({ id: 'w', name: 'Work', unread: 0 })] }), { t });
    expect(b.text).toBe('');
    expect(b.title).toBe('Tidings — no unread mail\nWork: 0 unread');
  });

  it('caps the count at 999+', () => {
    expect(computeBadge(snap({ accounts: [account({ id: 'a', unread: 999 })] }), { t }).text).toBe('999');
    expect(
      computeBadge(snap({ accounts: [account({ id: 'a', unread: 600 }), account({ id: 'b', unread: 400 })] }), { t })
        .text,
    ).toBe('999+');
  });

  it('turns red on an account error but keeps the count; ! only when nothing is unread', () => {
    const withMail = computeBadge(
      snap({
        accounts: [
          account({ id: 'w', name: 'Work', unread: 3 }),
          account({ id: 'h', name: 'Home', state: authFailed }),
        ],
      }),
      { t },
    );
    expect(withMail).toEqual({
      text: '3',
      color: BadgeColors.error,
      title: 'Tidings — 3 unread · 1 account has a problem\nWork: 3 unread\nHome: sign-in failed (AUTH_FAILED)',
    });
    const noMail = computeBadge(
      snap({
        accounts: [
          account({ id: 'h', name: 'Home', state: authFailed }),
          account({ id: 'x', name: 'X', state: { status: 'error', code: 'TLS_FAILED', message: '', retryAt: 9 } }),
        ],
      }),
      { t },
    );
    expect(noMail.text).toBe('!');
    expect(noMail.color).toBe(BadgeColors.error);
    expect(noMail.title).toMatch(
      /^Tidings — no unread mail · 2 accounts have a problem\n.*\nX: secure connection failed \(TLS_FAILED\)$/,
    );
  });
});
