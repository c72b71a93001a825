/**
 * The embedded default `Store`: one SQLite file (better-sqlite3, synchronous), shared by the
 * running relay and by CLI commands in other processes. WAL lets the CLI write while the relay
 * reads; `changeCounter()` (PRAGMA data_version) is how the relay notices those writes.
 *
 * @example
 * const store = openSqliteStore({ path: join(dataDir, 'tidings.db') });
 * const user = store.ensureDefaultUser();
 */
import { chmodSync, closeSync, openSync, renameSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { z } from 'zod/mini';
import { newRecordId } from './ids.js';
import { migrate } from './migrations.js';
import type {
  Account,
  AccountAuth,
  AccountPatch,
  Device,
  JournalRecord,
  NewAccount,
  PairingCode,
  SecurityMode,
  Store,
  User,
} from './types.js';

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for a throwaway store. */
  path: string;
  /** Clock for created/updated timestamps; tests pass a fixed one. */
  now?: () => number;
}

// Rows are parsed, not cast: the file may have been edited by hand or written by another version.
const userRow = z.object({ id: z.string(), name: z.string(), created_at: z.number() });
const deviceRow = z.object({
  id: z.string(),
  user_id: z.string(),
  label: z.string(),
  origin: z.string(),
  created_at: z.number(),
  last_seen_at: z.nullable(z.number()),
  revoked_at: z.nullable(z.number()),
});
const securitySchema = z.enum(['tls', 'starttls', 'plain']) satisfies z.ZodMiniType<SecurityMode>;
const mailboxesSchema = z.array(z.string());
const accountRow = z.object({
  id: z.string(),
  user_id: z.string(),
  name: z.string(),
  host: z.string(),
  port: z.int(),
  security: securitySchema,
  username: z.string(),
  secret_enc: z.string(),
  watched_mailboxes: z.string(),
  pinned_fingerprint: z.nullable(z.string()),
  ca_pem: z.nullable(z.string()),
  color: z.nullable(z.string()),
  archive_mailbox: z.nullable(z.string()),
  auth_kind: z.enum(['password', 'oauth2']),
  oauth_provider: z.nullable(z.enum(['google', 'microsoft'])),
  oauth_signed_in_at: z.nullable(z.number()),
  created_at: z.number(),
  updated_at: z.number(),
});
const pairingRow = z.object({
  code_hash: z.string(),
  user_id: z.string(),
  expires_at: z.number(),
  used_at: z.nullable(z.number()),
});
const settingRow = z.object({ value: z.string() });
const journalRow = z.object({
  action_id: z.string(),
  fingerprint: z.string(),
  state: z.enum(['pending', 'done']),
  intent: z.nullable(z.string()),
  outcome: z.nullable(z.string()),
  created_at: z.number(),
});
const countRow = z.object({ n: z.number() });

function toUser(row: unknown): User {
  const r = userRow.parse(row);
  return { id: r.id, name: r.name, createdAt: r.created_at };
}

function toDevice(row: unknown): Device {
  const r = deviceRow.parse(row);
  return {
    id: r.id,
    userId: r.user_id,
    label: r.label,
    origin: r.origin,
    createdAt: r.created_at,
    lastSeenAt: r.last_seen_at,
    revokedAt: r.revoked_at,
  };
}

