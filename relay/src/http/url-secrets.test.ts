import { describe, expect, it } from 'vitest';
import { hasCredentialInQuery } from './url-secrets.js';

const url = (query: string) => new URL(`http://127.0.0.1/v1/ws${query}`);

describe('regression: token in the URL refused only in lower case', () => {
  it('spots credential-like parameter names in any case and spelling', () => {
    for (const q of ['?token=x', '?TOKEN=x', '?Token=x', '?access_token=x', '?ACCESS_TOKEN=x', '?accessToken=x']) {
      expect(hasCredentialInQuery(url(q)), q).toBe(true);
    }
    for (const q of ['?device-token=x', '?auth=x', '?Authorization=Bearer', '?api_key=x', '?key=x', '?password=x']) {
      expect(hasCredentialInQuery(url(q)), q).toBe(true);
    }
  });

  it('leaves ordinary parameters alone', () => {
    for (const q of ['', '?accountId=a&mailbox=INBOX&uidValidity=1&uid=2&partId=1.2', '?monkey=1']) {
      expect(hasCredentialInQuery(url(q)), q).toBe(false);
    }
  });
});
