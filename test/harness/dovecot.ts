import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { DOVEADM_BIN, DOVECOT_BIN } from './binaries.js';
import { testCertificates } from './certs.js';
import { freePorts } from './ports.js';
import { keepTmp, makeServiceTempDir, mkdirShared, removeDir } from './paths.js';
import { descendantsOf, hasExited, isAlive, killOnExit, killTree, OutputBuffer, waitForExit } from './processes.js';

export interface StartDovecotOptions {
  /** Which certificate Dovecot serves: signed by the test CA (default) or self-signed (TLS_FAILED tests). */
  certificate?: 'ca-signed' | 'self-signed';
  /**
   * Replaces Dovecot's `imap_capability` (the whole list). Use `capabilitiesWithout('MOVE')` to hide
   * one extension; a value starting with `+` adds to the defaults instead.
   */
  capabilities?: string;
  /** Appended verbatim to the generated dovecot.conf (later settings win). */
  extraConfig?: string;
  /**
   * Replaces the default `namespace inbox { ... }` block (INBOX plus Drafts, Sent, Trash, Junk and
   * Archive with their special-use flags), e.g. for a `INBOX.` prefix, another separator, folders
   * without special-use flags, or more namespaces (server-variety suite). Dovecot merges repeated
   * sections rather than replacing them, so extraConfig cannot take folders away.
   */
  namespaces?: string;
  /** Enables the quota plugin (RFC 9208 QUOTA) with a 10 MiB storage limit per user. */
  quota?: boolean;
  /**
   * Accepts OAuth2 bearer tokens (XOAUTH2 and OAUTHBEARER), checked at every login by RFC 7662
   * introspection at `introspectionUrl` (the local provider, test/harness/oauth-provider.ts), so
   * an expired or revoked token is refused by Dovecot itself. Password logins keep working.
   */
  oauth2?: { introspectionUrl: string };
}

/**
 * Dovecot 2.3's oauth2 passdb in front of the passwd-file one (TEST-INFRA.md "OAuth2 with Dovecot
 * 2.3.19"). The auth cache stays off (auth_cache_size 0, the default): with a cache, revoked
 * tokens keep logging in. The anvil penalty is already disabled in the base config.
 */
function oauth2Config(dir: string): string {
  return `
auth_mechanisms = plain login xoauth2 oauthbearer
auth_cache_size = 0
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${join(dir, 'dovecot-oauth2.conf.ext')}
}
`;
}

/** Dovecot's quota plugin with a 10 MiB limit, for tests of quota display. */
const QUOTA_CONFIG = `
mail_plugins = $mail_plugins quota
protocol imap {
  mail_plugins = $mail_plugins imap_quota
}
plugin {
  quota = maildir:User quota
  quota_rule = *:storage=10M
}
`;

export interface ImapUser {
  username: string;
  password: string;
}

export interface Dovecot extends AsyncDisposable {
  readonly host: '127.0.0.1';
  /** Implicit TLS (IMAPS) port. */
  readonly imapsPort: number;
  /** Plain IMAP port offering STARTTLS (plaintext login allowed, for `security: 'plain'` tests). */
  readonly starttlsPort: number;
  /** PEM of the test CA; trusted clients verify the `ca-signed` certificate with it. */
  readonly caPem: string;
  /** Which certificate this instance serves. */
  readonly certificate: 'ca-signed' | 'self-signed';
  /** PEM of the certificate this instance serves. */
  readonly certPem: string;
  /** `X509Certificate.fingerprint256` of the served certificate (`AB:CD:...`). */
  readonly fingerprint256: string;
  /** Base64 SHA-256 of the served certificate's SPKI. */
  readonly spkiSha256: string;
  /** The instance's private directory (config, log, users file, mail). */
  readonly dir: string;
  /** Numeric uid/gid that owns mail files (Dovecot refuses uid 0 at login). */
  readonly mailUid: number;
  readonly mailGid: number;
  /** Home directory of a user; the maildir is `<home>/Maildir`. */
  homeOf(username: string): string;
  /** Adds a user (unique generated name unless given); takes effect at once (passwd-file is re-read). */
  addUser(options?: { username?: string; password?: string }): Promise<ImapUser>;
  /** `stop()`, then start again on the same ports with the same mail. */
  restart(): Promise<void>;
  /**
   * SIGTERM to the whole process tree (as `systemctl stop` does) and wait until it is gone
   * (~1.1 s). Connected clients get BYE. Idempotent.
   */
  stop(): Promise<void>;
  /** SIGKILL the whole process tree (a crash: open connections drop without BYE). */
  kill(): Promise<void>;
  /**
   * SIGSTOP the whole process tree (master, login, imap): a frozen server. The kernel still
   * accepts TCP connections into the listen backlog, but nothing is answered until `thaw()`.
   */
  freeze(): Promise<void>;
  /** SIGCONT every process `freeze()` stopped. */
  thaw(): Promise<void>;
  /**
   * IMAP sessions of `username` open on this instance right now, as Dovecot counts them
   * (`doveadm who -1`: one line per connection).
   */
  sessionsOf(username: string): Promise<number>;
  /**
   * Runs `doveadm <args>` against this instance and resolves with its stdout (rejects on a
   * non-zero exit), e.g. `['acl', 'set', '-u', owner, 'INBOX', 'user=<other>', 'lookup', 'read']`.
   */
  doveadm(args: string[]): Promise<string>;
  /** Dovecot's log file plus anything the master printed. */
  logs(): string;
  /** Whether the master process is running. */
  readonly running: boolean;
  /** The master's pid and its children's (login, auth, imap), e.g. to SIGSTOP a "frozen" server. */
  pids(): number[];
  /**
   * Ends every open IMAP session of `username` (`doveadm kick`, ~40 ms). Dovecot never re-checks
   * an OAuth2 token during a session, so this is how a test simulates "the provider cut us off".
   */
  kick(username: string): Promise<void>;
}

