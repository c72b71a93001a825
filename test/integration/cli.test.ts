/**
 * The relay CLI as a user runs it: real processes (`node --import tsx relay/src/main.ts …`), a
 * fresh data directory per test, no IMAP server (accounts are added with --no-test).
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../relay/src/store/sqlite-store.js';
import { makeTempDir, removeDir, repoRoot } from '../harness/paths.js';
import { hasExited, killOnExit, killTree, OutputBuffer, waitForExit } from '../harness/processes.js';
import { ACCOUNT_ID_PATTERN, runRelayCli, startRelayProcess } from '../harness/relay.js';

const CODE_LINE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
// Keep the caller's TIDINGS_* settings out of the processes under test.
const cleanEnv: Record<string, string> = { TIDINGS_SECRET_KEY: '', TIDINGS_HOST: '', TIDINGS_TLS_SELF_SIGNED: '' };

let dataDir: string;
beforeEach(() => {
  dataDir = join(makeTempDir('cli'), 'data');
});
afterEach(() => removeDir(join(dataDir, '..')));

const cli = (args: string[], stdin?: string) =>
  runRelayCli(args, { dataDir, env: cleanEnv, ...(stdin !== undefined ? { stdin } : {}) });

describe('relay CLI', () => {
  it('refuses to start on a non-loopback address without TLS', async () => {
    const run = await cli(['start', '--host', '0.0.0.0']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Refusing to listen on 0\.0\.0\.0 without TLS/);
    expect(run.stderr).toContain('--tls-self-signed');
    expect(run.stderr.trim().split('\n')).toHaveLength(1); // one line, no stack trace
  });

  it('treats --tls-cert without --tls-key as a usage error', async () => {
    const run = await cli(['start', '--tls-cert', 'cert.pem']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--tls-key/);
  });

  it('pair prints a Crockford code on its own line', async () => {
    const run = await cli(['pair']);
    expect(run.code).toBe(0);
    const codes = run.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => CODE_LINE.test(l));
    expect(codes).toHaveLength(1);
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it('adds, lists and removes an account without the password ever reaching disk or output', async () => {
    const canary = 'Canary-pässword-7f3a9c1e';
    const forms = [
      canary,
      Buffer.from(canary).toString('base64'),
      Buffer.from(canary).toString('base64url'),
      Buffer.from(canary).toString('hex'),
    ];

    const add = await cli(
      [
        'accounts',
        'add',
        '--name',
        'Work',
        '--host',
        'imap.example.com',
        '--username',
        'me@example.com',
        '--password-stdin',
        '--no-test',
        '--mailbox',
        'INBOX',
        '--mailbox',
        'Lists',
      ],
      `${canary}\n`,
    );
    expect(add.code, add.stderr).toBe(0);
    const id = ACCOUNT_ID_PATTERN.exec(add.stdout)?.[1];
    expect(id).toBeDefined();

    const list = await cli(['accounts', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(id);
    expect(list.stdout).toContain('imap.example.com:993');
    expect(list.stdout).toContain('INBOX, Lists');

    const outputs = [add.stdout, add.stderr, list.stdout, list.stderr].join('\n');
    const files = ['tidings.db', 'tidings.db-wal']
      .map((f) => join(dataDir, f))
      .filter((f) => existsSync(f))
      .map((f) => readFileSync(f).toString('latin1') + readFileSync(f).toString('utf8'));
    expect(files.length).toBeGreaterThan(0);
    for (const needle of forms) {
      expect(outputs).not.toContain(needle);
      for (const bytes of files) expect(bytes).not.toContain(needle);
    }
    expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);

    // The stored ciphertext decrypts back with the key file (the relay will be able to use it).
    const store = openSqliteStore({ path: join(dataDir, 'tidings.db') });
    const { accountSecretContext, createSecretBox } = await import('../../relay/src/crypto/secret-box.js');
    const key = Buffer.from(readFileSync(join(dataDir, 'secret.key'), 'utf8').trim(), 'base64');
    const stored = store.getAccount(id ?? '');
    if (!stored) throw new Error('account not stored');
    expect(createSecretBox(key).decrypt(stored.secretEnc, accountSecretContext(stored))).toBe(canary);
    store.close();

    const remove = await cli(['accounts', 'remove', id ?? '']);
    expect(remove.code).toBe(0);
    expect((await cli(['accounts', 'list'])).stdout).not.toContain(id);
    expect((await cli(['accounts', 'remove', id ?? ''])).code).toBe(1);
  });

  it('refuses plaintext IMAP without --allow-plaintext, and a missing password without a TTY', async () => {
    const plain = await cli(
      ['accounts', 'add', '--host', 'h', '--username', 'u', '--security', 'plain', '--password-stdin', '--no-test'],
      'pw\n',
    );
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/--allow-plaintext/);

    const noPassword = await cli(['accounts', 'add', '--host', 'h', '--username', 'u', '--no-test']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/--password-stdin/);
  });

  it('refuses a secret key that does not match the store', async () => {
    expect(
      (await cli(['accounts', 'add', '--host', 'h', '--username', 'u', '--password-stdin', '--no-test'], 'pw\n')).code,
    ).toBe(0);
    const other = await runRelayCli(
      ['accounts', 'add', '--host', 'h2', '--username', 'u', '--password-stdin', '--no-test'],
      {
        dataDir,
        stdin: 'pw\n',
        env: { ...cleanEnv, TIDINGS_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') },
      },
    );
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/not the key this store's passwords were encrypted with/);
  });

  it('lists and revokes devices created through the store', async () => {
    mkdirSync(dataDir, { mode: 0o700 });
    const store = openSqliteStore({ path: join(dataDir, 'tidings.db') });
    const user = store.ensureDefaultUser();
    const device = store.createDevice({
      userId: user.id,
      label: 'Chrome on laptop',
      origin: 'chrome-extension://abc',
      tokenHash: 'f'.repeat(64),
    });
    store.close();

    const list = await cli(['devices', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(device.id);
    expect(list.stdout).toContain('Chrome on laptop');
    expect(list.stdout).toContain('chrome-extension://abc');

    const revoke = await cli(['devices', 'revoke', device.id]);
    expect(revoke.code).toBe(0);
    const check = openSqliteStore({ path: join(dataDir, 'tidings.db') });
    expect(check.getDevice(device.id)?.revokedAt).not.toBeNull();
    expect(check.findDeviceByTokenHash('f'.repeat(64))).toBeNull();
    check.close();

    expect((await cli(['devices', 'revoke', 'nope'])).code).toBe(1);
  });

  it.each([
    [[], /Commands:/],
    [['start'], /--tls-self-signed/],
    [['pair'], /pairing code/i],
    [['accounts'], /Commands:/],
    [['accounts', 'add'], /--password-stdin/],
    [['accounts', 'list'], /accounts list/],
    [['accounts', 'remove'], /accounts remove <id>/],
    [['accounts', 'test'], /accounts test <id>/],
    [['devices'], /revoke/],
    [['devices', 'list'], /devices list/],
    [['devices', 'revoke'], /devices revoke <id>/],
    [['backup'], /secret key is NOT in the backup/],
    [['secrets'], /secrets rotate/],
  ])('%j --help prints usage and exits 0', async (args, pattern) => {
    const run = await runRelayCli([...args, '--help'], { env: cleanEnv });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(pattern);
  });

  it('exits 2 on an unknown command, subcommand or option', async () => {
    for (const args of [['frobnicate'], ['accounts', 'frob'], ['pair', '--bogus'], []]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
    }
  });

  it('start prints the URL and a pairing code on a fresh store, and stops cleanly on SIGTERM', async () => {
    const relay = await startRelayProcess({ dataDir, env: cleanEnv });
    try {
      await expect.poll(() => relay.output(), { timeout: 5_000 }).toMatch(/Pairing code: [0-9A-Z]{4}-[0-9A-Z]{4}/);
      expect(relay.output()).toContain(`Tidings relay listening on ws://127.0.0.1:${relay.port}`);
      expect(statSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
    } finally {
      await relay.stop();
    }
    expect(relay.output()).toMatch(/relay stopped|Shutting down/);
  });

  it('start --tls-self-signed prints the certificate fingerprints', async () => {
    const output = new OutputBuffer();
    const proc = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join('relay', 'src', 'main.ts'),
        'start',
        '--port',
        '0',
        '--tls-self-signed',
        '--data-dir',
        dataDir,
      ],
      { cwd: repoRoot, env: { ...process.env, ...cleanEnv }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    killOnExit(proc);
    proc.stdout.on('data', (d: Buffer) => output.append(d));
    proc.stderr.on('data', (d: Buffer) => output.append(d));
    try {
      await expect
        .poll(() => hasExited(proc) || /listening on wss:\/\//.test(output.toString()), { timeout: 20_000 })
        .toBe(true);
      const text = output.toString();
      expect(text, text).toMatch(/listening on wss:\/\//);
      const cert = new X509Certificate(readFileSync(join(dataDir, 'tls', 'cert.pem')));
      expect(text).toContain(`SHA-256 fingerprint: ${cert.fingerprint256}`);
      expect(text).toMatch(/SPKI SHA-256: [A-Za-z0-9+/]{43}=/);
      expect(statSync(join(dataDir, 'tls', 'key.pem')).mode & 0o777).toBe(0o600);
      proc.kill('SIGTERM');
      expect(await waitForExit(proc, 10_000)).toBe(true);
      expect(proc.exitCode).toBe(0);
    } finally {
      if (proc.pid !== undefined && !hasExited(proc)) killTree(proc.pid);
    }
  });
});
