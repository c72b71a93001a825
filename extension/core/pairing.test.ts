import { describe, expect, it } from 'vitest';
import { checkPairingCode as check, pairWithRelay, type FetchLike } from './pairing.js';
import { testTranslator } from '../testing/translator.js';

const t = testTranslator();
const checkPairingCode = (input: string) => check(input, t);

const base = {
  pairUrl: 'http://127.0.0.1:8787/v1/pair',
  relayUrl: 'ws://127.0.0.1:8787',
  code: 'ABCD-2345',
  label: 'Chrome on linux',
  t,
};

function respond(status: number, body: unknown): { fetch: FetchLike; calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = [];
  return {
    calls,
    fetch: async (url, init) => {
      calls.push({ url, init });
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status });
    },
  };
}

describe('checkPairingCode', () => {
  it('normalises case, spaces and dashes to XXXX-XXXX', () => {
    expect(checkPairingCode(' abcd 2345 ')).toEqual({ ok: true, code: 'ABCD-2345' });
    expect(checkPairingCode('ABCD-2345')).toEqual({ ok: true, code: 'ABCD-2345' });
    expect(checkPairingCode('abcd2345')).toEqual({ ok: true, code: 'ABCD-2345' });
  });

  it('explains an empty or wrong-length code', () => {
    expect(checkPairingCode('')).toMatchObject({ ok: false, message: expect.stringMatching(/npm run relay -- pair/) });
    expect(checkPairingCode('ABC-123')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/8 letters and digits.*typed 6/),
    });
  });
});

describe('pairWithRelay', () => {
  it('posts {code, label} as JSON and returns the token', async () => {
    const { fetch, calls } = respond(200, { token: 't0k', deviceId: 'dev-1' });
    expect(await pairWithRelay({ ...base, fetch })).toEqual({ ok: true, token: 't0k', deviceId: 'dev-1' });
    expect(calls[0]?.url).toBe(base.pairUrl);
    expect(calls[0]?.init.method).toBe('POST');
    expect(calls[0]?.init.body).toBe(JSON.stringify({ code: 'ABCD-2345', label: 'Chrome on linux' }));
  });

  it('maps PAIRING_INVALID to the code field with what to do', async () => {
    const { fetch } = respond(401, { error: { code: 'PAIRING_INVALID', message: 'unknown code' } });
    expect(await pairWithRelay({ ...base, fetch })).toEqual({
      ok: false,
      error: { field: 'code', message: expect.stringMatching(/wrong, expired or already used.*npm run relay -- pair/) },
    });
  });

  it('maps RATE_LIMITED and BAD_REQUEST', async () => {
    const limited = await pairWithRelay({
      ...base,
      ...respond(429, { error: { code: 'RATE_LIMITED', message: 'x' } }),
    });
    expect(limited).toMatchObject({ ok: false, error: { message: expect.stringMatching(/Wait a minute/) } });
    const bad = await pairWithRelay({
      ...base,
      ...respond(400, { error: { code: 'BAD_REQUEST', message: 'code: too long' } }),
    });
    expect(bad).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/rejected the request \(code: too long\)/) },
    });
  });

  it('says the relay is unreachable when fetch fails', async () => {
    const fetch: FetchLike = () => Promise.reject(new TypeError('Failed to fetch'));
    expect(await pairWithRelay({ ...base, fetch })).toEqual({
      ok: false,
      error: {
        field: 'relayUrl',
        message: expect.stringMatching(/could not be reached\. Check that the relay is running \(`npm start`\)/),
      },
    });
  });

  it('times out a relay that never answers', async () => {
    const fetch: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) =>
        init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
      );
    const r = await pairWithRelay({ ...base, fetch, timeoutMs: 5 });
    expect(r).toMatchObject({
      ok: false,
      error: { field: 'relayUrl', message: expect.stringMatching(/did not answer in time/) },
    });
  });

  it('refuses something that is not a Tidings relay', async () => {
    expect(await pairWithRelay({ ...base, ...respond(200, '<html>') })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/not like a Tidings relay/) },
    });
    expect(await pairWithRelay({ ...base, ...respond(404, 'Not Found') })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/answered HTTP 404/) },
    });
  });
});
