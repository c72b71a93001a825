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

  it('shows the total unread in amber while an account catches up, one line per account', () => {
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
      color: BadgeColors.pending,
      title: 'Tidings — 5 unread\nWork: 3 unread\nHome: 2 unread (catching up with imap.example.org…)\nOld: paused',
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
      title:
        'Tidings — 3 unread · 1 account has a problem\nWork: 3 unread\nHome: imap.example.org refused the sign-in — sign-in failed',
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
      /^Tidings — no unread mail · 2 accounts have a problem\n.*\nX: the certificate of imap.example.org is no longer trusted — secure connection failed$/,
    );
  });

  it('names the account and the reason in words from its health, never a raw code (issue 8)', () => {
    const down = account({
      id: 'h',
      name: 'Home',
      unread: 2,
      health: {
        state: 'unreachable',
        since: 1,
        host: 'mail.home.example',
        code: 'UNREACHABLE',
        detail: 'connect ECONNREFUSED 127.0.0.1:993',
        retryAt: 5,
        attempts: 3,
      },
    });
    const frozen = account({
      id: 'f',
      name: 'Frozen',
      health: {
        state: 'frozen',
        since: 1,
        host: 'slow.example',
        code: 'TIMEOUT',
        detail: 'NOOP',
        retryAt: null,
        attempts: 1,
        limitMs: 20_000,
      },
    });
    const b = computeBadge(snap({ accounts: [account({ id: 'w', name: 'Work', unread: 1 }), down, frozen] }), { t });
    expect(b.color).toBe(BadgeColors.error);
    expect(b.text).toBe('3');
    expect(b.title).toContain('Home: mail.home.example is unreachable — server unreachable');
    expect(b.title).toContain('Frozen: slow.example is not answering — no answer within 20 s');
    expect(b.title).toContain('2 accounts have a problem');
    expect(b.title).not.toMatch(/UNREACHABLE|TIMEOUT|ECONNREFUSED/);
    // Live again: blue, no problem line.
    const live = computeBadge(
      snap({ accounts: [{ ...down, health: { state: 'live', since: 9, host: 'mail.home.example' } }] }),
      { t },
    );
    expect(live).toEqual({ text: '2', color: BadgeColors.unread, title: 'Tidings — 2 unread\nHome: 2 unread' });
  });

  it('speaks Spanish in the tooltip when the browser does', () => {
    const es = testTranslator('es');
    const b = computeBadge(
      snap({
        accounts: [
          account({
            id: 'h',
            name: 'Casa',
            health: {
              state: 'auth_refused',
              since: 1,
              host: 'mail.es',
              code: 'AUTH_FAILED',
              detail: '',
              retryAt: null,
              attempts: 1,
            },
          }),
        ],
      }),
      { t: es },
    );
    expect(b.title).toContain('Casa: mail.es rechazó el inicio de sesión');
  });
});
