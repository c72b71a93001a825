// `npm run check:image` (node --import tsx test/image/check-image.ts): builds the relay's container image (Dockerfile) and smoke-tests it:
// the container starts as a non-root user with its default command (0.0.0.0, self-signed TLS),
// its HEALTHCHECK passes, GET /health answers with the package.json version, `tidings-relay pair`
// inside the container prints a code that pairs a browser, and the device token says hello over
// wss. Needs podman or docker; not part of `npm test`.
//
//   npm run check:image                     base image node:24-bookworm-slim from Docker Hub
//   npm run check:image -- --offline-base   no registry pull: a Debian base made with debootstrap,
//                                           plus this machine's node (must be 24), npm and the
//                                           extra CA file its node trusts (NODE_EXTRA_CA_CERTS)
//
// Options: --runtime podman|docker (default: podman if installed, else docker), --keep (leave the
// container and volume for inspection). TIDINGS_NODE_IMAGE overrides the base image.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '../harness/ports.js';
import { pairDevice, TestClient } from '../harness/protocol-client.js';
import { pairingCodeFrom } from '../harness/relay.js';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const { values } = parseArgs({
  options: {
    runtime: { type: 'string' },
    'offline-base': { type: 'boolean' },
    keep: { type: 'boolean' },
  },
});
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const IMAGE = 'localhost/tidings-relay:check';