/**
 * Dovecot 2.3.19's post-login CAPABILITY list with the settings below (IMAP4rev1 ... SPECIAL-USE).
 * Used by `capabilitiesWithout`; keep in step with the installed version (a harness test checks it).
 */
export const DEFAULT_CAPABILITIES =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS ' +
  'THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS ' +
  'LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH ' +
  'LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE';

/**
 * An `imap_capability` value: the default list minus the named extensions.
 *
 * @example await startDovecot({ capabilities: capabilitiesWithout('MOVE', 'QRESYNC') })
 */
export function capabilitiesWithout(...names: string[]): string {
  const drop = new Set(names.map((n) => n.toUpperCase()));
  return DEFAULT_CAPABILITIES.split(' ')
    .filter((c) => !drop.has(c.toUpperCase()))
    .join(' ');
}

/** The `dovecot` system user's ids from /etc/passwd; Dovecot runs mail processes as them. */
function mailOwner(): { uid: number; gid: number; user: string } {
  if (process.getuid?.() !== 0) {
    const info = userInfo();
    return { uid: info.uid, gid: info.gid, user: info.username };
  }
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid, gid] = line.split(':');
      if (name === 'dovecot' && uid && gid) return { uid: Number(uid), gid: Number(gid), user: 'dovecot' };
    }
  } catch {
    // Fall through to a fixed id: Dovecot accepts any non-zero uid with a static userdb.
  }
  return { uid: 5000, gid: 5000, user: 'dovecot' };
}

/** The inbox namespace every instance has unless `namespaces` replaces it. */
const DEFAULT_NAMESPACES = `namespace inbox {
  inbox = yes
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}
`;

interface ConfigInput {
  dir: string;
  baseDir: string;
  instanceName: string;
  imapsPort: number;
  starttlsPort: number;
  certFile: string;
  keyFile: string;
  usersDir: string;
  mailRoot: string;
  uid: number;
  gid: number;
  options: StartDovecotOptions;
}

