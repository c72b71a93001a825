/**
 * Configuration of `relay start`: flags first, then TIDINGS_* environment variables, then defaults.
 * Pure: argv and env are passed in (only main.ts reads process.argv / process.env).
 *
 * @example
 * parseStartConfig({ argv: ['--port', '9000'], env: {} })
 * // { host: '127.0.0.1', port: 9000, dataDir: '/abs/data', tls: { mode: 'none' }, logLevel: 'info' }
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod/mini';
import { OAUTH_PROVIDER_IDS } from '../../shared/index.js';
import { parseTrustedProxies } from './http/client-address.js';
import { DEFAULT_IMAP_TIMINGS, type ImapTimings } from './imap/timings.js';
import { LOG_LEVELS, type LogLevel } from './log.js';
import type { OAuthEndpointOverrides } from './oauth/client-config.js';

/** A usage or configuration mistake: the CLI prints the message and exits with code 2. */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

export type TlsConfig =
  { mode: 'none' } | { mode: 'files'; certFile: string; keyFile: string } | { mode: 'self-signed' };

export interface StartConfig {
  host: string;
  port: number;
  /** Absolute. */
  dataDir: string;
  tls: TlsConfig;
  logLevel: LogLevel;
  /**
   * Reverse proxies whose X-Forwarded-For is believed (normalised IPs; empty = none, the default).
   * From --trust-proxy / TIDINGS_TRUST_PROXY.
   */
  trustProxy: string[];
  /**
   * Advanced/test options for accounts.discover, from the environment only:
   * TIDINGS_AUTOCONFIG_BASE_URL replaces "https://" in the autoconfig URLs (a private mirror, or a
   * loopback server in tests); TIDINGS_DNS_SERVER (comma-separated ip[:port]) aims SRV and host
   * lookups at those servers instead of the system's.
   */
  discovery: { autoconfigBaseUrl: string | null; dnsServers: string[] | null };
  /**
   * Benchmark option, from the environment only: TIDINGS_ROW_CACHE=off turns the command
   * connections' row cache off, so `npm run bench` can measure the relay's uncached path
   * (BENCHMARKS.md: "relay caches off or bypassed"). On by default.
   */
  rowCache: boolean;
  /**
   * Whether the relay may connect to loopback and private-network addresses on a user's behalf
   * (relay/src/net/reach-policy.ts). `--allow-private-networks yes|no|auto`; auto (the default)
   * allows them when the relay listens on loopback only (then only this machine's user can ask).
   */
  allowPrivateNetworks: boolean;
  /**
   * TIDINGS_OAUTH_ENDPOINTS (environment only): JSON replacing OAuth2 provider endpoints, e.g.
   * `{"google":{"authorization":"http://127.0.0.1:9000/authorize","token":"http://127.0.0.1:9000/token"}}`.
   * For tests against a local provider, or a corporate identity proxy.
   */
  oauthEndpoints: OAuthEndpointOverrides;
  /**
   * IMAP deadlines and intervals (issue 8), from the environment only (tests set seconds):
   * TIDINGS_IMAP_COMMAND_TIMEOUT_MS, TIDINGS_IMAP_CONNECT_TIMEOUT_MS, TIDINGS_IDLE_PROBE_MS,
   * TIDINGS_FOLDER_POLL_MS. Defaults from shared/limits.ts.
   */
  imapTimings: ImapTimings;
}

/** Environment variable → the timing it overrides. */
const TIMING_ENV = {
  TIDINGS_IMAP_COMMAND_TIMEOUT_MS: 'commandTimeoutMs',
  TIDINGS_IMAP_CONNECT_TIMEOUT_MS: 'connectTimeoutMs',
  TIDINGS_IDLE_PROBE_MS: 'idleProbeMs',
  TIDINGS_FOLDER_POLL_MS: 'folderPollMs',
} as const satisfies Record<string, keyof ImapTimings>;

function parseImapTimings(env: Env): ImapTimings {
  const timings: ImapTimings = { ...DEFAULT_IMAP_TIMINGS };
  for (const [name, key] of Object.entries(TIMING_ENV)) {
    const raw = nonEmpty(env[name]);
    if (raw === undefined) continue;
    const ms = Number(raw);
    if (!Number.isInteger(ms) || ms < 100 || ms > 3_600_000)
      throw new ConfigError(`${name} must be a whole number of milliseconds between 100 and 3600000, got "${raw}"`);
    timings[key] = ms;
  }
  // The probe's own deadline follows a shortened probe interval, so tests find a dead IDLE in seconds.
  timings.idleProbeTimeoutMs = Math.min(timings.idleProbeTimeoutMs, timings.idleProbeMs);
  return timings;
}

export type Env = Record<string, string | undefined>;

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8787;
export const DEFAULT_DATA_DIR = './data';

