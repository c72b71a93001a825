/**
 * The relay's persistent state, behind an interface so the embedded SQLite store can later be
 * replaced by PostgreSQL (ARCHITECTURE.md "Growing past one machine"). Mail is never stored.
 * Secrets are stored encrypted (see ../crypto/secret-box.ts); this layer only sees ciphertext.
 */

export type SecurityMode = 'tls' | 'starttls' | 'plain';

/**
 * How an account signs in to IMAP. For `oauth2` the account's `secretEnc` holds the refresh
 * token (encrypted like a password); access tokens live in memory only. `signedInAt` changes
 * with every new sign-in, so the registry restarts the account then, but not when a refresh
 * merely rotates the refresh token.
 */
export type AccountAuth =
  { kind: 'password' } | { kind: 'oauth2'; provider: 'google' | 'microsoft'; signedInAt: number };

export interface User {
  id: string;
  name: string;
  createdAt: number;
}

export interface Device {
  id: string;
  userId: string;
  label: string;
  /** The Origin the device paired from, e.g. chrome-extension://abc…; the socket must match it. */
  origin: string;
  createdAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
}

export interface Account {
  id: string;
  userId: string;
  name: string;
  host: string;
  port: number;
  security: SecurityMode;
  username: string;
  /** AES-256-GCM ciphertext of the password, or of the OAuth2 refresh token (see `auth`). */
  secretEnc: string;
  auth: AccountAuth;
  /** Mailboxes whose unread counts feed the badge; INBOX by default. */
  watchedMailboxes: string[];
  /** SHA-256 fingerprint (hex, colon-separated, upper case) of a pinned self-signed certificate, or null. */
  pinnedFingerprint: string | null;
  /** PEM CA bundle trusted for this account in addition to the system store, or null. */
  caPem: string | null;
  /** CSS hex colour shown beside the account, or null. */
  color: string | null;
  /** Archive folder override; null = the server's \Archive special-use folder. */
  archiveMailbox: string | null;
  createdAt: number;
  updatedAt: number;
}

/**
 * A new account. `id` may be chosen by the caller (newRecordId()) when something must be bound to
 * it before the row exists: the secret's associated data includes the account id.
 */
export type NewAccount = Omit<Account, 'id' | 'createdAt' | 'updatedAt' | 'color' | 'archiveMailbox' | 'auth'> &
  Partial<Pick<Account, 'id' | 'color' | 'archiveMailbox' | 'auth'>>;
export type AccountPatch = Partial<Omit<Account, 'id' | 'userId' | 'createdAt' | 'updatedAt'>>;

export interface PairingCode {
  /** SHA-256 hex of the normalised code; the code itself is never stored. */
  codeHash: string;
  userId: string;
  expiresAt: number;
  usedAt: number | null;
}

/** One `messages.action` of an account, remembered for idempotent replays (issue 8). */
export interface JournalRecord {
  actionId: string;
  /** Of the request's ids and action: a reused id with other content is refused. */
  fingerprint: string;
  /** 'pending' from before the first IMAP command until the outcome is stored. */
  state: 'pending' | 'done';
  /** What the run was about to do (parsed by the caller), or null. */
  intent: unknown;
  /** The outcome (parsed by the caller) once 'done', else null. */
  outcome: unknown;
  createdAt: number;
}

export interface Store {
  // users
  /** The default user, created on first use (a relay serves one person out of the box). */
  ensureDefaultUser(): User;
  getUser(id: string): User | null;
  listUsers(): User[];
  createUser(name: string): User;

  // devices
  /** Creates a device; `tokenHash` is SHA-256 hex of the raw token, which is never stored. */
  createDevice(input: { userId: string; label: string; origin: string; tokenHash: string }): Device;
  findDeviceByTokenHash(tokenHash: string): Device | null;
  getDevice(id: string): Device | null;
  listDevices(userId?: string): Device[];
  /**
   * True when any device, revoked or not, ever paired from this Origin. The socket upgrade admits
   * these, so a revoked browser hears UNAUTHORIZED (close 4401) in hello and shows "not paired",
   * instead of an opaque failed upgrade that looks like "relay unreachable".
   */
  hasDeviceWithOrigin(origin: string): boolean;
  touchDevice(id: string, at: number): void;
  revokeDevice(id: string, at: number): boolean;
  countActiveDevices(): number;

  // pairing codes
  createPairingCode(input: { codeHash: string; userId: string; expiresAt: number }): void;
  /**
   * Marks the code used and returns its row if it exists, is unused and unexpired, atomically;
   * otherwise returns null. A code works exactly once.
   */
  consumePairingCode(codeHash: string, now: number): PairingCode | null;

  // accounts
  createAccount(input: NewAccount): Account;
  getAccount(id: string): Account | null;
  listAccounts(userId?: string): Account[];
  updateAccount(id: string, patch: AccountPatch): Account | null;
  deleteAccount(id: string): boolean;

  /** Accounts whose secret is a pre-associated-data (v1) envelope, recorded by migration 5. */
  legacySecretAccountIds(): string[];
  /**
   * Replaces account secrets and settings in one transaction (key rotation, the v1 upgrade):
   * all or nothing. The accounts written are no longer listed as legacy.
   */
  rewriteSecrets(input: {
    accounts: { id: string; secretEnc: string }[];
    settings?: { userId: string; key: string; value: unknown }[];
  }): void;

  // settings (per user, JSON values)
  getSetting(userId: string, key: string): unknown;
  setSetting(userId: string, key: string, value: unknown): void;

  // messages.action journal (per account; rows go with the account)
  getJournal(accountId: string, actionId: string): JournalRecord | null;
  /** Inserts a 'pending' row; false when the id is already journaled. */
  beginJournal(input: { accountId: string; actionId: string; fingerprint: string; at: number }): boolean;
  setJournalIntent(accountId: string, actionId: string, intent: unknown): void;
  finishJournal(accountId: string, actionId: string, outcome: unknown): void;
  deleteJournal(accountId: string, actionId: string): void;
  /** Drops the account's rows older than `olderThan`, then all but the newest `keep`. */
  pruneJournal(accountId: string, olderThan: number, keep: number): void;
  countJournal(accountId: string): number;

  /**
   * A number that changes whenever another connection (e.g. the CLI in another process) has
   * written to the store since the last call; the relay polls it to pick up account changes.
   */
  changeCounter(): number;

  /**
   * Writes a consistent copy of the whole store to `destination` (mode 0600) while it stays in use
   * (SQLite's online backup API), replacing the file atomically. Secrets stay encrypted in it.
   */
  backup(destination: string): Promise<void>;

  close(): void;
}
