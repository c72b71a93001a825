import { RelayPaths } from '../../shared/index.js';
import type { Translate } from '../i18n/i18n.js';

/** Where `npm start` runs the relay. */
export const DEFAULT_RELAY_URL = 'ws://127.0.0.1:8787';

/** A checked relay URL and the two endpoints derived from it. */
export interface RelayEndpoints {
  /** Normalised base, e.g. `ws://127.0.0.1:8787` or `wss://mail.example.org/tidings`. */
  url: string;
  /** `http(s)://…/v1/pair` */
  pairUrl: string;
  /** `ws(s)://…/v1/ws` */
  socketUrl: string;
}

export type RelayUrlCheck = { ok: true; endpoints: RelayEndpoints } | { ok: false; message: string };

/**
 * Loopback hosts, where plain `ws://` is acceptable: traffic never leaves the machine and
 * browsers treat these origins as secure contexts. `URL` has already normalised the host
 * (`127.1` → `127.0.0.1`, `LOCALHOST` → `localhost`, IPv6 in brackets).
 */
export function isLoopbackHost(hostname: string): boolean {
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/**
 * Validates what the user typed as the relay address. Only `ws://` (loopback hosts only) and
 * `wss://` are accepted, without credentials, query or fragment; a path prefix (reverse proxy)
 * is kept. Messages (in the browser's language, `t`) say what to type instead.
 *
 * @example checkRelayUrl('ws://127.0.0.1:8787/', t) // ok, socketUrl 'ws://127.0.0.1:8787/v1/ws'
 */
export function checkRelayUrl(input: string, t: Translate): RelayUrlCheck {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, message: t('relayUrl_empty', DEFAULT_RELAY_URL) };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, message: t('relayUrl_invalid', [trimmed, DEFAULT_RELAY_URL]) };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const suggestion = url.protocol === 'http:' ? 'ws://' : 'wss://';
    return { ok: false, message: t('relayUrl_http', [suggestion, `${url.protocol}//`]) };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return { ok: false, message: t('relayUrl_scheme') };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: t('relayUrl_credentials') };
  }
  if (url.search !== '' || url.hash !== '') {
    return { ok: false, message: t('relayUrl_query') };
  }
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname)) {
    return { ok: false, message: t('relayUrl_plainRemote', [`wss://${url.host}`, url.hostname]) };
  }
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  const httpBase = (url.protocol === 'wss:' ? 'https:' : 'http:') + base.slice(url.protocol.length);
  return {
    ok: true,
    endpoints: { url: base, pairUrl: httpBase + RelayPaths.pair, socketUrl: base + RelayPaths.socket },
  };
}