export const startOptions = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-self-signed': { type: 'boolean' },
  'log-level': { type: 'string' },
  'trust-proxy': { type: 'string' },
  'allow-private-networks': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/**
 * True for addresses only this machine can reach: 127.0.0.0/8, ::1 (also IPv4-mapped), localhost.
 * Browsers treat these as secure contexts, which is why plain ws:// is allowed on them only.
 */
export function isLoopbackHost(host: string): boolean {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h === 'localhost.') return true;
  if (h.startsWith('::ffff:') && isIP(h.slice(7)) === 4) h = h.slice(7);
  if (isIP(h) === 4) return h.split('.')[0] === '127';
  if (isIP(h) === 6) return /^(0{0,4}:){2,7}0{0,3}1$/.test(h) || h === '::1';
  return false;
}

/** `--data-dir` (or TIDINGS_DATA_DIR, or ./data) as an absolute path. */
export function resolveDataDir(options: { flag: string | undefined; env: Env; cwd?: string }): string {
  const value = options.flag ?? nonEmpty(options.env.TIDINGS_DATA_DIR) ?? DEFAULT_DATA_DIR;
  return resolve(options.cwd ?? process.cwd(), value);
}

export function parseStartConfig(options: { argv: string[]; env: Env; cwd?: string }): StartConfig {
  const { env } = options;
  const { values } = parseFlags(options.argv, startOptions);

  const host = stripBrackets(values.host ?? nonEmpty(env.TIDINGS_HOST) ?? DEFAULT_HOST);
  if (host === '') throw new ConfigError('--host must not be empty');

  const port = parsePort(
    values.port ?? nonEmpty(env.TIDINGS_PORT),
    values.port !== undefined ? '--port' : 'TIDINGS_PORT',
  );
  const dataDir = resolveDataDir({ flag: values['data-dir'], env, ...(options.cwd ? { cwd: options.cwd } : {}) });
  const logLevel = parseLogLevel(values['log-level'] ?? nonEmpty(env.TIDINGS_LOG_LEVEL));
  const tls = parseTls(values, env);

  if (tls.mode === 'none' && !isLoopbackHost(host)) {
    throw new ConfigError(
      `Refusing to listen on ${host} without TLS: the device token and your mail would cross the network in clear. ` +
        'Add --tls-cert <file> --tls-key <file>, or --tls-self-signed to generate a certificate.',
    );
  }
  const trustProxy = parseTrustProxy(values['trust-proxy'] ?? nonEmpty(env.TIDINGS_TRUST_PROXY));
  const allowPrivateNetworks = parseAllowPrivate(
    values['allow-private-networks'] ?? nonEmpty(env.TIDINGS_ALLOW_PRIVATE_NETWORKS),
    host,
  );
  return {
    host,
    port,
    dataDir,
    tls,
    logLevel,
    trustProxy,
    discovery: parseDiscovery(env),
    rowCache: parseRowCache(env),
    allowPrivateNetworks,
    oauthEndpoints: parseOAuthEndpoints(env),
    imapTimings: parseImapTimings(env),
  };
}

function parseTrustProxy(value: string | undefined): string[] {
  if (value === undefined) return [];
  try {
    return [...parseTrustedProxies(value)];
  } catch (err) {
    throw new ConfigError(`--trust-proxy: ${(err as Error).message}`, { cause: err });
  }
}

function parseRowCache(env: Env): boolean {
  const value = nonEmpty(env.TIDINGS_ROW_CACHE)?.trim().toLowerCase();
  if (value === undefined || value === 'on') return true;
  if (value === 'off') return false;
  throw new ConfigError(`TIDINGS_ROW_CACHE must be "on" or "off", got "${value.slice(0, 50)}"`);
}

function parseAllowPrivate(value: string | undefined, host: string): boolean {
  switch ((value ?? 'auto').trim().toLowerCase()) {
    case 'auto':
      return isLoopbackHost(host);
    case 'yes':
    case 'true':
    case '1':
      return true;
    case 'no':
    case 'false':
    case '0':
      return false;
    default:
      throw new ConfigError(`--allow-private-networks must be yes, no or auto, got "${value}"`);
  }
}

const httpUrl = z.url().check(z.refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'));
const endpointOverridesSchema = z.strictObject({
  authorization: z.optional(httpUrl),
  deviceAuthorization: z.optional(httpUrl),
  token: z.optional(httpUrl),
  revocation: z.optional(httpUrl),
});
const oauthEndpointsSchema = z.partialRecord(z.enum(OAUTH_PROVIDER_IDS), endpointOverridesSchema);

function parseOAuthEndpoints(env: Env): OAuthEndpointOverrides {
  const raw = nonEmpty(env.TIDINGS_OAUTH_ENDPOINTS);
  if (raw === undefined) return {};
  let json: unknown;
  try {
    json = JSON.parse(raw) as unknown;
  } catch (err) {
    throw new ConfigError('TIDINGS_OAUTH_ENDPOINTS must be JSON, e.g. {"google":{"token":"https://…"}}', {
      cause: err,
    });
  }
  const parsed = oauthEndpointsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`TIDINGS_OAUTH_ENDPOINTS: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'is invalid'}`);
  }
  const out: OAuthEndpointOverrides = {};
  for (const [provider, endpoints] of Object.entries(parsed.data)) {
    if (endpoints)
      out[provider as keyof OAuthEndpointOverrides] = Object.fromEntries(
        Object.entries(endpoints).filter(([, v]) => v !== undefined),
      );
  }
  return out;
}