function renderConfig(c: ConfigInput): string {
  const asRoot = process.getuid?.() === 0;
  // Without root Dovecot can neither chroot its login processes nor switch users: run everything
  // as the current user. (Untested on this machine, where tests run as root.)
  const unprivileged = asRoot
    ? ''
    : `default_internal_user = ${userInfo().username}
default_login_user = ${userInfo().username}
service anvil {
  chroot =
}
`;
  return `# Generated by test/harness/dovecot.ts: a private instance for one test fixture.
protocols = imap
listen = 127.0.0.1
base_dir = ${c.baseDir}
state_dir = ${join(c.dir, 'state')}
instance_name = ${c.instanceName}
log_path = ${join(c.dir, 'dovecot.log')}
auth_verbose = yes
${unprivileged}
ssl = yes
ssl_cert = <${c.certFile}
ssl_key = <${c.keyFile}

# Plaintext LOGIN must work on the STARTTLS port without STARTTLS for the security=plain tests.
disable_plaintext_auth = no
auth_mechanisms = plain login
${c.options.oauth2 ? oauth2Config(c.dir) : ''}
passdb {
  driver = passwd-file
  # One file per user, opened on the user's first login. A single shared file is re-read when it
  # changes, but Dovecot stats it at most once per second, so a user added right after another
  # user's login would be "unknown" for up to a second.
  args = scheme=PLAIN username_format=%u ${c.usersDir}/%u
${c.options.oauth2 ? '  mechanisms = plain login\n' : ''}}
# Tests of failed logins should not wait Dovecot's default 2 s; set it back with extraConfig.
auth_failure_delay = 0 secs
userdb {
  driver = static
  # uid 0 fails at login with "Internal error" (TEST-INFRA.md).
  args = uid=${c.uid} gid=${c.gid} home=${c.mailRoot}/%u
}
first_valid_uid = 1
first_valid_gid = 1

mail_location = maildir:~/Maildir
# Tests never survive a power cut; skipping fsync keeps APPEND-heavy tests fast.
mail_fsync = never
${c.options.namespaces ?? DEFAULT_NAMESPACES}

# inotify push needs this short fallback when > ~128 sessions share a uid (TEST-INFRA.md).
mailbox_idle_check_interval = 1 secs
# Default 10 per user+IP; load tests open many.
mail_max_userip_connections = 10000

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${c.starttlsPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${c.imapsPort}
    ssl = yes
  }
  service_count = 0
  client_limit = 1000
${asRoot ? '' : '  chroot =\n'}}
service imap {
  process_limit = 2048
}
service auth {
  client_limit = 4096
}
service anvil {
  client_limit = 4096
  # Without this socket the auth process disables its per-IP penalty (2 s doubling to 15 s after
  # a failed login), which would otherwise slow every later login from 127.0.0.1 in the same
  # instance. mode = 0 means "do not create" (src/master/service-listen.c).
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
${c.options.capabilities !== undefined ? `imap_capability = ${c.options.capabilities}\n` : ''}${c.options.quota ? QUOTA_CONFIG : ''}${c.options.extraConfig ?? ''}
`;
}

