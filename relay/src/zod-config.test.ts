import { describe, expect, it } from 'vitest';
import './zod-config.js';
import { parseClientFrame } from '../../shared/index.js';
import { parseStartConfig } from './config.js';

describe('zod issue messages in the relay', () => {
  it('are English, next to the field, beside the messages our checks carry', () => {
    const bad = (params: unknown) => {
      const r = parseClientFrame({ id: 'x', type: 'messages.list', params });
      return r.ok ? 'accepted' : r.error.message;
    };
    const scope = { kind: 'mailbox', accountId: 'a1', mailbox: 'INBOX' };
    expect(bad({ scope, cursor: null, limit: 99 })).toBe(
      'invalid params for messages.list: limit: Too big: expected number to be <=50',
    );
    expect(bad({ scope, cursor: 5 })).toBe(
      'invalid params for messages.list: cursor: Invalid input: expected string, received number',
    );
    expect(bad({ scope: { ...scope, mailbox: '' }, cursor: null })).toBe(
      'invalid params for messages.list: scope.mailbox: mailbox name is empty',
    );
  });

  it('explain a bad TIDINGS_OAUTH_ENDPOINTS', () => {
    const start = (endpoints: unknown) =>
      parseStartConfig({ argv: [], env: { TIDINGS_OAUTH_ENDPOINTS: JSON.stringify(endpoints) } });
    expect(() => start({ google: { tokn: 'https://x.test/t' } })).toThrow(
      'TIDINGS_OAUTH_ENDPOINTS: google Unrecognized key: "tokn"',
    );
    expect(() => start({ google: { token: 'nope' } })).toThrow('TIDINGS_OAUTH_ENDPOINTS: google.token Invalid URL');
  });
});
