/**
 * Proves the Dovecot fixture and the mail helpers every integration suite builds on: TLS and
 * STARTTLS with the test CA, rejection of untrusted clients, IDLE push between two clients,
 * restart/kill, maildir seeding, capability overrides.
 */
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, sep } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { capabilitiesWithout, DEFAULT_CAPABILITIES, startDovecot, type Dovecot } from '../harness/dovecot.js';
import { appendMessage, connectImap, seedMaildir, setSeen, statusUnseen, withImap } from '../harness/mail.js';

/** A client with no test CA: only the system roots. */
function untrustingClient(dovecot: Dovecot, user: { username: string; password: string }, ca?: string): ImapFlow {
  const client = new ImapFlow({
    host: dovecot.host,
    port: dovecot.imapsPort,
    secure: true,
    auth: { user: user.username, pass: user.password },
    tls: { rejectUnauthorized: true, ...(ca ? { ca } : {}) },
    logger: false,
  });
  client.on('error', () => undefined);
  return client;
}

describe('Dovecot harness', () => {
  let dovecot: Dovecot;

  beforeAll(async () => {
    const started = performance.now();
    dovecot = await startDovecot();
    console.log(`[timing] Dovecot start to IMAPS greeting: ${(performance.now() - started).toFixed(0)} ms`);
  });
  afterAll(async () => {
    await dovecot?.[Symbol.asyncDispose]();
  });
  afterEach((context) => {
    if (context.task.result?.state === 'fail') console.log(`--- Dovecot log ---\n${dovecot.logs()}`);
  });

  it('logs a fresh user in over implicit TLS, trusting only the test CA', async () => {
    const user = await dovecot.addUser();
    await using client = await connectImap(dovecot, user);
    expect(client.authenticated).toBeTruthy();
    expect(client.secureConnection).toBe(true);
    const mailboxes = await client.list();
    expect(mailboxes.map((m) => m.specialUse).sort()).toEqual(
      ['\\Archive', '\\Drafts', '\\Inbox', '\\Junk', '\\Sent', '\\Trash'].sort(),
    );
    // The advertised list is what DEFAULT_CAPABILITIES (used by capabilitiesWithout) assumes.
    expect([...client.capabilities.keys()].sort()).toEqual(DEFAULT_CAPABILITIES.split(' ').sort());
  });

  // Regression: `npm test` as root from a clone under a 0700 directory failed 57 tests because
  // Dovecot's auth process (user dovecot) could not reach the users files under test/.tmp.
  it('keeps its files where the dovecot user can reach them, wherever the checkout is', () => {
    expect(dovecot.dir.startsWith(tmpdir() + sep)).toBe(true);
    for (let dir = dovecot.dir; dir !== dirname(dir); dir = dirname(dir)) {
      expect(statSync(dir).mode & 0o001, `${dir} is traversable by others`).toBe(0o001);
    }
  });

  it('logs in over STARTTLS', async () => {
    const user = await dovecot.addUser();
    await using client = await connectImap(dovecot, user, { security: 'starttls' });
    expect(client.authenticated).toBeTruthy();
    expect(client.secureConnection).toBe(true);
  });

  it('accepts passwords with colons, quotes and non-ASCII; rejects a wrong one', async () => {
    const user = await dovecot.addUser({ password: 'p:ä "q" \\ x' });
    await using client = await connectImap(dovecot, user);
    expect(client.authenticated).toBeTruthy();
    await expect(connectImap(dovecot, { ...user, password: 'wrong' })).rejects.toMatchObject({
      authenticationFailed: true,
    });
  });

  it('rejects a client that does not trust the test CA', async () => {
    const user = await dovecot.addUser();
    const client = untrustingClient(dovecot, user);
    await expect(client.connect()).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    client.close();
  });

  it('self-signed instance: rejected with the test CA, accepted when its own certificate is trusted', async () => {
    await using selfSigned = await startDovecot({ certificate: 'self-signed' });
    expect(selfSigned.fingerprint256).not.toBe(dovecot.fingerprint256);
    const user = await selfSigned.addUser();
    const withTestCa = untrustingClient(selfSigned, user, selfSigned.caPem);
    await expect(withTestCa.connect()).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    withTestCa.close();
    // What the relay does for a pinned self-signed server: the certificate itself is the anchor.
    await using pinned = await connectImap(selfSigned, user);
    expect(pinned.authenticated).toBeTruthy();
  });

  it('pushes EXISTS to an idling client within 3 s of another client’s APPEND', async () => {
    const user = await dovecot.addUser();
    await using watcher = await connectImap(dovecot, user);
    await watcher.mailboxOpen('INBOX');
    const exists = new Promise<{ count: number; at: number }>((resolve) => {
      watcher.on('exists', (data: { count: number }) => resolve({ count: data.count, at: performance.now() }));
    });
    // imapflow starts IDLE by itself only after 15 s of inactivity (TEST-INFRA.md).
    void watcher.idle().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 100));
    const appendedAt = performance.now();
    const { uid } = await appendMessage(dovecot, user, { subject: 'Push me' });
    expect(uid).toBe(1);
    const event = await Promise.race([
      exists,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no EXISTS within 3 s')), 3_000)),
    ]);
    expect(event.count).toBe(1);
    console.log(`[timing] APPEND → EXISTS on idling client: ${(event.at - appendedAt).toFixed(0)} ms`);
  });

  it('appends unicode/multipart messages and round-trips \\Seen', async () => {
    const user = await dovecot.addUser();
    const first = await appendMessage(dovecot, user, {
      from: 'José Müller <jose@example.test>',
      subject: 'Grüße – a rather long subject line with “quotes” to force several encoded words, ✓',
      text: 'Hallo\nWelt ✓',
      html: '<p>Hallo <b>Welt</b></p>',
    });
    const second = await appendMessage(dovecot, user, { subject: 'Already read', flags: ['\\Seen'] });
    expect(await statusUnseen(dovecot, user)).toBe(1);
    await setSeen(dovecot, user, first.uid, true);
    expect(await statusUnseen(dovecot, user)).toBe(0);
    await setSeen(dovecot, user, second.uid, false);
    expect(await statusUnseen(dovecot, user)).toBe(1);
    await withImap(dovecot, user, async (client) => {
      await client.mailboxOpen('INBOX');
      const message = await client.fetchOne(String(first.uid), { envelope: true, bodyStructure: true }, { uid: true });
      if (!message) throw new Error('message not found');
      expect(message.envelope?.subject).toBe(
        'Grüße – a rather long subject line with “quotes” to force several encoded words, ✓',
      );
      expect(message.envelope?.from?.[0]).toMatchObject({ name: 'José Müller', address: 'jose@example.test' });
      expect(message.bodyStructure?.type).toBe('multipart/alternative');
      const text = await client.download(String(first.uid), '1', { uid: true });
      const chunks: Buffer[] = [];
      for await (const chunk of text.content ?? []) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString('utf8')).toBe('Hallo\r\nWelt ✓');
    });
  });

  it('seeds 1,000 messages into a maildir; STATUS and UID order match', async () => {
    const user = await dovecot.addUser();
    const started = performance.now();
    const seeded = await seedMaildir(dovecot, user, 1_000, { seenRatio: 0.25 });
    const seedMs = performance.now() - started;
    expect(seeded).toEqual({ count: 1_000, unseen: 750, mailbox: 'INBOX' });
    await withImap(dovecot, user, async (client) => {
      const status = await client.status('INBOX', { messages: true, unseen: true, uidNext: true });
      expect(status).toMatchObject({ messages: 1_000, unseen: 750, uidNext: 1_001 });
      await client.mailboxOpen('INBOX');
      const newest = await client.fetchOne('1000', { envelope: true, internalDate: true }, { uid: true });
      expect(newest && newest.envelope?.subject).toBe('Seeded message 999');
      const oldest = await client.fetchOne('1', { internalDate: true }, { uid: true });
      expect(oldest && newest && (oldest.internalDate as Date) < (newest.internalDate as Date)).toBe(true);
    });
    // Seeding into another mailbox creates it.
    await seedMaildir(dovecot, user, 10, { mailbox: 'Archive', seenRatio: 1 });
    const archive = await withImap(
      dovecot,
      user,
      async (client) => await client.status('Archive', { messages: true, unseen: true }),
    );
    expect(archive).toMatchObject({ messages: 10, unseen: 0 });
    console.log(`[timing] seedMaildir 1,000 messages: ${seedMs.toFixed(0)} ms`);
  });

  it('restart() keeps ports and mail; kill() drops connections and a restart recovers', async () => {
    await using own = await startDovecot();
    const user = await own.addUser();
    await appendMessage(own, user, { subject: 'one' });
    await appendMessage(own, user, { subject: 'two' });
    const ports = [own.imapsPort, own.starttlsPort];

    const stopStarted = performance.now();
    await own.restart();
    console.log(`[timing] Dovecot restart (SIGTERM + start): ${(performance.now() - stopStarted).toFixed(0)} ms`);
    expect([own.imapsPort, own.starttlsPort]).toEqual(ports);
    expect(await withImap(own, user, async (c) => await c.status('INBOX', { messages: true }))).toMatchObject({
      messages: 2,
    });

    const client = await connectImap(own, user);
    await client.mailboxOpen('INBOX');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await own.kill();
    expect(own.running).toBe(false);
    await closed; // The imap process died with the master: the connection dropped.
    await own.restart(); // Succeeds despite the SIGKILLed master's leftover master.pid.
    expect(await statusUnseen(own, user)).toBe(2);
  });

  it('capabilities override hides MOVE', async () => {
    await using noMove = await startDovecot({ capabilities: capabilitiesWithout('MOVE') });
    const user = await noMove.addUser();
    await using client = await connectImap(noMove, user);
    expect(client.capabilities.has('MOVE')).toBe(false);
    expect(client.capabilities.has('IDLE')).toBe(true);
    expect(client.capabilities.has('UIDPLUS')).toBe(true);
  });
});
