/**
 * Schema migrations for the embedded SQLite store: an ordered list of SQL steps, step N takes the
 * database from `PRAGMA user_version` N-1 to N. Append new steps; never edit a released one, since
 * stores in the field are already past it.
 */
import type Database from 'better-sqlite3';

export interface Migration {
  /** The `user_version` the database has after this step. */
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'users, devices, pairing codes, accounts',
    // STRICT tables make SQLite reject a wrongly typed value instead of storing it silently.
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        label TEXT NOT NULL,
        origin TEXT NOT NULL,
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER,
        revoked_at INTEGER
      ) STRICT;
      CREATE INDEX devices_user ON devices(user_id);

      CREATE TABLE pairing_codes (
        code_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      ) STRICT;

      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        host TEXT NOT NULL,
        port INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
        security TEXT NOT NULL CHECK (security IN ('tls', 'starttls', 'plain')),
        username TEXT NOT NULL,
        secret_enc TEXT NOT NULL,
        watched_mailboxes TEXT NOT NULL DEFAULT '["INBOX"]',
        pinned_fingerprint TEXT,
        ca_pem TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX accounts_user ON accounts(user_id);
    `,
  },
  {
    version: 2,
    description: 'per-user settings; index for the pre-upgrade Origin check',
    sql: `
      CREATE TABLE settings (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (user_id, key)
      ) STRICT;

      -- hasActiveDeviceWithOrigin runs on every WebSocket upgrade, before authentication.
      CREATE INDEX devices_active_origin ON devices(origin) WHERE revoked_at IS NULL;
    `,
  },
  {
    version: 3,
    description: 'index devices by origin, revoked included',
    // The upgrade check became hasDeviceWithOrigin (revoked devices included, so a revoked browser
    // is told 4401 instead of failing the upgrade); it needs an index over all devices.
    sql: `
      DROP INDEX devices_active_origin;
      CREATE INDEX devices_origin ON devices(origin);
    `,
  },
  {
    version: 4,
    description: 'account colour and archive folder override',
    sql: `
      ALTER TABLE accounts ADD COLUMN color TEXT;
      ALTER TABLE accounts ADD COLUMN archive_mailbox TEXT;
    `,
  },
  {
    version: 5,
    description: 'secrets bound to their row: list the accounts whose secret is still a v1 envelope',
    // Re-encryption needs the key, which SQL does not have: this step records which rows hold
    // pre-associated-data (v1) envelopes, and upgradeLegacySecrets rewraps exactly those the next
    // time the key is loaded. A v1 envelope planted in any other row later is refused, not rewrapped.
    sql: `
      CREATE TABLE legacy_secrets (
        account_id TEXT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE
      ) STRICT;
      INSERT INTO legacy_secrets (account_id) SELECT id FROM accounts WHERE secret_enc LIKE 'v1.%';
    `,
  },
  {
    version: 6,
    description: 'OAuth2 accounts: how an account signs in',
    // secret_enc keeps the refresh token of an oauth2 account (encrypted like a password).
    sql: `
      ALTER TABLE accounts ADD COLUMN auth_kind TEXT NOT NULL DEFAULT 'password'
        CHECK (auth_kind IN ('password', 'oauth2'));
      ALTER TABLE accounts ADD COLUMN oauth_provider TEXT CHECK (oauth_provider IN ('google', 'microsoft'));
      ALTER TABLE accounts ADD COLUMN oauth_signed_in_at INTEGER;
    `,
  },
  {
    version: 7,
    description: 'durable messages.action journal (issue 8)',
    // A replay of an actionId after a relay crash must answer like the first run: the journal
    // row is written before the IMAP command (state 'pending', with the Message-IDs it is about
    // to move in `intent`) and completed with the outcome after it.
    sql: `
      CREATE TABLE action_journal (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        action_id TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
        intent TEXT,
        outcome TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account_id, action_id)
      ) STRICT;
      CREATE INDEX action_journal_age ON action_journal(account_id, created_at);
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  const v: unknown = db.pragma('user_version', { simple: true });
  if (typeof v !== 'number') throw new Error('PRAGMA user_version returned a non-number');
  return v;
}

/**
 * Brings the database up to the last step of `migrations`. Each step runs in its own IMMEDIATE
 * transaction together with its `user_version` bump, and the version is re-read inside it, so the
 * relay and a CLI command opening the same fresh store at once cannot both apply a step.
 *
 * @returns the versions before and after.
 */
export function migrate(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration #${i} declares version ${m.version}, expected ${i + 1}`);
  });
  const from = schemaVersion(db);
  const latest = migrations.length;
  if (from > LATEST_SCHEMA_VERSION) {
    throw new Error(
      `the store is at schema version ${from}, newer than this relay understands (${LATEST_SCHEMA_VERSION}); upgrade Tidings`,
    );
  }
  for (const step of migrations) {
    const apply = db.transaction(() => {
      if (schemaVersion(db) >= step.version) return; // another process got here first
      db.exec(step.sql);
      // user_version is part of the database header, so this write commits or rolls back with the step.
      db.pragma(`user_version = ${step.version}`);
    });
    apply.immediate();
  }
  return { from, to: Math.max(from, latest) };
}
