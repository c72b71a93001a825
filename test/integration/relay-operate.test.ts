// Issue 11 "Operate", against the real relay process: SIGTERM closes sockets with 1001, logs out of
// IMAP, closes the store and exits within 5 s; SIGHUP reloads the TLS certificate files for new
// connections while an open socket keeps working; GET /health counts accounts by state without
// naming any.
import { copyFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayPaths } from '../../shared/index.js';
import { testCertificates } from '../harness/certs.js';
import { startDovecot, type Dovecot } from '../harness/dovecot.js';
import { httpsRequest } from '../harness/https.js';
import { makeTempDir, removeDir } from '../harness/paths.js';
import { TEST_ORIGIN, TestClient } from '../harness/protocol-client.js';
import { addAccountViaCli, pairingCodeFrom, runRelayCli, startRelayProcess } from '../harness/relay.js';
import { eventually, pairToken } from '../harness/setup-fixtures.js';

/** Several relay and CLI processes per test: generous on a loaded machine (each takes seconds alone). */
const SLOW_TEST_MS = 120_000;

let dovecot: Dovecot;

beforeAll(async () => {
  dovecot = await startDovecot();
});

afterAll(async () => {
  await dovecot?.stop();
});

/** Polls accounts.list (the account may be online before the socket opened, so no event comes). */
async function waitOnline(client: TestClient, accountId: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { accounts } = await client.request('accounts.list', {});
    if (accounts.find((a) => a.id === accountId)?.state.status === 'online') return;
    if (Date.now() > deadline) throw new Error(`account not online: ${JSON.stringify(accounts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function logoutCount(username: string): number {
  return dovecot
    .logs()
    .split('\n')
    .filter((l) => l.includes(`imap(${username})`) && l.includes('Logged out')).length;
}

describe('SIGTERM', () => {
  it(
    'closes sockets with 1001, logs out of IMAP, closes the store and exits 0 within 5 s',
    { timeout: SLOW_TEST_MS },
    async () => {
      await using relay = await startRelayProcess();
      const user = await dovecot.addUser();
      const accountId = await addAccountViaCli(relay.dataDir, dovecot, user);
      const token = await pairToken(relay);
      const { client } = await TestClient.connect(relay.url, token);
      using _c = client;
      await waitOnline(client, accountId);
      // The command connection too, so both kinds of IMAP connection are open at shutdown.
      await client.request('mailboxes.list', { accountId });

      // Health names nothing but counts the account as online.
      const health = (await (await fetch(`${relay.httpUrl}/health`)).json()) as Record<string, unknown>;
      expect(health).toMatchObject({ ok: true, accounts: { total: 1, byState: { online: 1 } } });
      expect(JSON.stringify(health)).not.toContain(accountId);
      expect(JSON.stringify(health)).not.toContain(user.username);
      expect(JSON.stringify(health)).not.toContain(dovecot.host);

      const loggedOutBefore = logoutCount(user.username);
      const started = Date.now();
      await relay.stop(); // SIGTERM, then waits for the exit
      const elapsed = Date.now() - started;

      expect(await client.closed).toMatchObject({ code: 1001 });
      expect(relay.exitCode).toBe(0);
      // The relay's own deadline is 5 s (Limits.relayShutdownMs); the margin is for seeing the exit.
      expect(elapsed).toBeLessThan(5_500);
      // Watcher and command connection both said LOGOUT (Dovecot logs "Logged out", not "Disconnected").
      await eventually(() => logoutCount(user.username) >= loggedOutBefore + 2, 3_000, 'two IMAP logouts');
      // A cleanly closed SQLite store checkpoints and removes its write-ahead log.
      expect(existsSync(join(relay.dataDir, 'tidings.db-wal'))).toBe(false);
      expect(relay.output()).toContain('relay stopped');
    },
  );

  it('exits within 5 s even when the IMAP server is frozen', { timeout: SLOW_TEST_MS }, async () => {
    const frozen = await startDovecot();
    try {
      await using relay = await startRelayProcess();
      const user = await frozen.addUser();
      const accountId = await addAccountViaCli(relay.dataDir, frozen, user);
      const token = await pairToken(relay);
      const { client } = await TestClient.connect(relay.url, token);
      using _c = client;
      await waitOnline(client, accountId);
      for (const pid of frozen.pids()) process.kill(pid, 'SIGSTOP');
      try {
        const started = Date.now();
        await relay.stop();
        expect(Date.now() - started).toBeLessThan(5_500);
        expect(await client.closed).toMatchObject({ code: 1001 });
      } finally {
        for (const pid of frozen.pids()) process.kill(pid, 'SIGCONT');
      }
    } finally {
      await frozen.stop();
    }
  });
});

describe('backup and restore', () => {
  it(
    'backs up a running relay (mode 0600) and a new data dir restored from it starts with the accounts',
    { timeout: SLOW_TEST_MS },
    async () => {
      await using relay = await startRelayProcess();
      const user = await dovecot.addUser();
      const accountId = await addAccountViaCli(relay.dataDir, dovecot, user);
      const token = await pairToken(relay);
      const backupDir = makeTempDir('backup');
      const restoredDir = makeTempDir('restored');
      try {
        const file = join(backupDir, 'tidings-backup.db');
        const run = await runRelayCli(['backup', file], { dataDir: relay.dataDir });
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        expect(statSync(file).mode & 0o777).toBe(0o600);
        expect(relay.exitCode).toBeNull(); // the relay kept running

        // Restore as documented: the file as tidings.db, the matching key beside it.
        copyFileSync(file, join(restoredDir, 'tidings.db'));
        copyFileSync(join(relay.dataDir, 'secret.key'), join(restoredDir, 'secret.key'));
        await relay.stop();
        await using restored = await startRelayProcess({ dataDir: restoredDir });
        // The paired device, the account and its (still decryptable) password all came back.
        const { client } = await TestClient.connect(restored.url, token);
        using _c = client;
        await waitOnline(client, accountId);
      } finally {
        removeDir(backupDir);
        removeDir(restoredDir);
      }
    },
  );

  it('refuses a data dir without a store, with one line', async () => {
    const empty = makeTempDir('no-store');
    try {
      const run = await runRelayCli(['backup', join(empty, 'out.db')], { dataDir: empty });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: no store at .*tidings\.db/);
    } finally {
      removeDir(empty);
    }
  });
});

/** SHA-256 fingerprint of the certificate a new TLS connection to the relay is served. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.on('error', reject);
  });
}

describe('SIGHUP', () => {
  it(
    'serves the new certificate files to new connections and keeps open sockets',
    { timeout: SLOW_TEST_MS },
    async () => {
      const certs = await testCertificates();
      const dir = makeTempDir('relay-tls');
      try {
        const certFile = join(dir, 'cert.pem');
        const keyFile = join(dir, 'key.pem');
        copyFileSync(certs.server.certFile, certFile);
        copyFileSync(certs.server.keyFile, keyFile);
        await using relay = await startRelayProcess({ tls: { certFile, keyFile } });
        expect(await servedFingerprint(relay.port)).toBe(certs.server.fingerprint256);

        const pair = await runRelayCli(['pair'], { dataDir: relay.dataDir });
        const paired = await httpsRequest(`${relay.httpUrl}${RelayPaths.pair}`, {
          ca: certs.ca.certPem,
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: TEST_ORIGIN },
          body: JSON.stringify({ code: pairingCodeFrom(pair.stdout), label: 'tls test' }),
        });
        expect(paired.status).toBe(200);
        const { token } = paired.json() as { token: string };
        const { client } = await TestClient.connect(relay.url, token);
        using _c = client;

        // Renewal: new files in place (a key that does not match yet must not take the relay down).
        writeFileSync(certFile, certs.selfSigned.certPem);
        if (relay.pid === undefined) throw new Error('relay has no pid');
        process.kill(relay.pid, 'SIGHUP');
        await eventually(() => relay.output().includes('TLS reload failed'), 5_000, 'the mismatched pair refused');
        expect(await servedFingerprint(relay.port)).toBe(certs.server.fingerprint256);

        writeFileSync(keyFile, certs.selfSigned.keyPem);
        process.kill(relay.pid, 'SIGHUP');
        await eventually(() => relay.output().includes('TLS certificate reloaded'), 5_000, 'reload reported');
        expect(await servedFingerprint(relay.port)).toBe(certs.selfSigned.fingerprint256);

        // The socket opened before the reload still answers requests.
        expect(await client.request('accounts.list', {})).toEqual({ accounts: [] });
        expect(relay.exitCode).toBeNull();
      } finally {
        removeDir(dir);
      }
    },
  );
});
