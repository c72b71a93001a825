import { describe, expect, it } from 'vitest';
import { Limits } from '../../shared/index.js';
import { account } from '../testing/fakes.js';
import { healthLevel, healthOf, staleMailboxes } from './account-health.js';

const mailboxes = [
  { path: 'INBOX', unread: 1, total: 5 },
  { path: 'Lists', unread: 2, total: 9 },
];

describe('healthOf', () => {
  it('prefers the relay health and maps an older relay state to the nearest health', () => {
    const health = {
      state: 'frozen',
      since: 3,
      host: 'h',
      code: 'TIMEOUT',
      detail: '',
      retryAt: null,
      attempts: 2,
      limitMs: 20_000,
    } as const;
    expect(healthOf(account({ id: 'a', health }))).toBe(health);
    const auth = healthOf(
      account({ id: 'a', state: { status: 'error', code: 'AUTH_FAILED', message: 'x', retryAt: null } }),
    );
    expect(auth.state).toBe('auth_refused');
    const down = healthOf(
      account({ id: 'a', state: { status: 'error', code: 'UNREACHABLE', message: 'x', retryAt: 9 } }),
    );
    expect(down).toMatchObject({ state: 'unreachable', retryAt: 9, host: 'imap.example.org' });
    expect(healthOf(account({ id: 'a', state: { status: 'connecting', attempt: 2 } })).state).toBe('catching_up');
  });

  it('ranks failures as problems, catching up as pending, live and paused as fine', () => {
    expect(healthLevel({ state: 'live', since: 1, host: 'h' })).toBe('live');
    expect(healthLevel({ state: 'stopped', since: 1, host: 'h' })).toBe('live');
    expect(healthLevel({ state: 'catching_up', since: 1, host: 'h', attempts: 0 })).toBe('pending');
    expect(
      healthLevel({
        state: 'cert_changed',
        since: 1,
        host: 'h',
        code: 'TLS_FAILED',
        detail: '',
        retryAt: null,
        attempts: 1,
      }),
    ).toBe('problem');
  });
});

describe('staleMailboxes', () => {
  const now = 1_000_000;
  it('marks a polled folder stale after the limit, by the relay clock, but not a live INBOX', () => {
    const a = account({
      id: 'a',
      mailboxes,
      countsAt: { INBOX: now - 10 * Limits.countStaleMs, Lists: now - Limits.countStaleMs + 1_000 },
    });
    expect(staleMailboxes(a, { now })).toEqual([]);
    // The relay's clock runs 2 s ahead: Lists was read 61 s ago by its clock.
    expect(staleMailboxes(a, { now, clockOffsetMs: 2_000 })).toEqual(['Lists']);
  });

  it('marks an old INBOX count stale when the account is not live', () => {
    const a = account({
      id: 'a',
      mailboxes,
      countsAt: { INBOX: now - Limits.countStaleMs - 1, Lists: now },
      health: {
        state: 'unreachable',
        since: 1,
        host: 'h',
        code: 'UNREACHABLE',
        detail: '',
        retryAt: null,
        attempts: 1,
      },
    });
    expect(staleMailboxes(a, { now })).toEqual(['INBOX']);
  });

  it('marks nothing when the relay sends no read times', () => {
    expect(staleMailboxes(account({ id: 'a', mailboxes }), { now })).toEqual([]);
  });
});
