// Regression (issue 12, UIDVALIDITY change): when a watched folder other than the IDLE one (polled
// with STATUS) was recreated with a new UIDVALIDITY, the relay only logged "polled folder was
// reset"; the extension was never told, kept the folder's cached rows and acted on their stale
// identities (refused, but without knowing why). Now it gets mailbox.reset for that folder, as for
// the IDLE mailbox.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendMessage, withImap } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';

let mail: MailRelay;

beforeAll(async () => {
  mail = await startMailRelay({ relayEnv: { TIDINGS_FOLDER_POLL_MS: '300' } });
});

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

describe('regression: a polled folder reset was not announced', () => {
  it('sends mailbox.reset with the new UIDVALIDITY when a polled folder is recreated', async () => {
    const user = await mail.dovecot.addUser();
    await withImap(mail.dovecot, user, (c) => c.mailboxCreate('Lists').then(() => undefined));
    await appendMessage(mail.dovecot, user, { mailbox: 'Lists', subject: 'before' });
    const { accountId } = await mail.addAccount({ user, extraArgs: ['--mailbox', 'INBOX', '--mailbox', 'Lists'] });
    using client = await mail.connect();
    const before = await withImap(mail.dovecot, user, async (c) => {
      const status = await c.status('Lists', { uidValidity: true });
      return status ? String(status.uidValidity) : '';
    });
    // Let at least one poll record the folder's UIDVALIDITY.
    await sleep(1_000);
    // Dovecot derives a new folder's UIDVALIDITY from the clock (seconds): recreate a second later.
    await withImap(mail.dovecot, user, (c) => c.mailboxDelete('Lists').then(() => undefined));
    await sleep(1_100);
    const after = await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxCreate('Lists');
      const status = await c.status('Lists', { uidValidity: true });
      return status ? String(status.uidValidity) : '';
    });
    expect(after).not.toBe(before);
    // Dovecot may settle a brand-new maildir folder's UIDVALIDITY only when its index is first
    // written, so a poll racing the creation can see an interim value (one more reset): wait for
    // the one that names the final value.
    const isReset = (e: (typeof client.events)[number]) =>
      e.event === 'mailbox.reset' && e.payload.mailbox === 'Lists' && e.payload.uidValidity === after;
    await client.waitFor(() => client.events.some(isReset), 10_000, 'mailbox.reset for Lists');
    expect(client.events.find(isReset)!.payload).toEqual({ accountId, mailbox: 'Lists', uidValidity: after });
  });
});
