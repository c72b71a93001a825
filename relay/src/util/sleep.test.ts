import { describe, expect, it } from 'vitest';
import { sleep } from './sleep.js';

describe('sleep', () => {
  it('waits, and ends early when aborted', async () => {
    const controller = new AbortController();
    const started = performance.now();
    await sleep(20, controller.signal);
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    const long = sleep(60_000, controller.signal);
    controller.abort();
    await long;
    await sleep(60_000, controller.signal);
  });
});
