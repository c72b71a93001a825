// Regressions of the pairing limiter (issue 12): it was keyed by source address only, so after
// ten wrong codes from an address the right code from that address got 429 too (the real user
// locked out behind a shared NAT or proxy), while twenty loopback source addresses made 200
// guesses in under a second.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Limits, RelayPaths } from '../../shared/index.js';
import { pairDevice, TEST_ORIGIN } from '../harness/protocol-client.js';
import { pairingCodeFrom, runRelayCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';

let relay: RelayProcess;

beforeAll(async () => {
  relay = await startRelayProcess();
});
afterAll(async () => {
  await relay?.[Symbol.asyncDispose]();
});

/** POST /v1/pair from a chosen loopback source address (Linux routes all of 127/8 to lo). */
function pairFrom(localAddress: string, code: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ code, label: 'guess' });
    const req = request(
      `${relay.httpUrl}${RelayPaths.pair}`,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', origin: TEST_ORIGIN, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('regression: wrong codes from a shared address locked the real user out', () => {
  it('throttles wrong codes from the address, but pairs the right code from it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < Limits.pairAttemptsPerMinute + 1; i++) statuses.push(await pairFrom('127.0.0.1', 'ZZZZ-ZZZZ'));
    expect(statuses.slice(0, Limits.pairAttemptsPerMinute).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    // The person behind the same address, with the code `pair` printed:
    const code = pairingCodeFrom((await runRelayCli(['pair'], { dataDir: relay.dataDir })).stdout);
    const ok = await pairDevice(relay.httpUrl, code);
    expect(ok.status).toBe(200);
  });
});

describe('regression: many source addresses made 200 guesses in a second', () => {
  it('checks at most the global budget of wrong codes, however many addresses guess', async () => {
    const addresses = Array.from({ length: 20 }, (_, i) => `127.0.1.${i + 1}`);
    const statuses = await Promise.all(
      addresses.flatMap((a) => Array.from({ length: 10 }, () => pairFrom(a, 'ZZZZ-ZZZZ'))),
    );
    const checked = statuses.filter((s) => s === 401).length;
    // The first test used part of the same minute's budget already.
    expect(checked).toBeLessThanOrEqual(Limits.pairFailuresGlobalPerMinute);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(200 - Limits.pairFailuresGlobalPerMinute);
    expect(statuses.every((s) => s === 401 || s === 429)).toBe(true);
  });
});
