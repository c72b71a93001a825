// Regression (issue 12): imapflow sets `subscribed` only on subscribed folders, so a server with one
// unsubscribed folder made the relay send `subscribed: undefined` and the extension's schema
// rejected the whole mailboxes.list ("mailboxes.6.subscribed: expected boolean"). The test Dovecot
// auto-subscribes its special-use folders; here the user has a folder that is not subscribed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResult } from '../../shared/index.js';
import { withImap } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';

let mail: MailRelay;

beforeAll(async () => {
  mail = await startMailRelay();
});

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

describe('regression: unsubscribed folder broke mailboxes.list', () => {
  it('lists an unsubscribed folder with subscribed: false, and the shared schema accepts the result', async () => {
    const user = await mail.dovecot.addUser();
    await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxCreate('Subscribed one');
      await c.mailboxSubscribe('Subscribed one');
      await c.mailboxCreate('Never subscribed');
      await c.mailboxUnsubscribe('Never subscribed');
    });
    const { accountId } = await mail.addAccount({ user });
    using client = await mail.connect();
    const result = await client.request('mailboxes.list', { accountId });
    // TestClient already parses results with the shared schema; parse again explicitly, as the
    // extension does, so this test fails the way the extension did if the relay regresses.
    const parsed = parseResult('mailboxes.list', result);
    if (!parsed.ok) throw new Error(parsed.error.message);
    const byPath = new Map(parsed.value.mailboxes.map((m) => [m.path, m]));
    expect(byPath.get('Never subscribed')).toMatchObject({ subscribed: false, selectable: true });
    expect(byPath.get('Subscribed one')).toMatchObject({ subscribed: true });
    expect(byPath.get('INBOX')).toBeDefined();
  });
});
