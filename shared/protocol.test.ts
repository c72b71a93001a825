import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES, isRetryable } from './errors.js';
import { Limits } from './limits.js';
import { normalizePairingCode, parseClientFrame, parseJsonFrame, parseResult, parseServerFrame } from './protocol.js';

const hello = { id: '1', type: 'hello', params: { protocol: 1, token: 't', lastSeq: null } };

describe('parseJsonFrame', () => {
  it('parses JSON and refuses invalid or oversized frames', () => {
    expect(parseJsonFrame('{"a":1}', 100)).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonFrame('{"a":', 100)).toMatchObject({ ok: false, error: { code: 'INVALID_JSON' } });
    expect(parseJsonFrame('"' + 'x'.repeat(200) + '"', 100)).toMatchObject({
      ok: false,
      error: { code: 'FRAME_TOO_LARGE' },
    });
    // Multi-byte characters count by their UTF-8 size, not by string length.
    expect(parseJsonFrame('"' + '€'.repeat(40) + '"', 100)).toMatchObject({
      ok: false,
      error: { code: 'FRAME_TOO_LARGE' },
    });
  });
});

describe('parseClientFrame', () => {
  it('accepts a valid request and returns typed params', () => {
    const r = parseClientFrame(hello);
    expect(r).toEqual({ ok: true, value: { kind: 'request', request: hello } });
  });

  it('defaults missing params to {} for requests without params', () => {
    expect(parseClientFrame({ id: '2', type: 'accounts.list' })).toMatchObject({
      ok: true,
      value: { request: { params: {} } },
    });
  });

  it('recognises ping and pong', () => {
    expect(parseClientFrame({ ping: 5 })).toEqual({ ok: true, value: { kind: 'ping', ping: 5 } });
    expect(parseClientFrame({ pong: 5 })).toEqual({ ok: true, value: { kind: 'pong', pong: 5 } });
  });

  it('refuses an unknown type with its id so the client can match the error', () => {
    expect(parseClientFrame({ id: '9', type: 'mail.sendAll', params: {} })).toMatchObject({
      ok: false,
      id: '9',
      error: { code: 'UNKNOWN_TYPE' },
    });
    // Prototype keys are not request types.
    expect(parseClientFrame({ id: '9', type: 'constructor', params: {} })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_TYPE' },
    });
    expect(parseClientFrame({ id: '9', type: '__proto__', params: {} })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_TYPE' },
    });
  });

  it('refuses malformed envelopes and params', () => {
    for (const bad of [
      null,
      1,
      'x',
      [],
      {},
      { id: 1, type: 'hello' },
      { id: '', type: 'hello' },
      { id: 'x'.repeat(65), type: 'hello' },
    ]) {
      expect(parseClientFrame(bad)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    expect(parseClientFrame({ ...hello, params: { protocol: '1', token: 't', lastSeq: null } })).toMatchObject({
      ok: false,
      id: '1',
      error: { code: 'BAD_REQUEST' },
    });
    expect(parseClientFrame({ ...hello, params: { protocol: 1, token: '', lastSeq: null } })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(parseClientFrame({ ...hello, params: { protocol: 1, token: 't', lastSeq: -1 } })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
  });
});

describe('parseServerFrame', () => {
  const counts = {
    event: 'counts',
    seq: 3,
    payload: { accountId: 'a', unread: 2, mailboxes: [{ path: 'INBOX', unread: 2, total: 5 }] },
  };

  it('parses events, responses, errors and pings', () => {
    expect(parseServerFrame(counts)).toEqual({ ok: true, value: { kind: 'event', event: counts } });
    expect(parseServerFrame({ id: '1', result: { x: 1 } })).toEqual({
      ok: true,
      value: { kind: 'response', id: '1', result: { x: 1 } },
    });
    expect(parseServerFrame({ id: null, error: { code: 'INVALID_JSON', message: 'm' } })).toMatchObject({
      ok: true,
      value: { kind: 'error', id: null },
    });
    expect(parseServerFrame({ ping: 1 })).toMatchObject({ ok: true, value: { kind: 'ping' } });
  });

  it('refuses unknown events, bad payloads and unknown error codes', () => {
    expect(parseServerFrame({ ...counts, event: 'mystery' })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_TYPE' },
    });
    expect(parseServerFrame({ ...counts, payload: { accountId: 'a', unread: -1, mailboxes: [] } })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(parseServerFrame({ id: '1', error: { code: 'NOPE', message: 'm' } })).toMatchObject({ ok: false });
  });

  it('checks results against the request type', () => {
    expect(parseResult('accounts.list', { accounts: [] })).toEqual({ ok: true, value: { accounts: [] } });
    expect(parseResult('accounts.list', { accounts: [{ id: 'a' }] })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
  });
});

describe('error codes and limits', () => {
  it('declares a retryable subset of the codes', () => {
    expect(isRetryable('UNREACHABLE')).toBe(true);
    expect(isRetryable('AUTH_FAILED')).toBe(false);
    expect(ALL_ERROR_CODES).toContain('STALE_UIDVALIDITY');
  });

  it('keeps the client keepalive under the 30 s MV3 worker idle limit', () => {
    expect(Limits.clientKeepaliveMs).toBeLessThan(30_000);
    expect(Limits.idleReissueMs).toBeLessThanOrEqual(10 * 60_000);
  });

  it('normalises pairing codes as typed', () => {
    expect(normalizePairingCode(' ab12-cd34 ')).toBe('AB12CD34');
  });
});
