import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../store/migrations.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/types.js';
import { accountSecretContext, createSecretBox, isLegacyEnvelope } from './secret-box.js';
import { checkStoreKey, recordStoreKey, rotateStoreSecrets, upgradeLegacySecrets } from './store-secrets.js';

let dir: string;
let dbPath: string;
const stores: Store[] = [];
const key = randomBytes(32);
const box = createSecretBox(key);

function openStore(): Store {
  const store = openSqliteStore({ path: dbPath });
  stores.push(store);
  return store;
}

/** A v1 envelope exactly as relays before associated data wrote it. */
function legacyEncrypt(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

const accountColumns = (id: string, host: string, secret: string) => ({
  id,
  user_id: 'u1',
  name: id,
  host,
  port: 993,
  security: 'tls',
  username: `${id}@example.com`,
  secret_enc: secret,
  created_at: 1,
  updated_at: 1,
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidings-secrets-'));
  dbPath = join(dir, 'tidings.db');
});

afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A store at schema version 4 (before migration 5) holding two accounts with v1 secrets. */
function oldStoreWithLegacyRows(): void {
  const db = new Database(dbPath);
  migrate(db, MIGRATIONS.slice(0, 4));
  db.prepare("INSERT INTO users (id, name, created_at) VALUES ('u1', 'me', 1)").run();
  const insert = db.prepare(
    'INSERT INTO accounts (id, user_id, name, host, port, security, username, secret_enc, created_at, updated_at) ' +
      'VALUES (@id, @user_id, @name, @host, @port, @security, @username, @secret_enc, @created_at, @updated_at)',
  );
  insert.run(accountColumns('a1', 'imap.one.example', legacyEncrypt('password one')));
  insert.run(accountColumns('a2', 'imap.two.example', legacyEncrypt('password two')));
  db.close();
}

describe('old-format (v1) rows', () => {
  it('are listed by migration 5 and rewrapped, bound to their rows, once the key is loaded', () => {
    oldStoreWithLegacyRows();
    const store = openStore();
    expect(store.legacySecretAccountIds().sort()).toEqual(['a1', 'a2']);
    expect(checkStoreKey(store, box)).toBe('match'); // from a sample account: no check value yet
    expect(upgradeLegacySecrets(store, box)).toEqual({ upgraded: 2, unreadable: [] });
    expect(store.legacySecretAccountIds()).toEqual([]);
    for (const [id, plain] of [
      ['a1', 'password one'],
      ['a2', 'password two'],
    ] as const) {
      const account = store.getAccount(id);
      if (!account) throw new Error(`no ${id}`);
      expect(isLegacyEnvelope(account.secretEnc)).toBe(false);
      expect(box.decrypt(account.secretEnc, accountSecretContext(account))).toBe(plain);
    }
    // Idempotent: nothing left to do.
    expect(upgradeLegacySecrets(store, box)).toEqual({ upgraded: 0, unreadable: [] });
  });

  it('are not rewrapped when planted after the migration (a v1 envelope copied into a row fails closed)', () => {
    const store = openStore();
    const user = store.ensureDefaultUser();
    const planted = store.createAccount({
      userId: user.id,
      name: 'x',
      host: 'evil.example',
      port: 993,
      security: 'tls',
      username: 'x',
      secretEnc: legacyEncrypt('stolen'),
      watchedMailboxes: ['INBOX'],
      pinnedFingerprint: null,
      caPem: null,
    });
    expect(upgradeLegacySecrets(store, box).upgraded).toBe(0);
    const row = store.getAccount(planted.id);
    if (!row) throw new Error('no row');
    expect(() => box.decrypt(row.secretEnc, accountSecretContext(row))).toThrow(/could not be decrypted/);
  });

  it('that cannot be read are reported, not lost or crashed on', () => {
    oldStoreWithLegacyRows();
    const db = new Database(dbPath);
    db.prepare("UPDATE accounts SET secret_enc = 'v1.AAAA.BBBB.CCCC' WHERE id = 'a2'").run();
    db.close();
    const store = openStore();
    expect(upgradeLegacySecrets(store, box)).toEqual({ upgraded: 1, unreadable: ['a2'] });
  });
});

describe('rotateStoreSecrets', () => {
  function storeWithAccounts(): Store {
    const store = openStore();
    const user = store.ensureDefaultUser();
    recordStoreKey(store, box);
    for (const [id, host] of [
      ['r1', 'imap.one.example'],
      ['r2', 'imap.two.example'],
    ] as const) {
      const owner = { id, userId: user.id, host, username: `${id}@example.com` };
      store.createAccount({
        ...owner,
        name: id,
        port: 993,
        security: 'tls',
        secretEnc: box.encrypt(`pw-${id}`, accountSecretContext(owner)),
        watchedMailboxes: ['INBOX'],
        pinnedFingerprint: null,
        caPem: null,
      });
    }
    return store;
  }

  it('re-encrypts every secret and the key check: readable with the new key, not with the old', () => {
    const store = storeWithAccounts();
    const next = createSecretBox(randomBytes(32));
    expect(rotateStoreSecrets({ store, from: box, to: next })).toEqual({ accounts: 2 });
    expect(checkStoreKey(store, next)).toBe('match');
    expect(checkStoreKey(store, box)).toBe('mismatch');
    for (const account of store.listAccounts()) {
      const context = accountSecretContext(account);
      expect(next.decrypt(account.secretEnc, context)).toBe(`pw-${account.id}`);
      expect(() => box.decrypt(account.secretEnc, context)).toThrow(/could not be decrypted/);
    }
  });

  it('changes nothing when one secret cannot be read (it would be lost for good)', () => {
    const store = storeWithAccounts();
    const db = new Database(dbPath);
    db.prepare("UPDATE accounts SET host = 'attacker.example' WHERE id = 'r2'").run();
    db.close();
    const before = store.listAccounts().map((a) => a.secretEnc);
    const next = createSecretBox(randomBytes(32));
    expect(() => rotateStoreSecrets({ store, from: box, to: next })).toThrow(/r2/);
    expect(store.listAccounts().map((a) => a.secretEnc)).toEqual(before);
    expect(checkStoreKey(store, box)).toBe('match');
  });
});
