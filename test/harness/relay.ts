import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import type { Dovecot, ImapUser } from './dovecot.js';
import { freePort } from './ports.js';
import { makeTempDir, removeDir, repoRoot } from './paths.js';
import { hasExited, killOnExit, killTree, OutputBuffer, waitForExit } from './processes.js';

/** The relay's CLI entry, run with `node --import tsx` from the repository root. */
const RELAY_MAIN = join('relay', 'src', 'main.ts');

/** The production build's entry under an install directory (`npm run build`, relay/tsconfig.build.json). */
export const BUILT_RELAY_MAIN = join('dist', 'relay', 'src', 'main.js');

export interface StartRelayOptions {
  /** Data directory (SQLite store, key file). Default: a fresh directory, removed on dispose. */
  dataDir?: string;
  /** Default: a free port. */
  port?: number;
  /** Default 127.0.0.1 (the only bind address the relay allows without TLS). */
  host?: string;
  /** Extra arguments after `start --host H --port P --data-dir D`. */
  args?: string[];
  /** Extra environment variables (merged over this process's environment). */
  env?: Record<string, string>;
  /** How long to wait for GET /health → 200. Default 20 s. */
  healthTimeoutMs?: number;
  /**
   * Run the production build installed in this directory (`node <dir>/dist/relay/src/main.js`,
   * no tsx, cwd `<dir>`) instead of the sources. Default: `TIDINGS_RELAY_INSTALL_DIR` (set by
   * `npm run bench`, test/bench/built-relay.ts), else the sources in the repository.
   */
  installDir?: string;
  /** Serve wss:// with these files (`--tls-cert`/`--tls-key`); url and httpUrl become wss/https. */
  tls?: { certFile: string; keyFile: string };
}

export interface RelayProcess extends AsyncDisposable {
  /** `ws://127.0.0.1:<port>` (the WebSocket endpoint's origin; append the path the protocol uses). */
  readonly url: string;
  /** `http://127.0.0.1:<port>`. */
  readonly httpUrl: string;
  readonly port: number;
  readonly dataDir: string;
  readonly pid: number | undefined;
  /** The exit code of the last run once it has exited (null while running or when killed by a signal). */
  readonly exitCode: number | null;
  /** Everything the process printed (stdout and stderr interleaved), across restarts. */
  output(): string;
  /** SIGTERM and wait for exit (SIGKILL after 10 s). Idempotent. */
  stop(): Promise<void>;
  /** Stop and start again on the same port with the same data directory. */
  restart(): Promise<void>;
  /** SIGKILL (a crash). */
  kill(): Promise<void>;
}

/** The production build every relay of this process runs when the caller names none (installDir). */
export const RELAY_INSTALL_DIR_ENV = 'TIDINGS_RELAY_INSTALL_DIR';

/** How to run the relay CLI: the sources through tsx, or an installed production build. */
function relayInvocation(args: string[], installDir: string | undefined): { cwd: string; args: string[] } {
  installDir ??= process.env[RELAY_INSTALL_DIR_ENV] || undefined;
  if (installDir !== undefined) return { cwd: installDir, args: [join(installDir, BUILT_RELAY_MAIN), ...args] };
  // One process (`node --import tsx`), not `npx tsx` (a chain of four that does not die with the top one).
  return { cwd: repoRoot, args: ['--import', 'tsx', RELAY_MAIN, ...args] };
}

