import { describe, expect, it } from 'vitest';
import { DeadlineError, withDeadline } from './deadline.js';

describe('withDeadline', () => {
  it('settles like the work when it is in time', async () => {
    expect(await withDeadline(Promise.resolve(3), { ms: 1_000, what: 'NOOP' })).toBe(3);
    await expect(withDeadline(Promise.reject(new Error('NO')), { ms: 1_000, what: 'NOOP' })).rejects.toThrow('NO');
  });

  it('rejects with TIMEOUT saying what did not answer, and destroys the connection', async () => {
    let destroyed = false;
    const never = new Promise<never>(() => undefined);
    const err = await withDeadline(never, { ms: 20, what: 'SELECT', onExpire: () => (destroyed = true) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DeadlineError);
    expect(err).toMatchObject({ code: 'TIMEOUT', limitMs: 20 });
    expect((err as Error).message).toMatch(/did not answer SELECT within 20 ms/);
    expect(destroyed).toBe(true);
  });
});