function has(command: string): boolean {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

const found = values.runtime ?? (has('podman') ? 'podman' : has('docker') ? 'docker' : undefined);
if (!found || !has(found)) {
  console.error('check:image needs podman or docker (e.g. `sudo apt-get install -y podman`).');
  process.exit(1);
}
const runtime: string = found;

/** Runs a command, streaming its output (or capturing it); throws on a non-zero exit. */
function run(command: string, args: string[], options: { capture?: boolean } = {}): string {
  console.log(`$ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (result.status !== 0) {
    const detail = options.capture ? `\n${result.stdout ?? ''}${result.stderr ?? ''}` : '';
    throw new Error(`${command} ${args[0]} failed (exit ${result.status ?? result.signal})${detail}`);
  }
  return result.stdout ?? '';
}

function imageExists(name: string): boolean {
  return spawnSync(runtime, ['image', 'inspect', name], { stdio: 'ignore' }).status === 0;
}

/**
 * A base image with Node 24 and npm on Debian bookworm, built without any registry: debootstrap's
 * minbase imported as an image, then this machine's node binary and npm copied in. Cached by the
 * node version.
 */
function offlineBase(): string {
  if (!process.version.startsWith('v24.')) {
    throw new Error(`--offline-base copies this node into the image; run it with Node 24 (this is ${process.version})`);
  }
  const debian = 'localhost/tidings-debian:bookworm';
  const base = `localhost/tidings-node:${process.version.slice(1)}`;
  if (imageExists(base)) return base;
  const work = mkdtempSync(join(tmpdir(), 'tidings-base-'));
  try {
    if (!imageExists(debian)) {
      if (!has('debootstrap')) throw new Error('--offline-base needs debootstrap (apt-get install -y debootstrap)');
      const rootfs = join(work, 'rootfs');
      run('debootstrap', ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian']);
      run('sh', ['-c', `tar -C '${rootfs}' -c . | ${runtime} import - ${debian}`]);
    }
    const context = join(work, 'context');
    const npmCli = realpathSync(spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim());
    // .../lib/node_modules/npm/bin/npm-cli.js → .../lib/node_modules/npm
    const npmDir = dirname(dirname(npmCli));
    cpSync(npmDir, join(context, 'npm'), { recursive: true });
    cpSync(process.execPath, join(context, 'node'));
    // Where this machine's node trusts extra CAs (a TLS-intercepting proxy in front of the
    // registry), the image's node must too, or `npm ci` in the build fails with SELF_SIGNED_CERT_IN_CHAIN.
    const extraCa = process.env['NODE_EXTRA_CA_CERTS'];
    const withExtraCa = extraCa !== undefined && existsSync(extraCa);
    if (withExtraCa) cpSync(extraCa, join(context, 'extra-ca.pem'));
    writeFileSync(
      join(context, 'Containerfile'),
      [
        `FROM ${debian}`,
        'COPY node /usr/local/bin/node',
        'COPY npm /usr/local/lib/node_modules/npm',
        ...(withExtraCa
          ? ['COPY extra-ca.pem /usr/local/share/extra-ca.pem', 'ENV NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca.pem']
          : []),
        'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm' +
          ' && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx && node --version && npm --version',
        '',
      ].join('\n'),
    );
    run(runtime, ['build', '-t', base, '-f', join(context, 'Containerfile'), context]);
    return base;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function health(url: string): Promise<{ ok?: unknown; version?: unknown } | undefined> {
  try {
    // The image's default is a generated self-signed certificate: liveness, not identity, here.
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return res.status === 200 ? ((await res.json()) as { ok?: unknown; version?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}

async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(`check failed: ${message}`);
  console.log(`ok: ${message}`);
}

const name = `tidings-check-${randomBytes(3).toString('hex')}`;
const volume = `${name}-data`;
let failed = false;
try {
  const nodeImage = process.env['TIDINGS_NODE_IMAGE'] ?? (values['offline-base'] ? offlineBase() : undefined);
  const started = Date.now();
  run(runtime, [
    'build',
    // podman: the docker image format, since OCI images have no HEALTHCHECK; the host's network,
    // since some sandboxes let the build reach the npm registry only that way.
    ...(runtime === 'podman' ? ['--format=docker', '--network=host'] : []),
    ...(nodeImage ? ['--build-arg', `NODE_IMAGE=${nodeImage}`] : []),
    '-t',
    IMAGE,
    root,
  ]);
  if (!imageExists(IMAGE)) throw new Error(`${runtime} build did not produce ${IMAGE}`);
  console.log(`image built in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const port = await freePort();
  run(runtime, [
    'run',
    '--pull=never',
    '-d',
    '--name',
    name,
    '-p',
    `127.0.0.1:${port}:8787`,
    '-v',
    `${volume}:/data`,
    '--read-only',
    '--cap-drop=ALL',
    '--security-opt=no-new-privileges',
    '--health-interval=2s',
    IMAGE,
  ]);
  const base = `https://127.0.0.1:${port}`;
  // Node's fetch has no per-request "insecure" switch; this process only talks to the container.
  process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
  const body = await waitFor('GET /health', 60_000, () => health(`${base}/health`));
  expect(body.ok === true && body.version === version, `GET /health → 200 with version ${version}`);

  const uid = run(runtime, ['exec', name, 'id', '-u'], { capture: true }).trim();
  expect(uid !== '0', `runs as a non-root user (uid ${uid})`);
  const logs = run(runtime, ['logs', name], { capture: true });
  expect(/[0-9A-F]{2}(:[0-9A-F]{2}){31}/.test(logs), 'prints the self-signed certificate fingerprint');

  const healthcheck =
    runtime === 'podman'
      ? spawnSync('podman', ['healthcheck', 'run', name], { encoding: 'utf8' }).status === 0
      : await waitFor('the container to be healthy', 30_000, () =>
          run('docker', ['inspect', '--format', '{{.State.Health.Status}}', name], { capture: true }).trim() ===
          'healthy'
            ? true
            : undefined,
        );
  expect(healthcheck, 'the HEALTHCHECK passes');

  const pair = run(runtime, ['exec', name, 'tidings-relay', 'pair'], { capture: true });
  const code = pairingCodeFrom(pair);
  const paired = await pairDevice(base, code);
  const token = (paired.body as { token?: unknown } | null)?.token;
  expect(paired.status === 200 && typeof token === 'string', `tidings-relay pair → code ${code} → a device token`);
  // TestClient accepts the self-signed certificate (rejectUnauthorized: false).
  const { client, hello } = await TestClient.connect(`wss://127.0.0.1:${port}`, token as string);
  client.close();
  expect(Array.isArray(hello.accounts), 'hello over wss with the token succeeds');

  const files = run(runtime, ['exec', name, 'ls', '/data'], { capture: true });
  expect(/tidings\.db/.test(files) && /secret\.key/.test(files), 'store and key file live in the /data volume');
  console.log('check:image passed');
} catch (error) {
  failed = true;
  console.error(String(error instanceof Error ? error.message : error));
  spawnSync(runtime, ['logs', name], { stdio: 'inherit' });
} finally {
  if (!values.keep) {
    spawnSync(runtime, ['rm', '-f', name], { stdio: 'ignore' });
    spawnSync(runtime, ['volume', 'rm', '-f', volume], { stdio: 'ignore' });
  }
}
process.exit(failed ? 1 : 0);