async function healthy(httpUrl: string): Promise<boolean> {
  if (httpUrl.startsWith('https:')) return healthyOverTls(httpUrl);
  try {
    const response = await fetch(`${httpUrl}/health`, { signal: AbortSignal.timeout(1_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** GET /health over TLS without verifying the (test) certificate: only liveness is checked here. */
function healthyOverTls(httpUrl: string): Promise<boolean> {
  return new Promise((resolveHealth) => {
    const req = httpsGet(`${httpUrl}/health`, { rejectUnauthorized: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolveHealth(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolveHealth(false));
  });
}

/**
 * Spawns the real relay (`relay/src/main.ts start`) as one process and waits until
 * `GET /health` answers 200.
 *
 * @example
 * await using relay = await startRelayProcess();
 * const socket = new WebSocket(relay.url);
 */
export async function startRelayProcess(options: StartRelayOptions = {}): Promise<RelayProcess> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? makeTempDir('relay');
  const httpHost = host.includes(':') ? `[${host}]` : host;
  const secure = options.tls !== undefined;
  const httpUrl = `${secure ? 'https' : 'http'}://${httpHost}:${port}`;
  const output = new OutputBuffer();
  const timeoutMs = options.healthTimeoutMs ?? 20_000;
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    const { cwd, args } = relayInvocation(
      [
        'start',
        '--host',
        host,
        '--port',
        String(port),
        '--data-dir',
        dataDir,
        ...(options.tls ? ['--tls-cert', options.tls.certFile, '--tls-key', options.tls.keyFile] : []),
        ...(options.args ?? []),
      ],
      options.installDir,
    );
    const proc = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    killOnExit(proc);
    proc.stdout?.on('data', (d: Buffer) => output.append(d));
    proc.stderr?.on('data', (d: Buffer) => output.append(d));
    let spawnError: Error | undefined;
    proc.on('error', (error) => {
      spawnError = error;
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (spawnError) throw new Error(`relay failed to spawn: ${spawnError.message}`);
      if (hasExited(proc)) {
        throw new Error(
          `relay exited during start-up (code ${proc.exitCode}, signal ${proc.signalCode}): node ${args.join(' ')}\n${output.toString()}`,
        );
      }
      if (await healthy(httpUrl)) return;
      if (Date.now() > deadline) {
        if (proc.pid !== undefined) killTree(proc.pid);
        await waitForExit(proc, 5_000);
        throw new Error(
          `relay did not answer GET ${httpUrl}/health with 200 within ${timeoutMs} ms:\n${output.toString()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    if (!proc?.pid || hasExited(proc)) return;
    killTree(proc.pid, 'SIGKILL');
    await waitForExit(proc, 5_000);
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc?.pid || hasExited(proc)) return;
    proc.kill('SIGTERM');
    if (!(await waitForExit(proc, 10_000))) await kill();
  };

  try {
    await start();
  } catch (error) {
    if (ownDataDir) removeDir(dataDir);
    throw error;
  }

  return {
    url: `${secure ? 'wss' : 'ws'}://${httpHost}:${port}`,
    httpUrl,
    port,
    dataDir,
    get pid() {
      return child?.pid;
    },
    get exitCode() {
      return child?.exitCode ?? null;
    },
    output: () => output.toString(),
    stop,
    kill,
    async restart() {
      await stop();
      await start();
    },
    async [Symbol.asyncDispose]() {
      await stop();
      if (ownDataDir) removeDir(dataDir);
    },
  };
}

export interface RelayCliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunRelayCliOptions {
  /** Appended as `--data-dir <dir>` after the given arguments. */
  dataDir?: string;
  /** Written to the process's stdin, which is then closed. */
  stdin?: string;
  env?: Record<string, string>;
  /** Default 30 s; the process is killed after it. */
  timeoutMs?: number;
  /** Run the production build installed in this directory (see StartRelayOptions.installDir). */
  installDir?: string;
}

/**
 * Runs one relay CLI command to completion (`node --import tsx relay/src/main.ts ...args --data-dir D`).
 *
 * @example const { stdout } = await runRelayCli(['pair'], { dataDir: relay.dataDir });
 */
export async function runRelayCli(args: string[], options: RunRelayCliOptions = {}): Promise<RelayCliResult> {
  const invocation = relayInvocation(
    [...args, ...(options.dataDir !== undefined ? ['--data-dir', options.dataDir] : [])],
    options.installDir,
  );
  const proc = spawn(process.execPath, invocation.args, {
    cwd: invocation.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  killOnExit(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  // EPIPE when the CLI exits without reading stdin is not a test failure.
  proc.stdin?.on('error', () => undefined);
  proc.stdin?.end(options.stdin ?? '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  return await new Promise<RelayCliResult>((resolveRun, reject) => {
    const timer = setTimeout(() => {
      if (proc.pid !== undefined) killTree(proc.pid);
      reject(
        new Error(
          `relay CLI timed out after ${timeoutMs} ms: ${args.join(' ')}\nstdout:\n${stdout}\nstderr:\n${stderr}`,
        ),
      );
    }, timeoutMs);
    proc.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    proc.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** Crockford base32 `XXXX-XXXX`, as `relay pair` prints it. */
export const PAIRING_CODE_PATTERN = /\b([0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4})\b/;

/** The pairing code in a CLI output; throws (quoting the output) when there is none. */
export function pairingCodeFrom(stdout: string): string {
  const code = PAIRING_CODE_PATTERN.exec(stdout)?.[1];
  if (!code) throw new Error(`no pairing code (XXXX-XXXX) in relay output:\n${stdout}`);
  return code;
}

/**
 * The account id in `accounts add` output: "Added account <id> (…)". Not the last line's last
 * token: the CLI prints a hint line after it.
 */
export const ACCOUNT_ID_PATTERN = /^Added account ([A-Za-z0-9_-]+)\b/m;

export interface AddAccountOptions {
  /** Default `Test <username>`. */
  name?: string;
  /** Default `tls` (imapsPort); `starttls` and `plain` (adds --allow-plaintext) use starttlsPort. */
  security?: 'tls' | 'starttls' | 'plain';
  /**
   * PEM written to a temporary `--ca-file`: default the test CA (`dovecot.caPem`); pass
   * `dovecot.certPem` to trust a self-signed instance's own certificate, or `false` for no `--ca-file`.
   */
  caPem?: string | false;
  /** Pass `--fingerprint <fp>` (e.g. `dovecot.fingerprint256` for a self-signed instance). */
  fingerprint?: string;
  /** Pass `--no-test` (skip the relay's connection test). */
  noTest?: boolean;
  /** Override the password sent on stdin (e.g. a wrong one). */
  password?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
}

/**
 * Adds an IMAP account for `user` on `dovecot` through the relay CLI and returns its id.
 * The password goes through `--password-stdin`; the CA through a temporary `--ca-file`.
 * Throws with the CLI output on a non-zero exit.
 */
export async function addAccountViaCli(
  relayDataDir: string,
  dovecot: Dovecot,
  user: ImapUser,
  options: AddAccountOptions = {},
): Promise<string> {
  const security = options.security ?? 'tls';
  const args = [
    'accounts',
    'add',
    '--name',
    options.name ?? `Test ${user.username}`,
    '--host',
    dovecot.host,
    '--port',
    String(security === 'tls' ? dovecot.imapsPort : dovecot.starttlsPort),
    '--security',
    security,
    '--username',
    user.username,
    '--password-stdin',
  ];
  let caDir: string | undefined;
  const caPem = options.caPem ?? dovecot.caPem;
  if (caPem !== false) {
    caDir = makeTempDir('ca-file');
    const caFile = join(caDir, 'ca.pem');
    writeFileSync(caFile, caPem);
    args.push('--ca-file', caFile);
  }
  // The CLI refuses plaintext IMAP without this explicit opt-in.
  if (security === 'plain') args.push('--allow-plaintext');
  if (options.fingerprint !== undefined) args.push('--fingerprint', options.fingerprint);
  if (options.noTest) args.push('--no-test');
  args.push(...(options.extraArgs ?? []));
  try {
    const run = await runRelayCli(args, {
      dataDir: relayDataDir,
      stdin: `${options.password ?? user.password}\n`,
      ...(options.env ? { env: options.env } : {}),
    });
    if (run.code !== 0) {
      throw new Error(`relay accounts add exited with ${run.code}:\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    }
    const id = ACCOUNT_ID_PATTERN.exec(run.stdout)?.[1];
    if (!id) throw new Error(`no account id in relay accounts add output:\n${run.stdout}`);
    return id;
  } finally {
    if (caDir) removeDir(caDir);
  }
}
