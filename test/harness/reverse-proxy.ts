import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { CADDY_BIN, NGINX_BIN } from './binaries.js';
import type { CertificatePair } from './certs.js';
import { makeTempDir, removeDir, repoRoot } from './paths.js';
import { freePorts } from './ports.js';
import { hasExited, killOnExit, killTree, OutputBuffer, waitForExit } from './processes.js';

export type ProxyKind = 'caddy' | 'nginx';

export interface ReverseProxy extends AsyncDisposable {
  readonly kind: ProxyKind;
  /** `https://127.0.0.1:<port>` */
  readonly httpsUrl: string;
  /** `wss://127.0.0.1:<port>` */
  readonly wssUrl: string;
  readonly port: number;
  /** The configuration file the proxy runs (the docs example with test values substituted). */
  readonly config: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Replaces each `[from, to]` in `text`, failing when `from` is absent: the tested config must be
 * the documented one, so a doc edit that breaks a substitution breaks the test, not silently
 * tests something else.
 */
function substitute(text: string, pairs: [string, string][], file: string): string {
  let out = text;
  for (const [from, to] of pairs) {
    if (!out.includes(from)) throw new Error(`${file} no longer contains "${from}"; update the reverse-proxy harness`);
    out = out.split(from).join(to);
  }
  return out;
}

function caddyConfig(o: { dir: string; port: number; relayPort: number; cert: CertificatePair }): string {
  const file = join(repoRoot, 'docs', 'deploy', 'Caddyfile');
  const site = substitute(
    readFileSync(file, 'utf8'),
    [
      [
        '{$TIDINGS_DOMAIN} {',
        `https://127.0.0.1:${o.port} {\n\tbind 127.0.0.1\n\ttls ${o.cert.certFile} ${o.cert.keyFile}`,
      ],
      ['reverse_proxy 127.0.0.1:8787', `reverse_proxy 127.0.0.1:${o.relayPort}`],
    ],
    file,
  );
  // Test-only global options: no ACME, no admin API, state in the temporary directory.
  const global = `{\n\tadmin off\n\tauto_https off\n\tdefault_sni localhost\n\tstorage file_system ${join(o.dir, 'storage')}\n}\n\n`;
  return global + site;
}

function nginxConfig(o: {
  dir: string;
  port: number;
  httpPort: number;
  relayPort: number;
  cert: CertificatePair;
}): string {
  const file = join(repoRoot, 'docs', 'deploy', 'nginx.conf');
  const site = substitute(
    readFileSync(file, 'utf8'),
    [
      ['listen 80;', `listen 127.0.0.1:${o.httpPort};`],
      ['listen [::]:80;', ''],
      ['listen 443 ssl;', `listen 127.0.0.1:${o.port} ssl;`],
      ['listen [::]:443 ssl;', ''],
      ['server_name relay.example.com;', 'server_name localhost 127.0.0.1;'],
      ['/etc/letsencrypt/live/relay.example.com/fullchain.pem', o.cert.certFile],
      ['/etc/letsencrypt/live/relay.example.com/privkey.pem', o.cert.keyFile],
      ['proxy_pass http://127.0.0.1:8787;', `proxy_pass http://127.0.0.1:${o.relayPort};`],
    ],
    file,
  );
  writeFileSync(join(o.dir, 'site.conf'), site);
  const temp = (name: string) => {
    const path = join(o.dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  // Test-only main context: one foreground process (no user switch, no daemon), files in `dir`.
  return [
    'daemon off;',
    'master_process off;',
    `pid ${join(o.dir, 'nginx.pid')};`,
    `error_log ${join(o.dir, 'error.log')} info;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${join(o.dir, 'access.log')};`,
    `  client_body_temp_path ${temp('body')};`,
    `  proxy_temp_path ${temp('proxy')};`,
    `  fastcgi_temp_path ${temp('fastcgi')};`,
    `  uwsgi_temp_path ${temp('uwsgi')};`,
    `  scgi_temp_path ${temp('scgi')};`,
    `  include ${join(o.dir, 'site.conf')};`,
    '}',
    '',
  ].join('\n');
}

function tlsReady(port: number): Promise<boolean> {
  return new Promise((resolveReady) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false }, () => {
      socket.end();
      resolveReady(true);
    });
    socket.setTimeout(1_000, () => socket.destroy());
    socket.on('error', () => resolveReady(false));
    socket.on('close', () => resolveReady(false));
  });
}

/**
 * Runs Caddy or nginx in front of a relay on 127.0.0.1:`relayPort`, with the configuration from
 * docs/deploy (what docs/deploy.md and compose.yaml use) (TLS with `cert`, WebSocket upgrade, X-Forwarded-For). Resolves once it accepts
 * TLS connections.
 *
 * @example
 * await using proxy = await startReverseProxy({ kind: 'nginx', relayPort: relay.port, cert: certs.server });
 */
export async function startReverseProxy(options: {
  kind: ProxyKind;
  relayPort: number;
  cert: CertificatePair;
}): Promise<ReverseProxy> {
  const dir = makeTempDir(`proxy-${options.kind}`);
  const [port, httpPort] = (await freePorts(2)) as [number, number];
  const settings = { dir, port, httpPort, relayPort: options.relayPort, cert: options.cert };
  const config = options.kind === 'caddy' ? caddyConfig(settings) : nginxConfig(settings);
  const configFile = join(dir, options.kind === 'caddy' ? 'Caddyfile' : 'nginx.conf');
  writeFileSync(configFile, config);
  const [bin, args] =
    options.kind === 'caddy'
      ? [CADDY_BIN, ['run', '--config', configFile, '--adapter', 'caddyfile']]
      : [NGINX_BIN, ['-p', dir, '-e', join(dir, 'error.log'), '-c', configFile]];
  const output = new OutputBuffer();
  const child = spawn(bin, args, {
    cwd: dir,
    env: { ...process.env, HOME: dir, XDG_DATA_HOME: join(dir, 'data'), XDG_CONFIG_HOME: join(dir, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  child.stdout.on('data', (d: Buffer) => output.append(d));
  child.stderr.on('data', (d: Buffer) => output.append(d));
  const logs = () => {
    let text = output.toString();
    if (options.kind === 'nginx') {
      try {
        text += readFileSync(join(dir, 'error.log'), 'utf8');
      } catch {
        // not written yet
      }
    }
    return text;
  };
  const stop = async () => {
    if (child.pid !== undefined && !hasExited(child)) {
      child.kill('SIGTERM');
      if (!(await waitForExit(child, 5_000))) killTree(child.pid);
    }
  };

  const deadline = Date.now() + 15_000;
  while (!(await tlsReady(port))) {
    if (hasExited(child) || Date.now() > deadline) {
      await stop();
      const text = logs();
      removeDir(dir);
      throw new Error(`${options.kind} did not start (exit ${child.exitCode}):\n${text}\nconfig:\n${config}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    kind: options.kind,
    httpsUrl: `https://127.0.0.1:${port}`,
    wssUrl: `wss://127.0.0.1:${port}`,
    port,
    config,
    output: logs,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
      removeDir(dir);
    },
  };
}
