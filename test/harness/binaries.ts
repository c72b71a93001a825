/**
 * Where the harness finds the system programs it drives. Debian's packages put them here
 * (TEST-INFRA.md); `ensure-deps.ts` installs them when missing. Override with an environment
 * variable on other systems.
 */
export const DOVECOT_BIN = process.env['TIDINGS_DOVECOT_BIN'] ?? '/usr/sbin/dovecot';
/** Dovecot's admin tool (same package): `doveadm kick` ends open sessions, `doveadm who` counts them. */
export const DOVEADM_BIN = process.env['TIDINGS_DOVEADM_BIN'] ?? '/usr/bin/doveadm';
export const CHROMIUM_BIN = process.env['TIDINGS_CHROMIUM_BIN'] ?? '/usr/bin/chromium';
/** Reverse proxies the relay is tested behind (test/integration/relay-reverse-proxy.test.ts). */
export const CADDY_BIN = process.env['TIDINGS_CADDY_BIN'] ?? '/usr/bin/caddy';
export const NGINX_BIN = process.env['TIDINGS_NGINX_BIN'] ?? '/usr/sbin/nginx';

/** The Debian packages that provide the binaries above. */
export const APT_PACKAGES = { dovecot: 'dovecot-imapd', chromium: 'chromium', caddy: 'caddy', nginx: 'nginx' } as const;
