/**
 * Mozilla-style autoconfig (the format Thunderbird reads; see
 * wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat): the domain's own server
 * publishes `config-v1.1.xml` describing its IMAP servers.
 *
 * Tried in order, first usable answer wins:
 *   1. https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=<address>
 *   2. https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml
 *
 * Fetches are HTTPS only, time-limited, size-capped and follow at most a few HTTPS redirects; the
 * XML is read with the strict parser in xml.ts (no DTD, so no XXE).
 */
import { Limits, type ServerCandidate } from '../../../shared/index.js';
import type { Logger } from '../log.js';
import { isHostName, type EmailParts } from './email-address.js';
import { childrenNamed, childText, parseXml, type XmlElement } from './xml.js';

export interface AutoconfigOptions {
  /**
   * Replaces "https://" in the URLs above, for tests and private mirrors: with
   * `http://127.0.0.1:8080` the first URL becomes
   * `http://127.0.0.1:8080/autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=…`.
   * null = the real URLs.
   */
  baseUrl: string | null;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  log?: Logger;
}

/** The URLs to try for an address, in order. */
export function autoconfigUrls(email: EmailParts, baseUrl: string | null): string[] {
  const prefix = baseUrl === null ? 'https://' : `${baseUrl.replace(/\/+$/, '')}/`;
  const q = `emailaddress=${encodeURIComponent(email.address)}`;
  return [
    `${prefix}autoconfig.${email.domain}/mail/config-v1.1.xml?${q}`,
    `${prefix}${email.domain}/.well-known/autoconfig/mail/config-v1.1.xml`,
  ];
}

/** Fetches and parses autoconfig; returns the IMAP candidates of the first URL that has any. */
export async function fetchAutoconfig(email: EmailParts, options: AutoconfigOptions): Promise<ServerCandidate[]> {
  for (const url of autoconfigUrls(email, options.baseUrl)) {
    if (options.signal?.aborted) return [];
    try {
      const xml = await fetchCapped(url, options);
      if (xml === null) continue;
      const candidates = parseAutoconfig(xml, email);
      if (candidates.length > 0) return candidates;
    } catch (err) {
      // One broken source must not hide the next: log and go on.
      options.log?.debug('autoconfig source failed', { url, err });
    }
  }
  return [];
}

/** GET with timeout, byte cap and HTTPS-only redirects; null for a non-200 answer. */
async function fetchCapped(url: string, options: AutoconfigOptions): Promise<string | null> {
  const doFetch = options.fetch ?? fetch;
  const timeout = AbortSignal.timeout(Limits.autoconfigTimeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const allowed = (u: URL) =>
    options.baseUrl === null ? u.protocol === 'https:' : u.href.startsWith(options.baseUrl.replace(/\/+$/, '') + '/');
  let current = new URL(url);
  for (let hop = 0; hop <= Limits.autoconfigMaxRedirects; hop++) {
    const res = await doFetch(current, {
      redirect: 'manual',
      signal,
      headers: { accept: 'application/xml, text/xml' },
    });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      const location = res.headers.get('location');
      if (!location) return null;
      const next = new URL(location, current);
      // Never downgrade to http: the answer decides where the user's password goes.
      if (!allowed(next)) return null;
      current = next;
      continue;
    }
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      return null;
    }
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > Limits.autoconfigMaxBytes) {
      await res.body.cancel();
      throw new Error(`autoconfig file is ${declared} bytes (limit ${Limits.autoconfigMaxBytes})`);
    }
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > Limits.autoconfigMaxBytes) {
        await reader.cancel();
        throw new Error(`autoconfig file exceeds ${Limits.autoconfigMaxBytes} bytes`);
      }
      chunks.push(value);
    }
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  }
  return null;
}

/**
 * The `<incomingServer type="imap">` entries of a config-v1.1.xml, in the file's order (the
 * provider's preference), secure ones first. Placeholders: %EMAILADDRESS%, %EMAILLOCALPART%,
 * %EMAILDOMAIN%. Entries with an unknown socketType, a bad port or host are skipped.
 */
export function parseAutoconfig(xml: string, email: EmailParts): ServerCandidate[] {
  const root = parseXml(xml);
  if (root.name !== 'clientConfig') throw new Error(`root element is <${root.name}>, not <clientConfig>`);
  const substitute = (s: string) =>
    s
      .replaceAll('%EMAILADDRESS%', email.address)
      .replaceAll('%EMAILLOCALPART%', email.localPart)
      .replaceAll('%EMAILDOMAIN%', email.domain);
  const out: ServerCandidate[] = [];
  const servers: XmlElement[] = childrenNamed(root, 'emailProvider').flatMap((p) => childrenNamed(p, 'incomingServer'));
  for (const server of servers) {
    if (server.attributes['type'] !== 'imap') continue;
    const host = substitute(childText(server, 'hostname') ?? '').toLowerCase();
    const port = Number(childText(server, 'port') ?? '');
    const socketType = (childText(server, 'socketType') ?? '').toUpperCase();
    const security =
      socketType === 'SSL' ? 'tls' : socketType === 'STARTTLS' ? 'starttls' : socketType === 'PLAIN' ? 'plain' : null;
    if (!security || !isHostName(host) || !Number.isInteger(port) || port < 1 || port > 65_535) continue;
    const username = substitute(childText(server, 'username') ?? '%EMAILADDRESS%');
    if (username === '' || username.length > 320) continue;
    out.push({ host, port, security, source: 'autoconfig', username });
  }
  // Stable sort: plaintext entries (rare, legacy) go last so the UI suggests a secure one first.
  return out.sort((a, b) => Number(a.security === 'plain') - Number(b.security === 'plain'));
}
