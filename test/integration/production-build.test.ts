// Issue 11, the production build: the relay compiled to plain JavaScript runs from a fresh copy with
// production dependencies only (no tsx, no TypeScript), exactly as docs/deploy.md installs it:
// build, copy dist/ + package.json + package-lock.json, `npm ci --omit=dev --ignore-scripts`,
// start, /health, pair, add an account against real Dovecot, counts arrive.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../harness/dovecot.js';
import { appendMessage } from '../harness/mail.js';
import { makeTempDir, removeDir, repoRoot } from '../harness/paths.js';
import { pairDevice, TestClient } from '../harness/protocol-client.js';
import { pairingCodeFrom, runRelayCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { serverSettings, trustTestCaEnv } from '../harness/setup-fixtures.js';

const run = promisify(execFile);
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };

let installDir: string;
let dovecot: Dovecot;
let relay: RelayProcess;

beforeAll(async () => {
  installDir = makeTempDir('production');
  // The same script as `npm run build`, into the install directory instead of the checkout's dist/.
  await run(process.execPath, [join(repoRoot, 'scripts', 'build-relay.mjs'), '--out-dir', join(installDir, 'dist')], {
    cwd: repoRoot,
  });
  for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(repoRoot, file), join(installDir, file));
  // --ignore-scripts: production needs none (better-sqlite3 ships its N-API prebuild in the npm
  // tarball) and the root postinstall runs wxt, a dev dependency. --prefer-offline: the npm cache
  // the checkout's own install filled is enough; the registry is asked only for what is missing.
  await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: installDir,
    maxBuffer: 16 * 1024 * 1024,
  });
  dovecot = await startDovecot();
  relay = await startRelayProcess({ installDir, env: trustTestCaEnv(dovecot) });
}, 180_000);

afterAll(async () => {
  await relay?.stop();
  await dovecot?.stop();
  if (installDir) removeDir(installDir);
});

describe('production build (node dist/relay/src/main.js)', () => {
  it('installs without dev dependencies and without the TypeScript sources', () => {
    expect(existsSync(join(installDir, 'node_modules', 'better-sqlite3'))).toBe(true);
    for (const devOnly of ['tsx', 'typescript', 'vitest', 'wxt']) {
      expect(existsSync(join(installDir, 'node_modules', devOnly)), devOnly).toBe(false);
    }
    expect(existsSync(join(installDir, 'relay'))).toBe(false);
    expect(existsSync(join(installDir, 'dist', 'relay', 'src', 'main.js'))).toBe(true);
    expect(existsSync(join(installDir, 'dist', 'shared', 'index.js'))).toBe(true);
  });

  it('reports the package.json version on /health and --version', async () => {
    const health = await fetch(`${relay.httpUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, version });
    const cli = await runRelayCli(['--version'], { installDir });
    expect(cli.stdout.trim()).toBe(version);
    // The package's `bin` entry, installed the way docs/deploy.md says (into a private prefix here).
    const prefix = join(installDir, 'global');
    await run('npm', ['install', '-g', '--prefix', prefix, '--ignore-scripts', '--no-audit', '--no-fund', installDir]);
    const bin = await run(join(prefix, 'bin', 'tidings-relay'), ['--version']);
    expect(bin.stdout.trim()).toBe(version);
  });

  it('pairs a browser and adds an account whose counts arrive', async () => {
    const pair = await runRelayCli(['pair'], { installDir, dataDir: relay.dataDir });
    expect(pair.code, pair.stderr).toBe(0);
    const paired = await pairDevice(relay.httpUrl, pairingCodeFrom(pair.stdout));
    expect(paired.status).toBe(200);
    const { token } = paired.body as { token: string };

    const user = await dovecot.addUser();
    await appendMessage(dovecot, user, { subject: 'one' });
    await appendMessage(dovecot, user, { subject: 'two' });
    const { client } = await TestClient.connect(relay.url, token);
    using _client = client;
    const { account, diagnosis } = await client.request('accounts.add', {
      settings: serverSettings(dovecot, user),
      password: user.password,
      name: 'Production',
      color: null,
      watchedMailboxes: ['INBOX'],
    });
    expect(diagnosis.ok).toBe(true);
    await client.waitFor(
      () => client.latestUnread(account.id) === 2 && client.latestState(account.id) === 'online',
      15_000,
      'the account online with 2 unread',
    );
  });
});
