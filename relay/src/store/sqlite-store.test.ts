import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersion } from './migrations.js';
import { openSqliteStore } from './sqlite-store.js';
import type { NewAccount, Store } from './types.js';

let dir: string;
let dbPath: string;
const open: Store[] = [];

function openStore(now?: () => number): Store {
  const store = openSqliteStore(now ? { path: dbPath, now } : { path: dbPath });
  open.push(store);
  return store;
}

function newAccount(userId: string, overrides: Partial<NewAccount> = {}): NewAccount {
  return {
    userId,
    name: 'Work',
    host: 'imap.example.com',
    port: 993,
    security: 'tls',
    username: 'me@example.com',
    secretEnc: 'v1.aaa.bbb.ccc',
    watchedMailboxes: ['INBOX'],
    pinnedFingerprint: null,
    caPem: null,
    ...overrides,
  };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidings-store-'));
  dbPath = join(dir, 'tidings.db');
});

afterEach(() => {
  for (const s of open.splice(0)) s.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('migrates a fresh database to the latest version', () => {
    openStore().close();
    const db = new Database(dbPath);
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual([
      'accounts',
      'action_journal',
      'devices',
      'legacy_secrets',
      'pairing_codes',
      'settings',
      'users',
    ]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('creates the database file readable by the owner only', () => {
    openStore().close();
    expect(statSync(dbPath).mode & 0o077).toBe(0);
  });

  it('reopening is idempotent and keeps data', () => {
    const a = openStore();
    const user = a.ensureDefaultUser();
    a.close();
    const b = openStore();
    expect(b.ensureDefaultUser()).toEqual(user);
    expect(b.listUsers()).toHaveLength(1);
    const db = new Database(dbPath);
    expect(migrate(db)).toEqual({ from: LATEST_SCHEMA_VERSION, to: LATEST_SCHEMA_VERSION });
    db.close();
  });

  it('upgrades a database left at version 1 without losing rows', () => {
    const db = new Database(dbPath);
    migrate(db, MIGRATIONS.slice(0, 1));
    expect(schemaVersion(db)).toBe(1);
    db.prepare("INSERT INTO users (id, name, created_at) VALUES ('u1', 'old', 1)").run();
    db.close();

    const store = openStore();
    expect(store.getUser('u1')).toEqual({ id: 'u1', name: 'old', createdAt: 1 });
    store.setSetting('u1', 'theme', 'dark'); // the settings table came with version 2
    expect(store.getSetting('u1', 'theme')).toBe('dark');
    const check = new Database(dbPath);
    expect(schemaVersion(check)).toBe(LATEST_SCHEMA_VERSION);
    check.close();
  });

  it('refuses a store from a newer version', () => {
    const db = new Database(dbPath);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openStore()).toThrow(/newer than this relay understands/);
  });
});

describe('users', () => {
  it('ensureDefaultUser creates one user once', () => {
    const store = openStore();
    const u = store.ensureDefaultUser();
    expect(u.id).toMatch(/^[0-9a-f]{16}$/);
    expect(store.ensureDefaultUser().id).toBe(u.id);
    const other = store.createUser('alice');
    expect(store.getUser(other.id)).toEqual(other);
    expect(store.listUsers().map((x) => x.id)).toEqual([u.id, other.id]);
    expect(store.getUser('nope')).toBeNull();
  });
});

describe('devices', () => {
  it('creates, finds, touches and revokes', () => {
    const store = openStore(() => 1000);
    const user = store.ensureDefaultUser();
    const d = store.createDevice({
      userId: user.id,
      label: 'Chrome',
      origin: 'chrome-extension://abc',
      tokenHash: 'h1',
    });
    expect(d).toMatchObject({ userId: user.id, label: 'Chrome', origin: 'chrome-extension://abc', createdAt: 1000 });
    expect(store.findDeviceByTokenHash('h1')).toEqual(d);
    expect(store.findDeviceByTokenHash('h2')).toBeNull();
    store.touchDevice(d.id, 2000);
    expect(store.getDevice(d.id)?.lastSeenAt).toBe(2000);
    expect(store.countActiveDevices()).toBe(1);

    expect(store.revokeDevice(d.id, 3000)).toBe(true);
    expect(store.revokeDevice(d.id, 4000)).toBe(false); // already revoked: first time stands
    expect(store.getDevice(d.id)?.revokedAt).toBe(3000);
    expect(store.findDeviceByTokenHash('h1')).toBeNull();
    expect(store.countActiveDevices()).toBe(0);
    expect(store.revokeDevice('missing', 1)).toBe(false);
  });

  it('hasDeviceWithOrigin knows every Origin that ever paired, revoked or not', () => {
    const store = openStore();
    const user = store.ensureDefaultUser();
    expect(store.hasDeviceWithOrigin('chrome-extension://abc')).toBe(false);
    const d = store.createDevice({ userId: user.id, label: 'a', origin: 'chrome-extension://abc', tokenHash: 'h1' });
    expect(store.hasDeviceWithOrigin('chrome-extension://abc')).toBe(true);
    expect(store.hasDeviceWithOrigin('chrome-extension://other')).toBe(false);
    store.revokeDevice(d.id, 1);
    // Still admitted to the upgrade, so hello can tell the browser it was revoked.
    expect(store.hasDeviceWithOrigin('chrome-extension://abc')).toBe(true);
    expect(store.findDeviceByTokenHash('h1')).toBeNull();
  });

  it('token hashes are unique', () => {
    const store = openStore();
    const user = store.ensureDefaultUser();
    store.createDevice({ userId: user.id, label: 'a', origin: 'o', tokenHash: 'same' });
    expect(() => store.createDevice({ userId: user.id, label: 'b', origin: 'o', tokenHash: 'same' })).toThrow();
  });

  it('lists per user', () => {
    const store = openStore();
    const a = store.createUser('a');
    const b = store.createUser('b');
    store.createDevice({ userId: a.id, label: 'a', origin: 'o', tokenHash: 'ha' });
    store.createDevice({ userId: b.id, label: 'b', origin: 'o', tokenHash: 'hb' });
    expect(store.listDevices().map((d) => d.label)).toEqual(['a', 'b']);
    expect(store.listDevices(b.id).map((d) => d.label)).toEqual(['b']);
  });
});

describe('pairing codes', () => {
  it('works exactly once', () => {
    const store = openStore();
    const user = store.ensureDefaultUser();
    store.createPairingCode({ codeHash: 'c1', userId: user.id, expiresAt: 10_000 });
    expect(store.consumePairingCode('c1', 5_000)).toEqual({
      codeHash: 'c1',
      userId: user.id,
      expiresAt: 10_000,
      usedAt: 5_000,
    });
    expect(store.consumePairingCode('c1', 5_001)).toBeNull();
  });

  it('does not work after expiry', () => {
    const store = openStore();
    const user = store.ensureDefaultUser();
    store.createPairingCode({ codeHash: 'c1', userId: user.id, expiresAt: 10_000 });
    expect(store.consumePairingCode('c1', 10_000)).toBeNull();
    expect(store.consumePairingCode('unknown', 1)).toBeNull();
  });

  it('a code consumed by another connection is gone for this one', () => {
    const a = openStore();
    const b = openStore();
    const user = a.ensureDefaultUser();
    a.createPairingCode({ codeHash: 'c1', userId: user.id, expiresAt: 10_000 });
    expect(b.consumePairingCode('c1', 1)).not.toBeNull();
    expect(a.consumePairingCode('c1', 2)).toBeNull();
  });
});

describe('accounts', () => {
  it('CRUD round trip', () => {
    let t = 100;
    const store = openStore(() => t);
    const user = store.ensureDefaultUser();
    const acc = store.createAccount(
      newAccount(user.id, { watchedMailboxes: ['INBOX', 'Lists/Ünïcode'], caPem: 'PEM' }),
    );
    expect(acc.id).toMatch(/^[0-9a-f]{16}$/);
    expect(store.getAccount(acc.id)).toEqual(acc);
    expect(acc).toMatchObject({ createdAt: 100, updatedAt: 100, watchedMailboxes: ['INBOX', 'Lists/Ünïcode'] });

    t = 200;
    const updated = store.updateAccount(acc.id, {
      name: 'Home',
      watchedMailboxes: ['Archive'],
      pinnedFingerprint: 'AA:BB',
    });
    expect(updated).toMatchObject({
      name: 'Home',
      watchedMailboxes: ['Archive'],
      pinnedFingerprint: 'AA:BB',
      createdAt: 100,
      updatedAt: 200,
    });
    expect(store.getAccount(acc.id)).toEqual(updated);
    expect(store.updateAccount('missing', { name: 'x' })).toBeNull();
    // null clears a nullable field; undefined leaves it alone
    expect(store.updateAccount(acc.id, { caPem: null })?.caPem).toBeNull();

    const other = store.createUser('other');
    store.createAccount(newAccount(other.id, { name: 'Theirs' }));
    expect(store.listAccounts().map((a) => a.name)).toEqual(['Home', 'Theirs']);
    expect(store.listAccounts(user.id).map((a) => a.name)).toEqual(['Home']);

    expect(store.deleteAccount(acc.id)).toBe(true);
    expect(store.deleteAccount(acc.id)).toBe(false);
    expect(store.getAccount(acc.id)).toBeNull();
  });

  it('rejects an account for an unknown user (foreign keys are on)', () => {
    const store = openStore();
    expect(() => store.createAccount(newAccount('nobody'))).toThrow(/FOREIGN KEY/);
  });

  it('fails loudly on a corrupted watched_mailboxes column', () => {
    const store = openStore();
    const acc = store.createAccount(newAccount(store.ensureDefaultUser().id));
    const db = new Database(dbPath);
    db.prepare('UPDATE accounts SET watched_mailboxes = \'{"not":"an array"}\' WHERE id = ?').run(acc.id);
    db.close();
    expect(() => store.getAccount(acc.id)).toThrow(/watched_mailboxes/);
  });
});

describe('settings', () => {
  it('stores JSON values per user', () => {
    const store = openStore();
    const a = store.createUser('a');
    const b = store.createUser('b');
    expect(store.getSetting(a.id, 'notify')).toBeUndefined();
    store.setSetting(a.id, 'notify', { sound: true, quiet: [22, 7] });
    store.setSetting(b.id, 'notify', false);
    expect(store.getSetting(a.id, 'notify')).toEqual({ sound: true, quiet: [22, 7] });
    expect(store.getSetting(b.id, 'notify')).toBe(false);
    store.setSetting(a.id, 'notify', 'replaced');
    expect(store.getSetting(a.id, 'notify')).toBe('replaced');
    store.setSetting(a.id, 'notify', undefined);
    expect(store.getSetting(a.id, 'notify')).toBeUndefined();
  });
});

describe('changeCounter', () => {
  it('changes when another connection writes, not on its own writes', () => {
    const relay = openStore();
    const cli = openStore();
    const user = relay.ensureDefaultUser();
    const before = relay.changeCounter();
    relay.createAccount(newAccount(user.id)); // own write
    expect(relay.changeCounter()).toBe(before);

    cli.createAccount(newAccount(user.id, { name: 'From CLI' }));
    const after = relay.changeCounter();
    expect(after).not.toBe(before);
    expect(relay.changeCounter()).toBe(after); // stable until the next foreign write
    expect(relay.listAccounts().map((a) => a.name)).toContain('From CLI');
  });
});