function toAccount(row: unknown): Account {
  const r = accountRow.parse(row);
  const mailboxes = mailboxesSchema.safeParse(parseJson(r.watched_mailboxes));
  if (!mailboxes.success) throw new Error(`account ${r.id}: watched_mailboxes is not a JSON array of strings`);
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    host: r.host,
    port: r.port,
    security: r.security,
    username: r.username,
    secretEnc: r.secret_enc,
    watchedMailboxes: mailboxes.data,
    pinnedFingerprint: r.pinned_fingerprint,
    caPem: r.ca_pem,
    color: r.color,
    archiveMailbox: r.archive_mailbox,
    auth: toAuth(r),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toAuth(r: z.infer<typeof accountRow>): AccountAuth {
  if (r.auth_kind === 'password') return { kind: 'password' };
  if (r.oauth_provider === null || r.oauth_signed_in_at === null)
    throw new Error(`account ${r.id}: an oauth2 account without a provider or sign-in time`);
  return { kind: 'oauth2', provider: r.oauth_provider, signedInAt: r.oauth_signed_in_at };
}

/** The auth columns of an account row. */
function authColumns(auth: AccountAuth): Record<'auth_kind' | 'oauth_provider' | 'oauth_signed_in_at', unknown> {
  return auth.kind === 'password'
    ? { auth_kind: 'password', oauth_provider: null, oauth_signed_in_at: null }
    : { auth_kind: 'oauth2', oauth_provider: auth.provider, oauth_signed_in_at: auth.signedInAt };
}

function toJournal(row: unknown): JournalRecord {
  const r = journalRow.parse(row);
  return {
    actionId: r.action_id,
    fingerprint: r.fingerprint,
    state: r.state,
    intent: r.intent === null ? null : parseJson(r.intent),
    outcome: r.outcome === null ? null : parseJson(r.outcome),
    createdAt: r.created_at,
  };
}

function toPairingCode(row: unknown): PairingCode {
  const r = pairingRow.parse(row);
  return { codeHash: r.code_hash, userId: r.user_id, expiresAt: r.expires_at, usedAt: r.used_at };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Account fields a patch may change, mapped to their columns (a fixed list: no SQL from input). */
const patchColumns = {
  name: 'name',
  host: 'host',
  port: 'port',
  security: 'security',
  username: 'username',
  secretEnc: 'secret_enc',
  watchedMailboxes: 'watched_mailboxes',
  pinnedFingerprint: 'pinned_fingerprint',
  caPem: 'ca_pem',
  color: 'color',
  archiveMailbox: 'archive_mailbox',
} as const satisfies Record<Exclude<keyof AccountPatch, 'auth'>, string>;

/**
 * Opens (creating and migrating if needed) the store at `path`.
 *
 * Note on `findDeviceByTokenHash`: it returns only non-revoked devices, so a caller that forgets
 * to check `revokedAt` still fails closed. Use `getDevice(id)` to see a revoked device.
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  const now = options.now ?? Date.now;
  if (options.path !== ':memory:') createPrivateFile(options.path);
  const db = new Database(options.path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // The CLI and the relay write from different processes; wait rather than fail with SQLITE_BUSY.
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }

  const q = {
    firstUser: db.prepare('SELECT * FROM users ORDER BY created_at, rowid LIMIT 1'),
    getUser: db.prepare('SELECT * FROM users WHERE id = ?'),
    listUsers: db.prepare('SELECT * FROM users ORDER BY created_at, rowid'),
    insertUser: db.prepare('INSERT INTO users (id, name, created_at) VALUES (?, ?, ?)'),

    insertDevice: db.prepare(
      'INSERT INTO devices (id, user_id, label, origin, token_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    deviceByToken: db.prepare('SELECT * FROM devices WHERE token_hash = ? AND revoked_at IS NULL'),
    getDevice: db.prepare('SELECT * FROM devices WHERE id = ?'),
    listDevices: db.prepare('SELECT * FROM devices ORDER BY created_at, rowid'),
    listUserDevices: db.prepare('SELECT * FROM devices WHERE user_id = ? ORDER BY created_at, rowid'),
    knownOrigin: db.prepare('SELECT 1 FROM devices WHERE origin = ? LIMIT 1'),
    touchDevice: db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?'),
    revokeDevice: db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    countActive: db.prepare('SELECT COUNT(*) AS n FROM devices WHERE revoked_at IS NULL'),

    insertCode: db.prepare('INSERT INTO pairing_codes (code_hash, user_id, expires_at) VALUES (?, ?, ?)'),
    // One statement, so two concurrent redeemers cannot both see the code unused.
    consumeCode: db.prepare(
      'UPDATE pairing_codes SET used_at = ? WHERE code_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING *',
    ),
    purgeCodes: db.prepare('DELETE FROM pairing_codes WHERE expires_at <= ? OR used_at IS NOT NULL'),

    insertAccount: db.prepare(
      `INSERT INTO accounts (id, user_id, name, host, port, security, username, secret_enc, watched_mailboxes,
         pinned_fingerprint, ca_pem, color, archive_mailbox, auth_kind, oauth_provider, oauth_signed_in_at,
         created_at, updated_at)
       VALUES (@id, @user_id, @name, @host, @port, @security, @username, @secret_enc, @watched_mailboxes,
         @pinned_fingerprint, @ca_pem, @color, @archive_mailbox, @auth_kind, @oauth_provider, @oauth_signed_in_at,
         @created_at, @updated_at)`,
    ),
    getAccount: db.prepare('SELECT * FROM accounts WHERE id = ?'),
    listAccounts: db.prepare('SELECT * FROM accounts ORDER BY created_at, rowid'),
    listUserAccounts: db.prepare('SELECT * FROM accounts WHERE user_id = ? ORDER BY created_at, rowid'),
    deleteAccount: db.prepare('DELETE FROM accounts WHERE id = ?'),

    getSetting: db.prepare('SELECT value FROM settings WHERE user_id = ? AND key = ?'),
    upsertSetting: db.prepare(
      'INSERT INTO settings (user_id, key, value) VALUES (?, ?, ?) ON CONFLICT (user_id, key) DO UPDATE SET value = excluded.value',
    ),
    deleteSetting: db.prepare('DELETE FROM settings WHERE user_id = ? AND key = ?'),

    getJournal: db.prepare('SELECT * FROM action_journal WHERE account_id = ? AND action_id = ?'),
    beginJournal: db.prepare(
      `INSERT INTO action_journal (account_id, action_id, fingerprint, state, created_at)
       VALUES (?, ?, ?, 'pending', ?) ON CONFLICT DO NOTHING`,
    ),
    setJournalIntent: db.prepare('UPDATE action_journal SET intent = ? WHERE account_id = ? AND action_id = ?'),
    finishJournal: db.prepare(
      "UPDATE action_journal SET state = 'done', outcome = ? WHERE account_id = ? AND action_id = ?",
    ),
    deleteJournal: db.prepare('DELETE FROM action_journal WHERE account_id = ? AND action_id = ?'),
    pruneJournalAge: db.prepare('DELETE FROM action_journal WHERE account_id = ? AND created_at < ?'),
    pruneJournalCount: db.prepare(
      `DELETE FROM action_journal WHERE account_id = @account AND action_id NOT IN (
         SELECT action_id FROM action_journal WHERE account_id = @account ORDER BY created_at DESC, rowid DESC LIMIT @keep)`,
    ),
    countJournal: db.prepare('SELECT COUNT(*) AS n FROM action_journal WHERE account_id = ?'),
  };

  const createUser = (name: string): User => {
    const user: User = { id: newRecordId(), name, createdAt: now() };
    q.insertUser.run(user.id, user.name, user.createdAt);
    return user;
  };

  // IMMEDIATE: two processes starting on a fresh store must not both create a "default" user.
  const ensureDefaultUser = db.transaction((): User => {
    const row: unknown = q.firstUser.get();
    return row === undefined ? createUser('default') : toUser(row);
  });

  const getAccount = (id: string): Account | null => {
    const row: unknown = q.getAccount.get(id);
    return row === undefined ? null : toAccount(row);
  };

  const consumePairingCode = (codeHash: string, at: number): PairingCode | null => {
    const row: unknown = q.consumeCode.get(at, codeHash, at);
    // Housekeeping: a used or expired code can never succeed again, so it need not be kept.
    q.purgeCodes.run(at);
    return row === undefined ? null : toPairingCode(row);
  };

  return {
    ensureDefaultUser: () => ensureDefaultUser.immediate(),
    getUser: (id) => {
      const row: unknown = q.getUser.get(id);
      return row === undefined ? null : toUser(row);
    },
    listUsers: () => q.listUsers.all().map(toUser),
    createUser,

    createDevice: ({ userId, label, origin, tokenHash }) => {
      const device: Device = {
        id: newRecordId(),
        userId,
        label,
        origin,
        createdAt: now(),
        lastSeenAt: null,
        revokedAt: null,
      };
      q.insertDevice.run(device.id, userId, label, origin, tokenHash, device.createdAt);
      return device;
    },
    findDeviceByTokenHash: (tokenHash) => {
      const row: unknown = q.deviceByToken.get(tokenHash);
      return row === undefined ? null : toDevice(row);
    },
    getDevice: (id) => {
      const row: unknown = q.getDevice.get(id);
      return row === undefined ? null : toDevice(row);
    },
    listDevices: (userId) => (userId === undefined ? q.listDevices.all() : q.listUserDevices.all(userId)).map(toDevice),
    hasDeviceWithOrigin: (origin) => q.knownOrigin.get(origin) !== undefined,
    touchDevice: (id, at) => {
      q.touchDevice.run(at, id);
    },
    revokeDevice: (id, at) => q.revokeDevice.run(at, id).changes > 0,
    countActiveDevices: () => countRow.parse(q.countActive.get()).n,

    createPairingCode: ({ codeHash, userId, expiresAt }) => {
      q.insertCode.run(codeHash, userId, expiresAt);
    },
    consumePairingCode,

    createAccount: (input: NewAccount) => {
      const at = now();
      const account: Account = {
        ...input,
        watchedMailboxes: [...input.watchedMailboxes],
        color: input.color ?? null,
        archiveMailbox: input.archiveMailbox ?? null,
        auth: input.auth ?? { kind: 'password' },
        id: input.id ?? newRecordId(),
        createdAt: at,
        updatedAt: at,
      };
      q.insertAccount.run({
        id: account.id,
        user_id: account.userId,
        name: account.name,
        host: account.host,
        port: account.port,
        security: account.security,
        username: account.username,
        secret_enc: account.secretEnc,
        watched_mailboxes: JSON.stringify(account.watchedMailboxes),
        pinned_fingerprint: account.pinnedFingerprint,
        ca_pem: account.caPem,
        color: account.color,
        archive_mailbox: account.archiveMailbox,
        ...authColumns(account.auth),
        created_at: at,
        updated_at: at,
      });
      return account;
    },
    getAccount,
    listAccounts: (userId) =>
      (userId === undefined ? q.listAccounts.all() : q.listUserAccounts.all(userId)).map(toAccount),
    updateAccount: (id, patch) => {
      const sets: string[] = [];
      const values: Record<string, unknown> = { id, updated_at: now() };
      if (patch.auth !== undefined) {
        for (const [column, value] of Object.entries(authColumns(patch.auth))) {
          sets.push(`${column} = @${column}`);
          values[column] = value;
        }
      }
      for (const key of Object.keys(patchColumns) as (keyof typeof patchColumns)[]) {
        const value = patch[key];
        if (value === undefined) continue;
        const column = patchColumns[key];
        sets.push(`${column} = @${column}`);
        values[column] = key === 'watchedMailboxes' ? JSON.stringify(value) : value;
      }
      sets.push('updated_at = @updated_at');
      // Columns come from the fixed patchColumns map; values are bound parameters.
      const changed = db.prepare(`UPDATE accounts SET ${sets.join(', ')} WHERE id = @id`).run(values).changes;
      return changed > 0 ? getAccount(id) : null;
    },
    deleteAccount: (id) => q.deleteAccount.run(id).changes > 0,

    legacySecretAccountIds: () =>
      z
        .array(z.object({ account_id: z.string() }))
        .parse(db.prepare('SELECT account_id FROM legacy_secrets').all())
        .map((r) => r.account_id),
    rewriteSecrets: db.transaction((input: Parameters<Store['rewriteSecrets']>[0]) => {
      const setSecret = db.prepare('UPDATE accounts SET secret_enc = ? WHERE id = ?');
      const unmark = db.prepare('DELETE FROM legacy_secrets WHERE account_id = ?');
      for (const a of input.accounts) {
        if (setSecret.run(a.secretEnc, a.id).changes !== 1) throw new Error(`no account ${a.id} to rewrite`);
        unmark.run(a.id);
      }
      for (const s of input.settings ?? []) q.upsertSetting.run(s.userId, s.key, JSON.stringify(s.value));
    }),

    getSetting: (userId, key) => {
      const row: unknown = q.getSetting.get(userId, key);
      if (row === undefined) return undefined;
      return parseJson(settingRow.parse(row).value);
    },
    setSetting: (userId, key, value) => {
      // JSON has no `undefined`: setting it means "forget this key".
      if (value === undefined) q.deleteSetting.run(userId, key);
      else q.upsertSetting.run(userId, key, JSON.stringify(value));
    },

    getJournal: (accountId, actionId) => {
      const row: unknown = q.getJournal.get(accountId, actionId);
      return row === undefined ? null : toJournal(row);
    },
    beginJournal: ({ accountId, actionId, fingerprint, at }) =>
      q.beginJournal.run(accountId, actionId, fingerprint, at).changes > 0,
    setJournalIntent: (accountId, actionId, intent) => {
      q.setJournalIntent.run(JSON.stringify(intent), accountId, actionId);
    },
    finishJournal: (accountId, actionId, outcome) => {
      q.finishJournal.run(JSON.stringify(outcome), accountId, actionId);
    },
    deleteJournal: (accountId, actionId) => {
      q.deleteJournal.run(accountId, actionId);
    },
    pruneJournal: (accountId, olderThan, keep) => {
      q.pruneJournalAge.run(accountId, olderThan);
      q.pruneJournalCount.run({ account: accountId, keep });
    },
    countJournal: (accountId) => countRow.parse(q.countJournal.get(accountId)).n,

    changeCounter: () => {
      // data_version changes only when ANOTHER connection committed (sqlite.org/pragma.html#pragma_data_version),
      // so the relay's own writes (touchDevice…) do not trigger a reload.
      const v: unknown = db.pragma('data_version', { simple: true });
      if (typeof v !== 'number') throw new Error('PRAGMA data_version returned a non-number');
      return v;
    },

    backup: async (destination) => {
      // Into a temporary file beside the destination, then rename: a crash or a full disk never
      // leaves a half-written file under the backup's name.
      const temp = `${destination}.${process.pid}.tmp`;
      rmSync(temp, { force: true });
      createPrivateFile(temp);
      try {
        await db.backup(temp);
        const copy = new Database(temp);
        try {
          // A single self-contained file (no -wal beside it); the restored store turns WAL on again.
          copy.pragma('journal_mode = DELETE');
          const check: unknown = copy.pragma('quick_check', { simple: true });
          if (check !== 'ok') throw new Error(`the backup failed its integrity check: ${String(check)}`);
        } finally {
          copy.close();
        }
        chmodSync(temp, 0o600);
        renameSync(temp, destination);
      } catch (err) {
        rmSync(temp, { force: true });
        throw err;
      }
    },

    close: () => {
      if (db.open) db.close();
    },
  };
}

/**
 * Creates the database file with mode 0600 before SQLite does (SQLite would use 0644 minus umask).
 * The -wal and -shm files SQLite creates later copy the main file's permissions.
 */
function createPrivateFile(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}
