import { RelayPaths } from '../../shared/index.js';

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
 * is kept. Messages say what to type instead.
 *
 * @example checkRelayUrl('ws://127.0.0.1:8787/') // ok, socketUrl 'ws://127.0.0.1:8787/v1/ws'
 */
export function checkRelayUrl(input: string): RelayUrlCheck {
  const trimmed = input.trim();
  if (trimmed === '') return { ok: false, message: `Enter the relay address, e.g. ${DEFAULT_RELAY_URL}.` };
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return { ok: false, message: `"${trimmed}" is not a valid address. Use the form ${DEFAULT_RELAY_URL}.` };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const suggestion = url.protocol === 'http:' ? 'ws://' : 'wss://';
    return { ok: false, message: `Use ${suggestion} instead of ${url.protocol}// for the relay address.` };
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
    return { ok: false, message: 'The relay address must start with wss:// (or ws:// for a relay on this computer).' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, message: 'Remove the user name and password from the address; pairing uses a code instead.' };
  }
  if (url.search !== '' || url.hash !== '') {
    return { ok: false, message: 'Remove the "?…" or "#…" part from the relay address.' };
  }
  if (url.protocol === 'ws:' && !isLoopbackHost(url.hostname)) {
    return {
      ok: false,
      message: `Plain ws:// is only allowed for a relay on this computer (127.0.0.1, localhost or [::1]). Use wss://${url.host} for ${url.hostname}.`,
    };
  }
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  const httpBase = (url.protocol === 'wss:' ? 'https:' : 'http:') + base.slice(url.protocol.length);
  return {
    ok: true,
    endpoints: { url: base, pairUrl: httpBase + RelayPaths.pair, socketUrl: base + RelayPaths.socket },
  };
}
