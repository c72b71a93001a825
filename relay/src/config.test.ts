import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, parseStartConfig, resolveDataDir } from './config.js';
import { DEFAULT_IMAP_TIMINGS } from './imap/timings.js';

const cwd = '/srv/tidings';
const parse = (argv: string[], env: Record<string, string | undefined> = {}) => parseStartConfig({ argv, env, cwd });

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseStartConfig', () => {
  it('has loopback defaults', () => {
    expect(parse([])).toEqual({
      host: '127.0.0.1',
      port: 8787,
      dataDir: '/srv/tidings/data',
      tls: { mode: 'none' },
      logLevel: 'info',
      trustProxy: [],
      discovery: { autoconfigBaseUrl: null, dnsServers: null },
      rowCache: true,
      allowPrivateNetworks: true,
      oauthEndpoints: {},
      imapTimings: DEFAULT_IMAP_TIMINGS,
    });
  });

  it('reads --trust-proxy (flag over env), normalised, and refuses names', () => {
    expect(parse(['--trust-proxy', '127.0.0.1, [::1]']).trustProxy).toEqual(['127.0.0.1', '::1']);
    expect(parse([], { TIDINGS_TRUST_PROXY: '10.0.0.2' }).trustProxy).toEqual(['10.0.0.2']);
    expect(() => parse(['--trust-proxy', 'caddy'])).toThrow(/--trust-proxy: "caddy" is not an IP address/);
  });

  it('turns the row cache off only on TIDINGS_ROW_CACHE=off (a benchmark option)', () => {
    expect(parse([], { TIDINGS_ROW_CACHE: 'off' }).rowCache).toBe(false);
    expect(parse([], { TIDINGS_ROW_CACHE: 'on' }).rowCache).toBe(true);
    expect(configError(() => parse([], { TIDINGS_ROW_CACHE: 'no' })).message).toMatch(/"on" or "off"/);
  });

  it('allows private networks by default only when listening on loopback', () => {
    expect(parse(['--host', '0.0.0.0', '--tls-self-signed']).allowPrivateNetworks).toBe(false);
    expect(parse(['--allow-private-networks', 'no']).allowPrivateNetworks).toBe(false);
    expect(
      parse(['--host', '0.0.0.0', '--tls-self-signed'], { TIDINGS_ALLOW_PRIVATE_NETWORKS: 'yes' }).allowPrivateNetworks,
    ).toBe(true);
    expect(() => parse(['--allow-private-networks', 'maybe'])).toThrow(/yes, no or auto/);
  });

  it('reads OAuth2 endpoint overrides from TIDINGS_OAUTH_ENDPOINTS', () => {
    const env = {
      TIDINGS_OAUTH_ENDPOINTS: JSON.stringify({
        microsoft: { deviceAuthorization: 'http://127.0.0.1:9/devicecode', token: 'http://127.0.0.1:9/token' },
      }),
    };
    expect(parse([], env).oauthEndpoints).toEqual({
      microsoft: { deviceAuthorization: 'http://127.0.0.1:9/devicecode', token: 'http://127.0.0.1:9/token' },
    });
  });

  it.each([
    ['not json', /must be JSON/],
    [JSON.stringify({ yahoo: { token: 'https://x.test/t' } }), /TIDINGS_OAUTH_ENDPOINTS/],
    [JSON.stringify({ google: { token: 'ftp://x.test/t' } }), /google\.token/],
    [JSON.stringify({ google: { tokn: 'https://x.test/t' } }), /TIDINGS_OAUTH_ENDPOINTS/],
  ])('refuses a bad TIDINGS_OAUTH_ENDPOINTS: %s', (value, message) => {
    expect(() => parse([], { TIDINGS_OAUTH_ENDPOINTS: value })).toThrow(message);
  });

  it('reads shortened IMAP timings from the environment and refuses nonsense', () => {
    const timings = parseStartConfig({
      argv: [],
      env: { TIDINGS_IDLE_PROBE_MS: '2000', TIDINGS_FOLDER_POLL_MS: '1500', TIDINGS_IMAP_COMMAND_TIMEOUT_MS: '3000' },
      cwd: '/srv/tidings',
    }).imapTimings;
    expect(timings).toMatchObject({ idleProbeMs: 2_000, folderPollMs: 1_500, commandTimeoutMs: 3_000 });
    // The probe's deadline never exceeds the probe interval.
    expect(timings.idleProbeTimeoutMs).toBe(2_000);
    expect(() => parseStartConfig({ argv: [], env: { TIDINGS_IDLE_PROBE_MS: 'soon' }, cwd: '/srv/tidings' })).toThrow(
      /TIDINGS_IDLE_PROBE_MS must be a whole number/,
    );
  });

  it('reads the discovery test options from the environment', () => {
    expect(
      parse([], {
        TIDINGS_AUTOCONFIG_BASE_URL: 'http://127.0.0.1:8080/',
        TIDINGS_DNS_SERVER: '127.0.0.1:5353, [::1]:53',
      }).discovery,
    ).toEqual({ autoconfigBaseUrl: 'http://127.0.0.1:8080', dnsServers: ['127.0.0.1:5353', '[::1]:53'] });
    expect(configError(() => parse([], { TIDINGS_AUTOCONFIG_BASE_URL: 'ftp://x' })).message).toMatch(/http\(s\) URL/);
    expect(configError(() => parse([], { TIDINGS_DNS_SERVER: 'dns.example.com' })).message).toMatch(/IP addresses/);
  });

  it('reads env and lets flags win', () => {
    const env = {
      TIDINGS_HOST: '::1',
      TIDINGS_PORT: '9000',
      TIDINGS_DATA_DIR: '/var/lib/tidings',
      TIDINGS_LOG_LEVEL: 'debug',
    };
    expect(parse([], env)).toMatchObject({ host: '::1', port: 9000, dataDir: '/var/lib/tidings', logLevel: 'debug' });
    expect(
      parse(['--host', 'localhost', '--port', '0', '--data-dir', 'rel', '--log-level', 'warn'], env),
    ).toMatchObject({
      host: 'localhost',
      port: 0,
      dataDir: '/srv/tidings/rel',
      logLevel: 'warn',
    });
  });

  it('refuses a non-loopback host without TLS, naming the fix', () => {
    for (const host of ['0.0.0.0', '192.168.1.2', '::', 'relay.example.com']) {
      const err = configError(() => parse(['--host', host]));
      expect(err.message).toContain(`Refusing to listen on ${host} without TLS`);
      expect(err.message).toContain('--tls-cert <file> --tls-key <file>');
      expect(err.message).toContain('--tls-self-signed');
    }
    configError(() => parse([], { TIDINGS_HOST: '0.0.0.0' }));
  });

  it('allows a non-loopback host with TLS', () => {
    expect(parse(['--host', '0.0.0.0', '--tls-self-signed']).tls).toEqual({ mode: 'self-signed' });
    expect(parse(['--host', '0.0.0.0', '--tls-cert', 'c.pem', '--tls-key', 'k.pem']).tls).toEqual({
      mode: 'files',
      certFile: 'c.pem',
      keyFile: 'k.pem',
    });
    expect(parse([], { TIDINGS_HOST: '0.0.0.0', TIDINGS_TLS_SELF_SIGNED: '1' }).tls).toEqual({ mode: 'self-signed' });
    expect(parse([], { TIDINGS_TLS_CERT: 'c', TIDINGS_TLS_KEY: 'k' }).tls).toEqual({
      mode: 'files',
      certFile: 'c',
      keyFile: 'k',
    });
  });

  it('needs both halves of a certificate pair', () => {
    expect(configError(() => parse(['--tls-cert', 'c.pem'])).message).toMatch(/--tls-cert needs --tls-key/);
    expect(configError(() => parse(['--tls-key', 'k.pem'])).message).toMatch(/--tls-key needs --tls-cert/);
    // flags beat env per setting: a flag cert can pair with an env key
    expect(parse(['--tls-cert', 'c.pem'], { TIDINGS_TLS_KEY: 'k.pem' }).tls).toEqual({
      mode: 'files',
      certFile: 'c.pem',
      keyFile: 'k.pem',
    });
  });

  it('refuses conflicting TLS choices', () => {
    configError(() => parse(['--tls-self-signed', '--tls-cert', 'c', '--tls-key', 'k']));
    configError(() => parse([], { TIDINGS_TLS_SELF_SIGNED: '1', TIDINGS_TLS_CERT: 'c', TIDINGS_TLS_KEY: 'k' }));
    // an explicit flag choice overrides the env choice
    expect(parse(['--tls-cert', 'c', '--tls-key', 'k'], { TIDINGS_TLS_SELF_SIGNED: '1' }).tls.mode).toBe('files');
    expect(parse(['--tls-self-signed'], { TIDINGS_TLS_CERT: 'c', TIDINGS_TLS_KEY: 'k' }).tls.mode).toBe('self-signed');
  });

  it.each([
    [['--port', '70000']],
    [['--port', 'http']],
    [['--port', '-1']],
    [['--log-level', 'loud']],
    [['--bogus']],
    [['positional']],
    [['--host', '']],
  ])('rejects %j', (argv) => {
    configError(() => parse(argv));
  });

  it('rejects bad env values', () => {
    configError(() => parse([], { TIDINGS_PORT: 'x' }));
    configError(() => parse([], { TIDINGS_TLS_SELF_SIGNED: 'maybe' }));
  });

  it('treats empty env values as unset', () => {
    expect(parse([], { TIDINGS_HOST: '', TIDINGS_PORT: '', TIDINGS_TLS_SELF_SIGNED: '' })).toMatchObject({
      host: '127.0.0.1',
      port: 8787,
      tls: { mode: 'none' },
    });
  });

  it('strips IPv6 brackets', () => {
    expect(parse(['--host', '[::1]']).host).toBe('::1');
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST'])(
    '%s is loopback',
    (h) => expect(isLoopbackHost(h)).toBe(true),
  );
  it.each([
    '0.0.0.0',
    '::',
    '128.0.0.1',
    '10.0.0.1',
    '::2',
    '::ffff:10.0.0.1',
    'localhost.example.com',
    'example.com',
    '',
  ])('%s is not loopback', (h) => expect(isLoopbackHost(h)).toBe(false));
});

describe('resolveDataDir', () => {
  it('prefers the flag, then env, then ./data', () => {
    expect(resolveDataDir({ flag: 'x', env: { TIDINGS_DATA_DIR: '/y' }, cwd })).toBe('/srv/tidings/x');
    expect(resolveDataDir({ flag: undefined, env: { TIDINGS_DATA_DIR: '/y' }, cwd })).toBe('/y');
    expect(resolveDataDir({ flag: undefined, env: {}, cwd })).toBe('/srv/tidings/data');
  });
});
