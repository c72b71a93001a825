// Issue 12 (secrets bound to their row) and issue 11 (`secrets rotate`), against the real relay
// process and Dovecot: an account whose host is changed in the SQLite file fails closed with a
// clear error while the relay and its other accounts keep running; rotation re-encrypts every
// secret so that the relay works with the new key file and the old key reads nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountSecretContext, createSecretBox } from '../../relay/src/crypto/secret-box.js';
import { decodeKey } from '../../relay/src/crypto/secret-key.js';
import { openSqliteStore } from '../../relay/src/store/sqlite-store.js';
import { startDovecot, type Dovecot } from '../harness/dovecot.js';
import { makeTempDir, removeDir } from '../harness/paths.js';
import { TestClient } from '../harness/protocol-client.js';
import { addAccountViaCli, runRelayCli, startRelayProcess } from '../harness/relay.js';
import { loginCount, pairToken } from '../harness/setup-fixtures.js';

/** Several relay and CLI processes per test: generous on a loaded machine (each takes seconds alone). */
const SLOW_TEST_MS = 120_000;

let dovecot: Dovecot;

beforeAll(async () => {
  dovecot = await startDovecot();
});

afterAll(async () => {
  await dovecot?.stop();
});

type State = { status: string; code?: string; message?: string };

async function stateOf(client: TestClient, accountId: string): Promise<State | undefined> {
  const { accounts } = await client.request('accounts.list', {});
  return accounts.find((a) => a.id === accountId)?.state;
}

async function waitState(client: TestClient, accountId: string, ok: (s: State) => boolean, what: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const state = await stateOf(client, accountId);
    if (state && ok(state)) return state;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(state)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a secret bound to its row (AES-GCM associated data)', () => {
  it(
    'fails closed when the host is changed in the SQLite file; the relay and other accounts keep running',
    { timeout: SLOW_TEST_MS },
    async () => {
      await using relay = await startRelayProcess();
      const victim = await dovecot.addUser();
      const bystander = await dovecot.addUser();
      const victimId = await addAccountViaCli(relay.dataDir, dovecot, victim);
      const bystanderId = await addAccountViaCli(relay.dataDir, dovecot, bystander);
      const token = await pairToken(relay);
      const { client } = await TestClient.connect(relay.url, token);
      using _c = client;
      await waitState(client, victimId, (s) => s.status === 'online', 'victim online');
      await waitState(client, bystanderId, (s) => s.status === 'online', 'bystander online');

      // Someone with write access to the file (not the key) repoints the account: "localhost" is
      // the same Dovecot, so a relay that decrypted anyway would log in there and show "online".
      const logins = loginCount(dovecot, victim.username);
      const db = new Database(join(relay.dataDir, 'tidings.db'));
      db.prepare('UPDATE accounts SET host = ? WHERE id = ?').run('localhost', victimId);
      db.close();

      const failed = await waitState(client, victimId, (s) => s.status === 'error', 'victim refused');
      expect(failed.code).toBe('INTERNAL');
      expect(failed.message).toMatch(/could not be decrypted/);
      expect(failed.message).toMatch(/changed outside Tidings/);
      expect(loginCount(dovecot, victim.username)).toBe(logins); // the password went nowhere
      expect(await stateOf(client, bystanderId)).toMatchObject({ status: 'online' });
      expect(relay.exitCode).toBeNull();
      const health = (await (await fetch(`${relay.httpUrl}/health`)).json()) as { accounts: unknown };
      expect(health.accounts).toEqual({ total: 2, byState: { online: 1, error: 1 } });
    },
  );
});

describe('secrets rotate', () => {
  it(
    're-encrypts every secret with a new key file: the relay starts with it, the old key reads nothing',
    { timeout: SLOW_TEST_MS },
    async () => {
      await using relay = await startRelayProcess();
      const users = [await dovecot.addUser(), await dovecot.addUser()];
      const ids = [];
      for (const user of users) ids.push(await addAccountViaCli(relay.dataDir, dovecot, user));
      const token = await pairToken(relay);
      const keyFile = join(relay.dataDir, 'secret.key');
      const oldKey = decodeKey(readFileSync(keyFile, 'utf8'));
      if (!oldKey) throw new Error('no key');

      await relay.stop();
      const run = await runRelayCli(['secrets', 'rotate'], { dataDir: relay.dataDir });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('Re-encrypted 2 stored password(s)');
      const newKey = decodeKey(readFileSync(keyFile, 'utf8'));
      if (!newKey) throw new Error('no new key');
      expect(newKey.equals(oldKey)).toBe(false);

      const store = openSqliteStore({ path: join(relay.dataDir, 'tidings.db') });
      try {
        for (const account of store.listAccounts()) {
          const context = accountSecretContext(account);
          expect(() => createSecretBox(oldKey).decrypt(account.secretEnc, context)).toThrow(/could not be decrypted/);
          expect(createSecretBox(newKey).decrypt(account.secretEnc, context)).toBe(
            users.find((u) => u.username === account.username)?.password,
          );
        }
      } finally {
        store.close();
      }

      await relay.restart();
      const { client } = await TestClient.connect(relay.url, token);
      using _c = client;
      for (const id of ids) await waitState(client, id, (s) => s.status === 'online', `account ${id} online`);
    },
  );

  it('is refused with TIDINGS_SECRET_KEY, changing nothing', async () => {
    const dataDir = makeTempDir('rotate-env');
    try {
      const env = { TIDINGS_SECRET_KEY: 'a'.repeat(64) };
      const run = await runRelayCli(['secrets', 'rotate'], { dataDir, env });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^error: the key comes from TIDINGS_SECRET_KEY/);
      expect(existsSync(join(dataDir, 'secret.key'))).toBe(false);
    } finally {
      removeDir(dataDir);
    }
  });
});
