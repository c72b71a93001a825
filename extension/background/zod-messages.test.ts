import { describe, expect, it } from 'vitest';
import './zod-messages.js';
import { parseResult } from '../../shared/index.js';
import { dataRequestSchema } from '../ui-protocol/data-messages.js';

describe('zod issue messages in the worker', () => {
  it('are English, so a BAD_REQUEST the pages show says what was wrong', () => {
    const r = parseResult('accounts.list', { accounts: [{ id: 'a', unread: '3' }] });
    expect(r.ok ? 'accepted' : r.error.message).toMatch(
      /^invalid result for accounts\.list: accounts\.0\.name: Invalid input: expected string, received undefined; /,
    );
    const bad = dataRequestSchema.safeParse({ id: '1', type: 'openLink', url: 7 });
    expect(bad.error?.issues.map((i) => i.message)).toEqual(['Invalid input: expected string, received number']);
  });
});
