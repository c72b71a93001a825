/**
 * Helpers for the account-setup suites (test/integration/setup-*.test.ts): pairing devices,
 * making the relay trust the test CA, a second relay user, and server settings for a Dovecot user.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerSettingsWire } from '../../shared/index.js';
import { issuePairingCode } from '../../relay/src/auth/pairing.js';
import { openSqliteStore } from '../../relay/src/store/sqlite-store.js';
import type { Dovecot, ImapUser } from './dovecot.js';
import { makeTempDir } from './paths.js';
import { pairDevice, TEST_ORIGIN } from './protocol-client.js';
import { pairingCodeFrom, runRelayCli, type RelayProcess } from './relay.js';

/**
 * Environment that makes a relay process trust the test CA the way a system CA store would
 * (NODE_EXTRA_CA_CERTS extends Node's default trust), so `ca-signed` Dovecot instances verify
 * without a per-account CA — as a real, publicly trusted server does.
 */
export function trustTestCaEnv(dovecot: Pick<Dovecot, 'caPem'>): Record<string, string> {
  const dir = makeTempDir('test-ca');
  const file = join(dir, 'ca.pem');
  writeFileSync(file, dovecot.caPem);
  return { NODE_EXTRA_CA_CERTS: file };
}

/** Pairs a device for the relay's default user and returns its token. */
export async function pairToken(relay: RelayProcess, origin = TEST_ORIGIN): Promise<string> {
  const pair = await runRelayCli(['pair'], { dataDir: relay.dataDir });
  if (pair.code !== 0) throw new Error(`relay pair failed: ${pair.stderr}`);
  const res = await pairDevice(relay.httpUrl, pairingCodeFrom(pair.stdout), origin);
  if (res.status !== 200) throw new Error(`pairing failed: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { token: string }).token;
}

/**
 * Creates another relay user directly in the store (the CLI serves only the default user) and
 * pairs a device for it; returns that device's token. SQLite allows this beside the running relay.
 */
export async function pairTokenForNewUser(relay: RelayProcess, name: string, origin = TEST_ORIGIN): Promise<string> {
  const store = openSqliteStore({ path: join(relay.dataDir, 'tidings.db') });
  let code: string;
  try {
    const user = store.createUser(name);
    code = issuePairingCode({ store, userId: user.id, now: Date.now() }).code;
  } finally {
    store.close();
  }
  const res = await pairDevice(relay.httpUrl, code, origin);
  if (res.status !== 200) throw new Error(`pairing failed: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { token: string }).token;
}

/** Server settings for `user` on `dovecot` as the options page would send them. */
export function serverSettings(
  dovecot: Dovecot,
  user: ImapUser,
  overrides: Partial<ServerSettingsWire> = {},
): ServerSettingsWire {
  const security = overrides.security ?? 'tls';
  return {
    host: dovecot.host,
    port: security === 'tls' ? dovecot.imapsPort : dovecot.starttlsPort,
    security,
    username: user.username,
    pinnedFingerprint: null,
    ...overrides,
  };
}

/** Lines of Dovecot's log about successful IMAP logins of `username`. */
export function loginCount(dovecot: Dovecot, username: string): number {
  return dovecot
    .logs()
    .split('\n')
    .filter((l) => /imap-login: (Info: )?Login: /.test(l) && l.includes(`user=<${username}>`)).length;
}

/** Lines of Dovecot's log about IMAP sessions of `username` ending (logout or disconnect). */
export function sessionEndCount(dovecot: Dovecot, username: string): number {
  return dovecot
    .logs()
    .split('\n')
    .filter((l) => l.includes(`imap(${username})`) && /Disconnected|Logged out/.test(l)).length;
}

/** Polls `predicate` every 50 ms until it holds; rejects with `what` after `timeoutMs`. */
export async function eventually(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Device tokens for `devices` browsers, with the pairing codes issued straight in the store as
 * `relay pair` does (a CLI run per device would be slow for load tests and benchmarks).
 */
export async function pairDevices(
  relay: Pick<RelayProcess, 'dataDir' | 'httpUrl'>,
  devices: number,
): Promise<string[]> {
  const store = openSqliteStore({ path: join(relay.dataDir, 'tidings.db') });
  const codes: string[] = [];
  try {
    const userId = store.ensureDefaultUser().id;
    for (let i = 0; i < devices; i++) codes.push(issuePairingCode({ store, userId, now: Date.now() }).code);
  } finally {
    store.close();
  }
  const tokens: string[] = [];
  for (const code of codes) {
    const res = await pairDevice(relay.httpUrl, code);
    if (res.status !== 200) throw new Error(`pairing failed: HTTP ${res.status}`);
    tokens.push((res.body as { token: string }).token);
  }
  return tokens;
}
