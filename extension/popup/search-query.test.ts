import { describe, expect, it } from 'vitest';
import { searchQuerySchema } from '../../shared/index.js';
import { parseSearch } from './search-query.js';

describe('parseSearch', () => {
  it('returns null for blank input', () => {
    expect(parseSearch('   ')).toBeNull();
    expect(parseSearch('from: ')).toEqual({ text: 'from:' });
  });

  it('splits fields, quoted values and flags from free text', () => {
    expect(parseSearch('invoice from:"Ada Lovelace" subject:march is:unread is:flagged')).toEqual({
      text: 'invoice',
      from: 'Ada Lovelace',
      subject: 'march',
      unread: true,
      flagged: true,
    });
  });

  it('keeps unknown keys and phrases as text', () => {
    expect(parseSearch('"quarterly report" to:bob')).toEqual({ text: 'quarterly report to:bob' });
  });

  it('always yields a query the relay accepts', () => {
    for (const input of ['a', 'is:unread', 'from:x', `${'x'.repeat(900)}`]) {
      expect(searchQuerySchema.safeParse(parseSearch(input)).success).toBe(true);
    }
  });
});
