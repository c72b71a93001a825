/**
 * Makes a child Node process (the relay, its CLI) resolve chosen host names to chosen addresses,
 * like lines in /etc/hosts that only that process sees — so an e2e test can give an account a
 * provider's host name (imap.gmail.com) while the relay really talks to the test Dovecot. The
 * returned environment preloads (`NODE_OPTIONS=--import data:…`) a module that wraps
 * `dns.lookup` before the process's own modules load; everything else resolves as usual, and the
 * relay's reach policy still checks the address it gets. Pin the certificate (`--fingerprint`):
 * the Dovecot certificate does not name the alias.
 *
 * @example startRelayProcess({ env: dnsAliasEnv({ 'imap.gmail.com': '127.0.0.1' }) })
 */
const PRELOAD = `
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
const aliases = JSON.parse(process.env.TIDINGS_TEST_DNS_ALIASES ?? '{}');
const to = (host) => aliases[String(host).toLowerCase()] ?? host;
const lookup = dns.lookup;
dns.lookup = function (host, options, callback) { return lookup.call(this, to(host), options, callback); };
const lookupAsync = dns.promises.lookup;
dns.promises.lookup = (host, options) => lookupAsync(to(host), options);
syncBuiltinESMExports();
`;

export function dnsAliasEnv(aliases: Record<string, string>): Record<string, string> {
  const existing = process.env['NODE_OPTIONS'] ?? '';
  return {
    TIDINGS_TEST_DNS_ALIASES: JSON.stringify(aliases),
    NODE_OPTIONS: `${existing} --import data:text/javascript,${encodeURIComponent(PRELOAD)}`.trim(),
  };
}
