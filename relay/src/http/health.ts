/**
 * GET /health: liveness for load balancers and container health checks, plus how many accounts
 * are in each state. Unauthenticated, so it names nothing: no account ids, names, hosts or users.
 *
 * @example
 * healthReport({ version: '0.1.0', states: [{ status: 'online', since: 1 }, { status: 'stopped' }] })
 * // { ok: true, version: '0.1.0', accounts: { total: 2, byState: { online: 1, stopped: 1 } } }
 */
import type { AccountState } from '../../../shared/index.js';

export interface HealthReport {
  ok: true;
  version: string;
  accounts: { total: number; byState: Partial<Record<AccountState['status'], number>> };
}

export function healthReport(options: { version: string; states: readonly AccountState[] }): HealthReport {
  const byState: Partial<Record<AccountState['status'], number>> = {};
  for (const { status } of options.states) byState[status] = (byState[status] ?? 0) + 1;
  return { ok: true, version: options.version, accounts: { total: options.states.length, byState } };
}
