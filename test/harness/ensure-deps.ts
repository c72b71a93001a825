/**
 * `npm test` step 1: makes sure the system programs the integration and e2e suites drive are
 * installed (ARCHITECTURE.md "Main job"). Installs them with apt when running as root on a
 * Debian-like system; otherwise exits 1 with the one command to run.
 *
 * Run as `node --import tsx test/harness/ensure-deps.ts`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APT_PACKAGES, CADDY_BIN, CHROMIUM_BIN, DOVECOT_BIN, NGINX_BIN } from './binaries.js';

const INSTALL_COMMAND = `sudo apt-get install -y ${Object.values(APT_PACKAGES).join(' ')}`;

function missingPackages(): string[] {
  const missing: string[] = [];
  if (!existsSync(DOVECOT_BIN)) missing.push(APT_PACKAGES.dovecot);
  if (!existsSync(CHROMIUM_BIN)) missing.push(APT_PACKAGES.chromium);
  if (!existsSync(CADDY_BIN)) missing.push(APT_PACKAGES.caddy);
  if (!existsSync(NGINX_BIN)) missing.push(APT_PACKAGES.nginx);
  return missing;
}

function hasAptGet(): boolean {
  return spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
}

function run(command: string, args: string[]): void {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`);
  }
}

function firstLine(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 20_000 });
  return (result.stdout || result.stderr || '').split('\n')[0]?.trim() || 'unknown version';
}

/** Returns the exit code: 0 when everything is present (after installing, if it could). */
export function ensureDeps(): number {
  // The suites spawn the relay with this node; better-sqlite3 13 crashes on Node 20 (end of life).
  if (Number(process.versions.node.split('.')[0]) < 22) {
    console.error(`npm test needs Node.js 22 or 24; this is ${process.version} (${process.execPath}).`);
    return 1;
  }
  let missing = missingPackages();
  if (missing.length > 0) {
    const isRoot = process.getuid?.() === 0;
    if (!isRoot || !hasAptGet()) {
      console.error(
        `Missing test dependencies: ${missing.join(', ')} (${DOVECOT_BIN}, ${CHROMIUM_BIN}, ${CADDY_BIN}, ${NGINX_BIN}).`,
      );
      console.error(`Install them with:\n\n  ${INSTALL_COMMAND}\n`);
      return 1;
    }
    try {
      // A fresh image has no package lists: update first (TEST-INFRA.md).
      run('apt-get', ['update']);
      run('apt-get', ['install', '-y', ...missing]);
    } catch (error) {
      console.error(String(error instanceof Error ? error.message : error));
      console.error(`Install them with:\n\n  ${INSTALL_COMMAND}\n`);
      return 1;
    }
    missing = missingPackages();
    if (missing.length > 0) {
      console.error(`Still missing after apt-get install: ${missing.join(', ')}`);
      return 1;
    }
  }
  console.log(
    `test deps: dovecot ${firstLine(DOVECOT_BIN, ['--version'])} (${DOVECOT_BIN}), ` +
      `${firstLine(CHROMIUM_BIN, ['--version'])} (${CHROMIUM_BIN}), ` +
      `caddy ${firstLine(CADDY_BIN, ['version'])}, ${firstLine(NGINX_BIN, ['-v'])}`,
  );
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = ensureDeps();
}
