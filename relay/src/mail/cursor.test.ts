import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, queryHash } from './cursor.js';

describe('cursors', () => {
  it('round-trips and is bound to its kind', () => {
    const raw = encodeCursor({ k: 'm', a: 'acc', m: 'INBOX', p: { uv: '42', u: 100, s: 99 } });
    expect(decodeCursor(raw, 'm')).toEqual({ k: 'm', a: 'acc', m: 'INBOX', p: { uv: '42', u: 100, s: 99 } });
    expect(() => decodeCursor(raw, 'u')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
  });

  it('refuses garbage and tampered values with BAD_REQUEST', () => {
    for (const raw of ['', 'not base64 at all', Buffer.from('{"k":"m"}').toString('base64url')])
      expect(() => decodeCursor(raw, 'm')).toThrow(expect.objectContaining({ code: 'BAD_REQUEST' }));
    const negative = encodeCursor({ k: 'm', a: 'a', m: 'INBOX', p: { uv: '1', u: 1, s: 0 } }).replace(/./, 'x');
    expect(() => decodeCursor(negative, 'm')).toThrow();
  });

  it('hashes equivalent queries alike', () => {
    expect(queryHash({ from: 'a', unread: true })).toBe(queryHash({ unread: true, from: 'a', subject: '' }));
    expect(queryHash({ from: 'a' })).not.toBe(queryHash({ from: 'b' }));
  });
});
