import { Limits, type AccountHealth, type AccountSummary } from '../../shared/index.js';

/** How serious an account's health is for the badge and the popup. */
export type HealthLevel = 'live' | 'pending' | 'problem';

/**
 * The account's health (issue 8). Relays older than issue 8 send only `state`: it is mapped to
 * the nearest health so the rest of the extension has one shape to read.
 */
export function healthOf(account: AccountSummary): AccountHealth {
  if (account.health) return account.health;
  const { state, host } = account;
  switch (state.status) {
    case 'online':
      return { state: 'live', since: state.since, host };
    case 'connecting':
      return { state: 'catching_up', since: 0, host, attempts: state.attempt };
    case 'stopped':
      return { state: 'stopped', since: 0, host };
    case 'error': {
      const failure = { since: 0, host, code: state.code, detail: state.message, retryAt: state.retryAt, attempts: 1 };
      if (state.code === 'AUTH_FAILED' || state.code === 'REAUTH_REQUIRED')
        return { state: 'auth_refused', ...failure };
      if (state.code === 'TLS_FAILED') return { state: 'cert_changed', ...failure };
      if (state.code === 'TIMEOUT') return { state: 'frozen', ...failure, limitMs: Limits.imapCommandTimeoutMs };
      return { state: 'unreachable', ...failure };
    }
  }
}

/** `problem`: the account failed and needs a retry or the user; `pending`: catching up. */
export function healthLevel(health: AccountHealth): HealthLevel {
  switch (health.state) {
    case 'live':
    case 'stopped':
      return 'live';
    case 'catching_up':
      return 'pending';
    case 'unreachable':
    case 'auth_refused':
    case 'cert_changed':
    case 'frozen':
      return 'problem';
  }
}

/**
 * The watched folders whose count is stale at `now` (browser clock): read longer ago than
 * Limits.countStaleMs by the relay's clock (`clockOffsetMs` = relay − browser). INBOX follows IDLE
 * push, so its count is current while the account is live however old its read time is.
 * A relay that sends no `countsAt` marks nothing stale.
 */
export function staleMailboxes(
  account: AccountSummary,
  options: { now: number; clockOffsetMs?: number; limitMs?: number },
): string[] {
  const countsAt = account.countsAt;
  if (!countsAt) return [];
  const relayNow = options.now + (options.clockOffsetMs ?? 0);
  const limit = options.limitMs ?? Limits.countStaleMs;
  const live = healthOf(account).state === 'live';
  return account.mailboxes
    .map((m) => m.path)
    .filter((path) => {
      if (live && path.toUpperCase() === 'INBOX') return false;
      const at = countsAt[path];
      return at === undefined ? !live : relayNow - at > limit;
    });
}
