/**
 * `relay start`: opens the store and key, prepares TLS, starts the relay, and tells a first-time
 * user the two things they need: a pairing code and the extension folder to load.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { parseStartConfig } from '../config.js';
import { issuePairingCode } from '../auth/pairing.js';
import { createLogger } from '../log.js';
import { startRelay, type RunningRelay } from '../server.js';
import { createDiscoveryOptions } from '../setup/discover.js';
import { ensureSelfSignedCert, loadTlsFiles, type TlsMaterial } from '../tls.js';
import {
  assertStoreWritable,
  CliFailure,
  type CliIo,
  dataPaths,
  openSecretBox,
  openStore,
  readRelayVersion,
  repoRoot,
  wantsHelp,
} from './common.js';

export const startHelp = `Usage: npm run relay -- start [options]

Starts the relay: IMAP watchers for every account, and the WebSocket the extension connects to.

Options:
  --host <addr>          address to listen on (env TIDINGS_HOST, default 127.0.0.1)
  --port <n>             port, 0 for any free one (env TIDINGS_PORT, default 8787)
  --data-dir <dir>       store, secret key and certificates (env TIDINGS_DATA_DIR, default ./data)
  --tls-cert <file>      PEM certificate chain for wss:// (env TIDINGS_TLS_CERT)
  --tls-key <file>       PEM private key for it (env TIDINGS_TLS_KEY)
  --tls-self-signed      generate and reuse a self-signed certificate (env TIDINGS_TLS_SELF_SIGNED=1)
  --log-level <level>    debug, info, warn or error (env TIDINGS_LOG_LEVEL, default info)
  --trust-proxy <ips>    comma-separated addresses of your reverse proxy (env TIDINGS_TRUST_PROXY);
                         only requests from them have X-Forwarded-For read as the client address
                         (rate limits, pairing lockouts, logs). Default: none, the TCP peer counts.
  --allow-private-networks <yes|no|auto>
                         may the relay connect to loopback and private-network addresses for a
                         user (account servers, autoconfig, diagnosis)? auto: yes when listening
                         on loopback only (env TIDINGS_ALLOW_PRIVATE_NETWORKS, default auto).
                         Link-local and cloud metadata addresses are always refused.
  -h, --help             show this help

Any address other than loopback (127.0.0.1, ::1, localhost) requires TLS.
SIGHUP re-reads the TLS certificate and key files (after a renewal) without dropping connections.
SIGTERM (or Ctrl-C) closes sockets (1001), logs out of IMAP and closes the store within 5 s.
The password key comes from TIDINGS_SECRET_KEY, or <data-dir>/secret.key (created on first start).

Advanced and test options (environment only), for account discovery from the options page:
  TIDINGS_AUTOCONFIG_BASE_URL=<url>   fetch Mozilla autoconfig files from <url>/<host>/… instead of
                                      https://<host>/… (a private mirror, or a test server)
  TIDINGS_DNS_SERVER=<ip[:port],…>    resolve SRV records (RFC 6186) with these DNS servers
  TIDINGS_ROW_CACHE=off               no row cache on the IMAP command connections (benchmarks
                                      measure the uncached path with it)
  TIDINGS_OAUTH_ENDPOINTS=<json>      replace OAuth2 endpoints, e.g.
                                      {"microsoft":{"deviceAuthorization":"…","token":"…"}}

Sign-in with Google or Microsoft needs your own client id first: npm run relay -- oauth --help

IMAP deadlines and intervals (environment only; defaults in shared/limits.ts):
  TIDINGS_IMAP_COMMAND_TIMEOUT_MS     deadline of every IMAP command / request (default 20000)
  TIDINGS_IMAP_CONNECT_TIMEOUT_MS     connect + TLS + greeting deadline, also of connection tests (default 15000)
  TIDINGS_IDLE_PROBE_MS               probe a silent IDLE with DONE + NOOP after this (default 50000)
  TIDINGS_FOLDER_POLL_MS              refresh watched folders other than INBOX this often (default 30000)
`;

export async function runStart(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(startHelp);
    return 0;
  }
  const config = parseStartConfig({ argv, env: io.env, cwd: io.cwd });
  const out = (line = '') => io.stdout.write(line + '\n');
  const log = createLogger({ level: config.logLevel, sink: (line) => io.stderr.write(line + '\n') });

  const store = openStore(config.dataDir, (line) => io.stderr.write(`warning: ${line}\n`));
  let relay: RunningRelay | null = null;
  try {
    assertStoreWritable(store, dataPaths(config.dataDir).db, io.now());
    const secrets = openSecretBox({ dataDir: config.dataDir, env: io.env, store, stderr: io.stderr });
    if (secrets.source === 'created') {
      out(`Created the password key ${secrets.keyFile}: back it up; without it stored passwords cannot be read.`);
    }

    const tls = await prepareTls(config, out);
    const user = store.ensureDefaultUser();
    relay = await startRelay({
      host: config.host,
      storeFile: dataPaths(config.dataDir).db,
      port: config.port,
      store,
      secretBox: secrets.box,
      tls: tls ? { cert: tls.cert, key: tls.key } : null,
      log,
      version: readRelayVersion(),
      discovery: createDiscoveryOptions(config.discovery),
      trustProxy: config.trustProxy,
      rowCache: config.rowCache,
      reach: { allowPrivate: config.allowPrivateNetworks },
      oauthEndpoints: config.oauthEndpoints,
      imapTimings: config.imapTimings,
    }).catch((err: unknown) => {
      throw listenFailure(err, config.host, config.port);
    });

    out(`Tidings relay listening on ${relay.url}`);
    if (store.countActiveDevices() === 0) {
      const { code } = issuePairingCode({ store, userId: user.id, now: io.now() });
      out();
      out(`Pairing code: ${code}  (valid 10 minutes, single use)`);
      out(`Open the Tidings options page, enter the relay URL ${connectUrl(relay.url)} and this code.`);
    } else {
      out('To pair another browser, run: npm run relay -- pair');
    }
    const extension = findBuiltExtension();
    if (extension) {
      out();
      out(`Load this folder as an unpacked extension: ${extension}`);
    }
    if (store.listAccounts(user.id).length === 0) {
      out();
      out(
        'No mail accounts yet. Add one in the options page (Accounts → Add account), or: npm run relay -- accounts add --host <imap host> --username <login>',
      );
    }

    const running = relay;
    const stopReloading = io.onHangup(() => {
      void reloadTls(config, out)
        .then((material) => {
          if (material) running.reloadTls(material);
        })
        .catch((err: unknown) => log.error('TLS reload failed; keeping the current certificate', { err }));
    });

    await abortion(io.signal);
    stopReloading();
    io.stderr.write('Shutting down…\n');
    return 0;
  } finally {
    // Also when something above failed after the relay started: its timers use the store.
    await relay?.close();
    store.close();
  }
}

async function prepareTls(
  config: ReturnType<typeof parseStartConfig>,
  out: (line?: string) => void,
): Promise<TlsMaterial | null> {
  let material: TlsMaterial;
  if (config.tls.mode === 'none') return null;
  if (config.tls.mode === 'files') {
    try {
      material = loadTlsFiles({ certFile: config.tls.certFile, keyFile: config.tls.keyFile });
    } catch (err) {
      throw new CliFailure((err as Error).message, { cause: err });
    }
    out(`TLS certificate: ${config.tls.certFile}`);
  } else {
    const generated = await ensureSelfSignedCert({ dataDir: config.dataDir, hostnames: [config.host, hostname()] });
    material = generated;
    out(`TLS: ${generated.created ? 'generated a' : 'using the'} self-signed certificate ${generated.certFile}`);
    out('  Browsers will not trust it until you accept it once (open the relay URL with https://) or import it.');
  }
  out(`  SHA-256 fingerprint: ${material.fingerprint256}`);
  out(
    `  SPKI SHA-256: ${material.spkiSha256Base64}  (Chromium: --ignore-certificate-errors-spki-list=${material.spkiSha256Base64})`,
  );
  return material;
}

/** SIGHUP: the certificate files again (a renewed certificate), or null without TLS. */
async function reloadTls(
  config: ReturnType<typeof parseStartConfig>,
  out: (line?: string) => void,
): Promise<TlsMaterial | null> {
  if (config.tls.mode === 'none') return null;
  const material =
    config.tls.mode === 'files'
      ? loadTlsFiles({ certFile: config.tls.certFile, keyFile: config.tls.keyFile })
      : await ensureSelfSignedCert({ dataDir: config.dataDir, hostnames: [config.host, hostname()] });
  out(`TLS certificate reloaded; SHA-256 fingerprint: ${material.fingerprint256}`);
  return material;
}

/** The URL a browser should use: a wildcard bind address is not something one can connect to. */
function connectUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = hostname();
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

/** Turns the usual listen errors into one actionable line; anything else passes through. */
function listenFailure(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE') {
    return new CliFailure(`${host}:${port} is already in use (another relay running?); choose another --port`, {
      cause: err,
    });
  }
  if (code === 'EACCES') {
    return new CliFailure(`not allowed to listen on ${host}:${port}; ports below 1024 need privileges`, { cause: err });
  }
  if (code === 'EADDRNOTAVAIL') {
    return new CliFailure(`${host} is not an address of this machine; check --host`, { cause: err });
  }
  return err;
}

function findBuiltExtension(): string | null {
  // WXT builds into <root>/.output; the root is either the repo or extension/ depending on config.
  for (const dir of [join(repoRoot, '.output', 'chrome-mv3'), join(repoRoot, 'extension', '.output', 'chrome-mv3')]) {
    if (existsSync(join(dir, 'manifest.json'))) return dir;
  }
  return null;
}

function abortion(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