function parseDiscovery(env: Env): StartConfig['discovery'] {
  const base = nonEmpty(env.TIDINGS_AUTOCONFIG_BASE_URL)?.trim();
  let autoconfigBaseUrl: string | null = null;
  if (base !== undefined) {
    let url: URL;
    try {
      url = new URL(base);
    } catch (err) {
      throw new ConfigError(`TIDINGS_AUTOCONFIG_BASE_URL must be an http(s) URL, got "${base}"`, { cause: err });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ConfigError(`TIDINGS_AUTOCONFIG_BASE_URL must be an http(s) URL, got "${base}"`);
    autoconfigBaseUrl = base.replace(/\/+$/, '');
  }
  const dns = nonEmpty(env.TIDINGS_DNS_SERVER);
  let dnsServers: string[] | null = null;
  if (dns !== undefined) {
    dnsServers = dns.split(',').map((s) => s.trim());
    for (const server of dnsServers) {
      const m = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(server);
      const ip = m?.[1] ?? m?.[2];
      if (!m || !ip || isIP(ip) === 0 || (m[3] !== undefined && Number(m[3]) > 65_535))
        throw new ConfigError(
          `TIDINGS_DNS_SERVER must list IP addresses with optional ports (1.2.3.4:53, [::1]:53), got "${server}"`,
        );
      if (m[1] !== undefined && m[3] === undefined)
        throw new ConfigError(`TIDINGS_DNS_SERVER: write [${m[1]}]:53 with a port`);
    }
  }
  return { autoconfigBaseUrl, dnsServers };
}

/**
 * node:util parseArgs in strict mode, with its errors turned into ConfigError (exit code 2).
 */
export function parseFlags<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals });
  } catch (err) {
    // parseArgs' messages are already one clear line ("Unknown option '--x'…"); keep them.
    const message = err instanceof Error ? err.message : String(err);
    throw new ConfigError(message, { cause: err });
  }
}

function parseTls(
  values: { 'tls-cert'?: string | undefined; 'tls-key'?: string | undefined; 'tls-self-signed'?: boolean | undefined },
  env: Env,
): TlsConfig {
  const flagCert = values['tls-cert'];
  const flagKey = values['tls-key'];
  const flagSelfSigned = values['tls-self-signed'] === true;
  if (flagSelfSigned && (flagCert !== undefined || flagKey !== undefined)) {
    throw new ConfigError('Use either --tls-self-signed or --tls-cert/--tls-key, not both');
  }
  if (flagSelfSigned) return { mode: 'self-signed' };

  // Flags beat env per setting, so `--tls-cert` may pair with TIDINGS_TLS_KEY.
  const certFile = flagCert ?? nonEmpty(env.TIDINGS_TLS_CERT);
  const keyFile = flagKey ?? nonEmpty(env.TIDINGS_TLS_KEY);
  const envSelfSigned = parseBoolEnv('TIDINGS_TLS_SELF_SIGNED', env.TIDINGS_TLS_SELF_SIGNED);
  if (certFile !== undefined || keyFile !== undefined) {
    if (certFile === undefined) throw new ConfigError('--tls-key needs --tls-cert <file> (the certificate chain, PEM)');
    if (keyFile === undefined) throw new ConfigError('--tls-cert needs --tls-key <file> (the private key, PEM)');
    if (envSelfSigned && flagCert === undefined && flagKey === undefined) {
      throw new ConfigError('Set either TIDINGS_TLS_SELF_SIGNED or TIDINGS_TLS_CERT/TIDINGS_TLS_KEY, not both');
    }
    return { mode: 'files', certFile, keyFile };
  }
  return envSelfSigned ? { mode: 'self-signed' } : { mode: 'none' };
}

function parsePort(value: string | undefined, name: string): number {
  if (value === undefined) return DEFAULT_PORT;
  // 0 asks the OS for a free port (tests use it); the relay prints the real one.
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    throw new ConfigError(`${name} must be a port number from 0 to 65535, got "${value}"`);
  }
  return Number(value);
}

function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined) return 'info';
  const level = LOG_LEVELS.find((l) => l === value.toLowerCase());
  if (!level) throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  return level;
}

function parseBoolEnv(name: string, value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false' || v === 'no') return false;
  if (v === '1' || v === 'true' || v === 'yes') return true;
  throw new ConfigError(`${name} must be 1 or 0, got "${value ?? ''}"`);
}

function stripBrackets(host: string): string {
  const h = host.trim();
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
