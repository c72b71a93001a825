import { describe, expect, it } from 'vitest';
import { healthReport } from './health.js';

describe('healthReport', () => {
  it('counts accounts per state and names none of them', () => {
    const report = healthReport({
      version: '1.2.3',
      states: [
        { status: 'online', since: 1 },
        { status: 'online', since: 2 },
        { status: 'error', code: 'AUTH_FAILED', message: 'secret-host.example refused user@x', retryAt: null },
        { status: 'connecting', attempt: 3 },
      ],
    });
    expect(report).toEqual({
      ok: true,
      version: '1.2.3',
      accounts: { total: 4, byState: { online: 2, error: 1, connecting: 1 } },
    });
    expect(JSON.stringify(report)).not.toMatch(/secret-host|user@x/);
  });

  it('reports zero accounts', () => {
    expect(healthReport({ version: '1', states: [] }).accounts).toEqual({ total: 0, byState: {} });
  });
});
