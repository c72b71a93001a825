import { describe, expect, it } from 'vitest';
import { failureState, HealthTracker, legacyState } from './account-health.js';

describe('failureState', () => {
  it('names what the user sees for each failure', () => {
    expect(failureState('AUTH_FAILED', false)).toBe('auth_refused');
    expect(failureState('TLS_FAILED', false)).toBe('cert_changed');
    expect(failureState('TIMEOUT', true)).toBe('frozen');
    expect(failureState('TIMEOUT', false)).toBe('unreachable');
    expect(failureState('UNREACHABLE', false)).toBe('unreachable');
    expect(failureState('IMAP_ERROR', false)).toBe('unreachable');
  });
});

describe('HealthTracker', () => {
  it('keeps `since` while the state stays the same, and reports every visible change', () => {
    let now = 1_000;
    const tracker = new HealthTracker({ host: 'imap.example.test', now: () => now });
    expect(tracker.update({ kind: 'catching_up', attempts: 0 })).toBe(true);
    now = 2_000;
    expect(tracker.update({ kind: 'live' })).toBe(true);
    expect(tracker.health).toEqual({ state: 'live', since: 2_000, host: 'imap.example.test' });
    expect(tracker.update({ kind: 'live' })).toBe(false);

    const fail = (attempts: number, retryAt: number) =>
      tracker.update({
        kind: 'failed',
        code: 'UNREACHABLE',
        detail: 'ECONNREFUSED',
        frozenLimitMs: null,
        retryAt,
        attempts,
      });
    now = 3_000;
    expect(fail(1, 4_000)).toBe(true);
    now = 9_000;
    // Another failed attempt: new retry time and count, same since ("unreachable for 6 s").
    expect(fail(2, 11_000)).toBe(true);
    expect(tracker.health).toMatchObject({ state: 'unreachable', since: 3_000, attempts: 2, retryAt: 11_000 });

    now = 12_000;
    tracker.update({
      kind: 'failed',
      code: 'TIMEOUT',
      detail: 'no answer',
      frozenLimitMs: 20_000,
      retryAt: null,
      attempts: 3,
    });
    expect(tracker.health).toMatchObject({ state: 'frozen', since: 12_000, limitMs: 20_000, code: 'TIMEOUT' });
  });

  it('derives the legacy state field from the health', () => {
    expect(legacyState({ state: 'live', since: 5, host: 'h' })).toEqual({ status: 'online', since: 5 });
    expect(legacyState({ state: 'catching_up', since: 5, host: 'h', attempts: 2 })).toEqual({
      status: 'connecting',
      attempt: 2,
    });
    expect(
      legacyState({
        state: 'auth_refused',
        since: 5,
        host: 'h',
        code: 'AUTH_FAILED',
        detail: 'LOGIN failed',
        retryAt: 99,
        attempts: 1,
      }),
    ).toEqual({ status: 'error', code: 'AUTH_FAILED', message: 'LOGIN failed', retryAt: 99 });
    expect(legacyState({ state: 'stopped', since: 5, host: 'h' })).toEqual({ status: 'stopped' });
  });
});
