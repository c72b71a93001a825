/**
 * Query parameter names that look like credentials. Tokens in URLs end up in server logs, proxy
 * histories and Referer headers, so the relay refuses such requests instead of ignoring the value
 * (issue 12: only lower-case `token`/`access_token` were refused).
 */
const CONTAINS = ['token', 'auth', 'bearer', 'secret', 'passw', 'jwt', 'apikey', 'credential', 'session'];
const EXACT = new Set(['key', 'pass', 'pwd', 'sid', 'sig', 'signature']);

/** True when some query parameter's name, in any case and with `_`/`-` ignored, looks like a credential. */
export function hasCredentialInQuery(url: URL): boolean {
  for (const name of url.searchParams.keys()) {
    const n = name.toLowerCase().replace(/[^a-z0-9]/g, '');
    if (EXACT.has(n) || CONTAINS.some((c) => n.includes(c))) return true;
  }
  return false;
}
