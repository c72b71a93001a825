import { ErrorCode, type AccountHealth, type AccountState, type ErrorCode as Code } from '../../../shared/index.js';

/** What the watcher knows right now; the tracker turns it into an AccountHealth with `since`. */
export type HealthInput =
  | { kind: 'catching_up'; attempts: number }
  | { kind: 'live' }
  | {
      kind: 'failed';
      code: Code;
      detail: string;
      /** Set when the server accepted the connection but missed this deadline (ms). */
      frozenLimitMs: number | null;
      retryAt: number | null;
      attempts: number;
    }
  | { kind: 'stopped' };

type FailureState = 'unreachable' | 'auth_refused' | 'cert_changed' | 'frozen';

/** Which visible state a failure is: sign-in refused, certificate, frozen, or unreachable. */
export function failureState(code: Code, frozen: boolean): FailureState {
  // REAUTH_REQUIRED: an OAuth2 grant that only the user can renew (sign in again).
  if (code === ErrorCode.AUTH_FAILED || code === ErrorCode.REAUTH_REQUIRED) return 'auth_refused';
  // The account was set up against a certificate that verified; failing now means it changed,
  // expired or no longer matches the pin.
  if (code === ErrorCode.TLS_FAILED) return 'cert_changed';
  if (frozen) return 'frozen';
  return 'unreachable';
}

/**
 * One account's health with stable `since` times (issue 8): the same state reported again (a
 * retry that fails the same way, a new retry time) keeps its `since`, so the popup can say
 * "unreachable for 12 minutes". Pure apart from the clock it is given.
 */
export class HealthTracker {
  #health: AccountHealth;
  readonly #host: string;
  readonly #now: () => number;

  constructor(options: { host: string; now?: () => number }) {
    this.#host = options.host;
    this.#now = options.now ?? Date.now;
    this.#health = { state: 'stopped', since: this.#now(), host: this.#host };
  }

  get health(): AccountHealth {
    return this.#health;
  }

  /** Applies what the watcher knows; returns true when anything visible changed. */
  update(input: HealthInput): boolean {
    const prev = this.#health;
    const host = this.#host;
    let next: AccountHealth;
    switch (input.kind) {
      case 'live':
      case 'stopped':
        next = { state: input.kind, since: prev.state === input.kind ? prev.since : this.#now(), host };
        break;
      case 'catching_up':
        next = {
          state: 'catching_up',
          since: prev.state === 'catching_up' ? prev.since : this.#now(),
          host,
          attempts: input.attempts,
        };
        break;
      case 'failed': {
        const state = failureState(input.code, input.frozenLimitMs !== null);
        const since = prev.state === state ? prev.since : this.#now();
        const base = {
          since,
          host,
          code: input.code,
          detail: input.detail.slice(0, 1_000),
          retryAt: input.retryAt,
          attempts: input.attempts,
        };
        next =
          state === 'frozen'
            ? { state, ...base, limitMs: Math.max(1, Math.round(input.frozenLimitMs ?? 1)) }
            : { state, ...base };
        break;
      }
    }
    this.#health = next;
    return JSON.stringify(prev) !== JSON.stringify(next);
  }
}

/** The pre-issue-8 `state` field, derived from the health so both always agree. */
export function legacyState(health: AccountHealth): AccountState {
  switch (health.state) {
    case 'live':
      return { status: 'online', since: health.since };
    case 'catching_up':
      return { status: 'connecting', attempt: health.attempts };
    case 'stopped':
      return { status: 'stopped' };
    default:
      return { status: 'error', code: health.code, message: health.detail, retryAt: health.retryAt };
  }
}
