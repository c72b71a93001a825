// What the server-side search (messages.search → IMAP UID SEARCH) matches on the test's Dovecot,
// as README.md states it: case-insensitive substrings, accents significant. The popup's local
// search (extension/popup/local-search.ts) folds accents on top of it (issue 8: "reunion").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchQuery } from '../../shared/index.js';
import { appendMessage } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';

let mail: MailRelay;

beforeAll(async () => {
  mail = await startMailRelay();
});

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

describe('server-side search on Dovecot', () => {
  it('matches case-insensitive substrings; accents count ("reunion" does not find "Reunión")', async () => {
    const { accountId, user } = await mail.addAccount();
    await appendMessage(mail.dovecot, user, {
      from: 'Iñigo Muñoz <inigo@example.es>',
      subject: 'Reunión del lunes',
      text: 'Nos vemos en la reunión de mañana.',
    });
    const client = await mail.connect();
    using _c = client;
    const scope = { kind: 'mailbox' as const, accountId, mailbox: 'INBOX' };
    const found = async (query: SearchQuery) =>
      (await client.request('messages.search', { scope, query, cursor: null, limit: 10 })).total;
    expect(await found({ subject: 'reunión' })).toBe(1);
    expect(await found({ subject: 'REUNIÓN' })).toBe(1);
    expect(await found({ subject: 'euni' })).toBe(1);
    expect(await found({ text: 'reunión de mañana' })).toBe(1);
    expect(await found({ from: 'muñoz' })).toBe(1);
    // Accents are significant on this server: only the popup's local search finds these.
    expect(await found({ subject: 'reunion' })).toBe(0);
    expect(await found({ text: 'manana' })).toBe(0);
    expect(await found({ from: 'munoz' })).toBe(0);
  });
});
