import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES, isRetryable } from './errors.js';
import { Limits } from './limits.js';
import {
  EVENT_TYPES,
  events,
  normalizePairingCode,
  parseClientFrame,
  parseJsonFrame,
  parseResult,
  parseServerFrame,
  REQUEST_TYPES,
  requests,
} from './protocol.js';

const hello = { id: '1', type: 'hello', params: { protocol: 1, token: 't', lastSeq: null } };

describe('request and event tables', () => {
  it('lists every request and event type, and each builds a working schema', () => {
    expect(REQUEST_TYPES).toContain('messages.list');
    expect(REQUEST_TYPES).toContain('accounts.oauth.redeem');
    // Every params, result and payload is an object (or a union of objects): a number is refused.
    for (const type of REQUEST_TYPES) {
      expect(requests[type].params.safeParse(42).success, type).toBe(false);
      expect(requests[type].result.safeParse(42).success, type).toBe(false);
    }
    expect(requests['accounts.list'].params.safeParse({}).success).toBe(true);
    expect(EVENT_TYPES).toContain('message.new');
    for (const type of EVENT_TYPES) expect(events[type].safeParse(42).success, type).toBe(false);
    expect(events['device.revoked'].safeParse({}).success).toBe(true);
  });
});

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

describe('issue 8 wire additions', () => {
  it('carries the relay clock on pongs, and older relays without it still parse', () => {
    expect(parseServerFrame({ pong: 3, serverTime: 1_700_000_000_000 })).toEqual({
      ok: true,
      value: { kind: 'pong', pong: 3, serverTime: 1_700_000_000_000 },
    });
    expect(parseServerFrame({ pong: 3 })).toEqual({ ok: true, value: { kind: 'pong', pong: 3 } });
  });

  it('parses account.state with a health, and without one from an older relay', () => {
    const frozen = {
      state: 'frozen',
      since: 10,
      host: 'imap.example.test',
      code: 'TIMEOUT',
      detail: 'no answer',
      retryAt: 20,
      attempts: 1,
      limitMs: 20_000,
    };
    const event = (payload: unknown) => parseServerFrame({ event: 'account.state', seq: 1, payload });
    const legacy = { status: 'error', code: 'TIMEOUT', message: 'no answer', retryAt: 20 };
    expect(event({ accountId: 'a', state: legacy, health: frozen })).toMatchObject({
      ok: true,
      value: { event: { payload: { health: { state: 'frozen', limitMs: 20_000 } } } },
    });
    expect(event({ accountId: 'a', state: legacy })).toMatchObject({ ok: true });
    // A frozen health without its limit, or an unknown state, is refused.
    expect(event({ accountId: 'a', state: legacy, health: { ...frozen, limitMs: undefined } })).toMatchObject({
      ok: false,
    });
    expect(event({ accountId: 'a', state: legacy, health: { ...frozen, state: 'sleepy' } })).toMatchObject({
      ok: false,
    });
  });

  it('accepts messages.sync and devices.revokeSelf, and bounds the synced window', () => {
    const sync = (uids: number[]) =>
      parseClientFrame({
        id: '9',
        type: 'messages.sync',
        params: { accountId: 'a', mailbox: 'INBOX', uidValidity: '7', uids },
      });
    expect(sync([1, 2, 3])).toMatchObject({ ok: true });
    expect(sync(Array.from({ length: Limits.syncMaxUids + 1 }, (_, i) => i + 1))).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(parseClientFrame({ id: '9', type: 'devices.revokeSelf' })).toMatchObject({ ok: true });
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

describe('regression: client input reached IMAP and came back as a retryable IMAP_ERROR', () => {
  const id = { accountId: 'a1', mailbox: 'INBOX', uidValidity: '7', uid: 3 };
  const refused = (type: string, params: unknown) => {
    const r = parseClientFrame({ id: 'x', type, params });
    if (r.ok) throw new Error(`expected ${type} ${JSON.stringify(params)} to be refused`);
    expect(r.error.code).toBe('BAD_REQUEST');
    return r.error.message;
  };

  it('refuses CR, LF, NUL and literal markers in mailbox names, naming the field', () => {
    const scope = (mailbox: string) => ({ scope: { kind: 'mailbox', accountId: 'a1', mailbox }, cursor: null });
    expect(refused('messages.list', scope('INBOX\r\nA1 LOGOUT'))).toMatch(/scope\.mailbox: .*control character/);
    expect(refused('messages.list', scope('a\u0000b'))).toMatch(/scope\.mailbox/);
    expect(refused('messages.list', scope('Folder {5}'))).toMatch(/scope\.mailbox: .*literal marker/);
    expect(refused('messages.list', scope('x{12+}'))).toMatch(/scope\.mailbox/);
    expect(refused('message.get', { id: { ...id, mailbox: 'a\nb' } })).toMatch(/id\.mailbox/);
    expect(
      refused('messages.action', { actionId: 'abcdefgh', ids: [id], action: { kind: 'move', to: 'x\r' } }),
    ).toMatch(/action\.to/);
    // Ordinary names, with accents, CJK, brackets and braces that are not literal markers, pass.
    for (const mailbox of ['INBOX', 'Café ☕/项目', '[Gmail]/All Mail', 'a{b}', 'Projects.2024']) {
      expect(parseClientFrame({ id: 'x', type: 'messages.list', params: scope(mailbox) }).ok, mailbox).toBe(true);
    }
  });

  it('refuses CR, LF, NUL and literal markers in search text', () => {
    const search = (query: object) => ({
      scope: { kind: 'mailbox', accountId: 'a1', mailbox: 'INBOX' },
      query,
      cursor: null,
    });
    expect(refused('messages.search', search({ text: 'a\r\nb' }))).toMatch(/query\.text: .*CR, LF or NUL/);
    expect(refused('messages.search', search({ from: 'x\u0000' }))).toMatch(/query\.from/);
    expect(refused('messages.search', search({ subject: 'hello {99}' }))).toMatch(/query\.subject: .*literal/);
    expect(parseClientFrame({ id: 'x', type: 'messages.search', params: search({ text: 'a "quoted" \\ b' }) }).ok).toBe(
      true,
    );
  });

  it('refuses uids and UIDVALIDITY outside 1..2^32-1', () => {
    expect(refused('message.get', { id: { ...id, uid: 2 ** 32 } })).toMatch(/id\.uid: uid must be below 2\^32/);
    expect(refused('message.get', { id: { ...id, uid: 0 } })).toMatch(/id\.uid/);
    expect(refused('message.get', { id: { ...id, uid: 1.5 } })).toMatch(/id\.uid/);
    expect(refused('message.get', { id: { ...id, uidValidity: '4294967296' } })).toMatch(/id\.uidValidity/);
    expect(refused('message.get', { id: { ...id, uidValidity: '0' } })).toMatch(/id\.uidValidity/);
    expect(parseClientFrame({ id: 'x', type: 'message.get', params: { id: { ...id, uid: 2 ** 32 - 1 } } }).ok).toBe(
      true,
    );
  });

  it('refuses malformed part ids', () => {
    for (const partId of ['0', '1.0', '01', '1..2', '../1', '1.', '99999999999', '1.'.repeat(80) + '1']) {
      expect(refused('message.part', { id, partId }), partId).toMatch(/partId/);
    }
    for (const partId of ['1', '2.3', '1.2.3.4']) {
      expect(parseClientFrame({ id: 'x', type: 'message.part', params: { id, partId } }).ok, partId).toBe(true);
    }
  });
});
