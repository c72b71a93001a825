// Issue 3, the per-account command connection against real Dovecot: lazily opened, closed after
// its idle time and reopened as a new imapflow instance, requests serialised by the mailbox lock,
// a connection the server dropped replaced transparently, failures as protocol codes, and
// nothing after stop().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TidingsError } from '../../shared/index.js';
import { CommandConnection } from '../../relay/src/imap/command-connection.js';
import { passwordCredentials } from '../../relay/src/imap/credentials.js';
import { silentLogger } from '../../relay/src/log.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { appendMessage } from '../harness/mail.js';

let dovecot: Dovecot;
let user: ImapUser;

beforeAll(async () => {
  dovecot = await startDovecot();
  user = await dovecot.addUser();
  await appendMessage(dovecot, user, { subject: 'in inbox' });
  await appendMessage(dovecot, user, { subject: 'in archive', mailbox: 'Archive' });
});

afterAll(async () => {
  await dovecot?.stop();
});

function connection(options: { idleMs?: number; password?: string } = {}) {
  const conn = new CommandConnection({
    settings: {
      host: dovecot.host,
      port: dovecot.imapsPort,
      security: 'tls',
      username: user.username,
      pinnedFingerprint: null,
      caPem: dovecot.caPem,
    },
    // The test Dovecot listens on loopback, which the policy allows only on request.
    reach: { allowPrivate: true },
    credentials: passwordCredentials(() => options.password ?? user.password),
    log: silentLogger,
    ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
  });
  return { conn };
}

async function failure(promise: Promise<unknown>): Promise<TidingsError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof TidingsError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

const subjectsIn = (conn: CommandConnection, mailbox: string) =>
  conn.withMailbox(mailbox, async ({ client }) =>
    (await client.fetchAll('1:*', { envelope: true })).map((m) => m.envelope?.subject),
  );

describe('CommandConnection', () => {
  it('opens lazily, closes when idle, and reopens with a new client', async () => {
    const { conn } = connection({ idleMs: 300 });
    expect(conn.open).toBe(false);
    const first = await conn.withClient(async (client) => client);
    expect(conn.open).toBe(true);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(conn.open).toBe(false);
    expect(first.usable).toBe(false);
    const second = await conn.withClient(async (client) => client);
    expect(second).not.toBe(first);
    expect(second.usable).toBe(true);
    await conn.stop();
  });

  it('serialises concurrent requests on different mailboxes with the mailbox lock', async () => {
    const { conn } = connection();
    const results = await Promise.all([
      subjectsIn(conn, 'INBOX'),
      subjectsIn(conn, 'Archive'),
      subjectsIn(conn, 'INBOX'),
      conn.withMailbox('Archive', async ({ mailbox, uidValidity }) => ({ path: mailbox.path, uidValidity })),
    ]);
    expect(results.slice(0, 3)).toEqual([['in inbox'], ['in archive'], ['in inbox']]);
    expect(results[3]).toEqual({ path: 'Archive', uidValidity: expect.stringMatching(/^\d+$/) });
    await conn.stop();
  });

  it('replaces a connection the server dropped, and reports failures as protocol codes', async () => {
    const { conn } = connection();
    expect(await subjectsIn(conn, 'INBOX')).toEqual(['in inbox']);
    await dovecot.restart();
    // The old connection got BYE; the next request reconnects instead of failing.
    expect(await subjectsIn(conn, 'INBOX')).toEqual(['in inbox']);
    expect((await failure(subjectsIn(conn, 'No such folder'))).code).toBe('NOT_FOUND');
    await conn.stop();
    expect((await failure(subjectsIn(conn, 'INBOX'))).code).toBe('UNREACHABLE');

    const wrong = connection({ password: 'wrong' }).conn;
    expect((await failure(subjectsIn(wrong, 'INBOX'))).code).toBe('AUTH_FAILED');
    await wrong.stop();
  });
});