/** Connects with TLS and resolves once the server greets with `* OK`; rejects on any failure. */
async function greets(host: string, port: number, timeoutMs: number): Promise<void> {
  await new Promise<void>((resolveGreeting, reject) => {
    // Certificate checks are beside the point here: we only wait for the listener to be ready.
    const socket = tlsConnect({ host, port, rejectUnauthorized: false });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no greeting'));
    }, timeoutMs);
    let received = '';
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      if (received.includes('\r\n')) {
        clearTimeout(timer);
        socket.destroy();
        if (received.startsWith('* OK')) resolveGreeting();
        else reject(new Error(`unexpected greeting: ${received.trim()}`));
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

let userCounter = 0;

/**
 * Starts a private Dovecot (own dirs, free ports, its own users) and waits for its IMAPS greeting.
 * Every call is a separate instance; use one fresh user per test (`addUser`) to isolate tests.
 *
 * @example
 * await using dovecot = await startDovecot();
 * const user = await dovecot.addUser();
 * const client = await connectImap(dovecot, user);
 */
export async function startDovecot(options: StartDovecotOptions = {}): Promise<Dovecot> {
  const certs = await testCertificates();
  const certificate = options.certificate ?? 'ca-signed';
  const served = certificate === 'ca-signed' ? certs.server : certs.selfSigned;
  const owner = mailOwner();

  // In the system temp dir, not test/.tmp: the auth and mail processes run as the dovecot user and
  // must reach the users files and mail even when the checkout sits under a 0700 directory.
  const dir = makeServiceTempDir('dovecot');
  // Unix socket paths are limited to 108 bytes; Dovecot puts sockets such as
  // "token-login/imap-urlauth" under base_dir. Deep checkouts get a short base_dir in /tmp.
  let shortBaseDir: string | undefined;
  let baseDir = join(dir, 'run');
  if (baseDir.length > 70) {
    shortBaseDir = mkdtempSync(join(tmpdir(), 'tidings-dc-'));
    baseDir = shortBaseDir;
  }
  const mailRoot = mkdirShared(join(dir, 'mail'));
  chownSync(mailRoot, owner.uid, owner.gid);
  mkdirShared(join(dir, 'state'));
  const usersDir = mkdirShared(join(dir, 'users'));
  const configPath = join(dir, 'dovecot.conf');
  const logPath = join(dir, 'dovecot.log');

  const [imapsPort, starttlsPort] = (await freePorts(2)) as [number, number];
  if (options.oauth2) {
    writeFileSync(
      join(dir, 'dovecot-oauth2.conf.ext'),
      `introspection_mode = post\nintrospection_url = ${options.oauth2.introspectionUrl}\nusername_attribute = username\n`,
    );
  }
  writeFileSync(
    configPath,
    renderConfig({
      dir,
      baseDir,
      instanceName: `tidings-${randomBytes(4).toString('hex')}`,
      imapsPort,
      starttlsPort,
      certFile: served.certFile,
      keyFile: served.keyFile,
      usersDir,
      mailRoot,
      uid: owner.uid,
      gid: owner.gid,
      options,
    }),
  );

  const output = new OutputBuffer();
  let child: ChildProcess | undefined;
  let untrack: (() => void) | undefined;

  const readLog = (): string => {
    try {
      return readFileSync(logPath, 'utf8');
    } catch {
      return '';
    }
  };
  const logs = (): string => {
    const printed = output.toString();
    return printed ? `${readLog()}\n--- dovecot stdout/stderr ---\n${printed}` : readLog();
  };

  const start = async (): Promise<void> => {
    // A master.pid left by a SIGKILLed master would make Dovecot refuse to start (TEST-INFRA.md);
    // we only start after our previous process is gone, so it is always stale here.
    rmSync(join(baseDir, 'master.pid'), { force: true });
    const proc = spawn(DOVECOT_BIN, ['-F', '-c', configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    untrack = killOnExit(proc);
    proc.stdout?.on('data', (d: Buffer) => output.append(d));
    proc.stderr?.on('data', (d: Buffer) => output.append(d));
    let spawnError: Error | undefined;
    proc.on('error', (error) => {
      spawnError = error;
    });
    const deadline = Date.now() + 15_000;
    let lastError: unknown;
    for (;;) {
      if (spawnError) throw new Error(`dovecot failed to spawn (${DOVECOT_BIN}): ${spawnError.message}`);
      if (hasExited(proc)) {
        throw new Error(
          `dovecot exited during start-up (code ${proc.exitCode}, signal ${proc.signalCode}):\n${logs()}`,
        );
      }
      try {
        await greets('127.0.0.1', imapsPort, 2_000);
        return;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() > deadline) {
        killTree(proc.pid ?? -1);
        throw new Error(
          `dovecot did not greet on 127.0.0.1:${imapsPort} within 15 s (${String(lastError)}):\n${logs()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const waitGone = async (pids: number[], timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (pids.some(isAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    if (!proc?.pid || hasExited(proc)) return;
    // Collect the tree first: imap processes keep serving their clients after the master dies.
    const tree = [proc.pid, ...descendantsOf(proc.pid)];
    for (const pid of tree) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await waitForExit(proc, 5_000);
    await waitGone(tree, 5_000);
    untrack?.();
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc?.pid || hasExited(proc)) return;
    // As a service manager stops it (systemd's default KillMode=control-group): SIGTERM to every
    // process of the instance, not only the master. The master alone leaves its imap processes
    // serving their connected clients for many seconds after it exits (measured: ~10-30 s, they
    // even answer NOOP), which is not what "the server stopped" means to a user.
    const tree = [proc.pid, ...descendantsOf(proc.pid)];
    for (const pid of tree) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
    // Dovecot's master takes ~1.1 s to exit after SIGTERM (TEST-INFRA.md).
    if (!(await waitForExit(proc, 10_000))) await kill();
    await waitGone(tree, 5_000);
    for (const pid of tree.filter(isAlive)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Exited meanwhile.
      }
    }
    untrack?.();
  };

  let frozen: number[] = [];
  const freeze = async (): Promise<void> => {
    const proc = child;
    if (!proc?.pid || hasExited(proc)) throw new Error('freeze: dovecot is not running');
    frozen = [proc.pid, ...descendantsOf(proc.pid)];
    for (const pid of frozen) {
      try {
        process.kill(pid, 'SIGSTOP');
      } catch {
        // Exited meanwhile.
      }
    }
  };
  const thaw = async (): Promise<void> => {
    for (const pid of frozen.splice(0)) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // Exited meanwhile.
      }
    }
  };
  const doveadm = (args: string[]): Promise<string> =>
    new Promise<string>((resolveOut, reject) => {
      const proc = spawn(DOVEADM_BIN, ['-c', configPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      let err = '';
      proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
      proc.on('error', reject);
      proc.on('close', (code) =>
        code === 0 ? resolveOut(text) : reject(new Error(`doveadm ${args[0]} exited with ${code}: ${err}`)),
      );
    });
  const sessionsOf = async (username: string): Promise<number> => {
    const out = await doveadm(['who', '-1']);
    return out.split('\n').filter((line) => line.split(/\s+/)[0] === username).length;
  };

  try {
    await start();
  } catch (error) {
    await kill();
    if (shortBaseDir) removeDir(shortBaseDir);
    removeDir(dir);
    throw error;
  }

  const dovecot: Dovecot = {
    host: '127.0.0.1',
    imapsPort,
    starttlsPort,
    caPem: certs.ca.certPem,
    certificate,
    certPem: served.certPem,
    fingerprint256: served.fingerprint256,
    spkiSha256: served.spkiSha256,
    dir,
    mailUid: owner.uid,
    mailGid: owner.gid,
    homeOf: (username) => join(mailRoot, username),
    get running() {
      return child !== undefined && !hasExited(child);
    },
    pids() {
      const pid = child?.pid;
      return pid === undefined || !child || hasExited(child) ? [] : [pid, ...descendantsOf(pid)];
    },
    async addUser(userOptions = {}) {
      userCounter += 1;
      const username = userOptions.username ?? `user${userCounter}-${randomBytes(3).toString('hex')}`;
      const password = userOptions.password ?? randomBytes(12).toString('base64url');
      // Dovecot's default auth_username_chars; also keeps the per-user passwd-file path safe.
      if (!/^[A-Za-z0-9.@_-]+$/.test(username) || username.startsWith('.')) {
        throw new Error(`addUser: username may only contain letters, digits and . @ _ - : ${username}`);
      }
      const file = join(usersDir, username);
      if (existsSync(file)) throw new Error(`addUser: user ${username} already exists`);
      // {PLAIN.BASE64}: any password (':' included) survives the colon-separated passwd-file format.
      const line = `${username}:{PLAIN.BASE64}${Buffer.from(password, 'utf8').toString('base64')}::::::\n`;
      // Write-then-rename: Dovecot never reads a half-written file.
      writeFileSync(`${file}.tmp`, line, { mode: 0o644 });
      renameSync(`${file}.tmp`, file);
      return { username, password };
    },
    async restart() {
      await stop();
      await start();
    },
    async kick(username) {
      const result = await new Promise<{ code: number | null; output: string }>((resolveKick) => {
        const proc = spawn(DOVEADM_BIN, ['-c', configPath, 'kick', username], { stdio: ['ignore', 'pipe', 'pipe'] });
        let printed = '';
        proc.stdout.on('data', (d: Buffer) => (printed += d.toString()));
        proc.stderr.on('data', (d: Buffer) => (printed += d.toString()));
        proc.on('error', (err) => resolveKick({ code: -1, output: err.message }));
        proc.on('close', (code) => resolveKick({ code, output: printed }));
      });
      // doveadm kick exits 68 (EX_NOUSER) when the user had no session: not an error for a test.
      if (result.code !== 0 && result.code !== 68) throw new Error(`doveadm kick ${username} failed: ${result.output}`);
    },
    stop,
    kill,
    freeze,
    thaw,
    sessionsOf,
    doveadm,
    logs,
    async [Symbol.asyncDispose]() {
      // A frozen tree ignores SIGTERM until continued; SIGKILL works on stopped processes anyway.
      await thaw();
      // The instance's data is thrown away, so skip SIGTERM's ~1.1 s graceful exit and SIGKILL
      // the whole tree — unless the directory is kept for inspection (TIDINGS_KEEP_TMP=1).
      if (keepTmp) await stop();
      else await kill();
      if (shortBaseDir) removeDir(shortBaseDir);
      removeDir(dir);
    },
  };
  return dovecot;
}

/** True when `<home>/Maildir` exists for the user (i.e. Dovecot or seedMaildir created it). */
export function hasMaildir(dovecot: Dovecot, username: string): boolean {
  return existsSync(join(dovecot.homeOf(username), 'Maildir'));
}

/** Creates `path` (and parents) owned by the mail uid, as Dovecot itself would. */
export function mkdirMailOwned(dovecot: Dovecot, path: string): void {
  const parts: string[] = [];
  let cursor = path;
  while (!existsSync(cursor)) {
    parts.unshift(cursor);
    const parent = join(cursor, '..');
    if (parent === cursor) break;
    cursor = parent;
  }
  for (const p of parts) {
    mkdirSync(p, { mode: 0o700 });
    chownSync(p, dovecot.mailUid, dovecot.mailGid);
  }
}
