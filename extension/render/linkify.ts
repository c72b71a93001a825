/**
 * Finds links in a plain-text body and returns *segments*, never HTML: the component renders
 * `{ text }` as a text node and `{ url }` as an `<a>` it creates itself, so nothing in the mail can
 * become markup (linkifier XSS has shipped in Roundcube and Horde by building HTML strings).
 *
 * Recognised: `http://` and `https://` URLs, `www.` hosts (opened as https), `mailto:` URLs and
 * bare e-mail addresses (opened as mailto:). Every candidate is parsed with the WHATWG URL parser —
 * the same one the browser navigates with — and kept only when its scheme is on the allowlist
 * (SECURITY.md: `https:`, `http:`, `mailto:`), so `javascript:`, `data:`, `file:`, `smb:` or
 * `ms-msdt:` text stays text.
 */

export type Segment = { kind: 'text'; text: string } | { kind: 'link'; text: string; url: string };

/** Schemes a link may open (SECURITY.md, "Link schemes"). */
export const ALLOWED_LINK_PROTOCOLS: ReadonlySet<string> = new Set(['https:', 'http:', 'mailto:']);

/** Longer candidates are left as text: no real link is this long and it bounds the work. */
const MAX_URL_LENGTH = 2_048;

/**
 * One candidate: a URL with a scheme, a `www.` host, or an e-mail address. The character classes
 * exclude whitespace, quotes, angle brackets and bidi controls (which would let the shown text
 * differ from where the link goes). Linear: no nested quantifiers, so a 2 MB body cannot stall it.
 */
const CANDIDATE =
  // eslint-disable-next-line no-control-regex -- control characters end a URL on purpose
  /\b(?:(?:https?:\/\/|www\.)[^\s<>"'`\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]+|mailto:[^\s<>"'`\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})/gi;

const TRAILING_PUNCTUATION = /[.,;:!?'"*_~]$/;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{', '>': '<' };

/** Drops trailing punctuation a sentence put after a URL, keeping balanced brackets (Wikipedia links). */
function trimTrailing(candidate: string): string {
  let text = candidate;
  for (;;) {
    const last = text.at(-1);
    if (last === undefined) return text;
    if (TRAILING_PUNCTUATION.test(last)) {
      text = text.slice(0, -1);
      continue;
    }
    const opener = CLOSERS[last];
    if (opener !== undefined) {
      const opens = text.split(opener).length - 1;
      const closes = text.split(last).length - 1;
      if (closes > opens) {
        text = text.slice(0, -1);
        continue;
      }
    }
    return text;
  }
}

/**
 * The URL a link may open, or null: absolute, parsed by the URL standard, scheme on the
 * allowlist. Used by the linkifier and by the message frame's click handler alike.
 *
 * @example safeLinkUrl('https://example.com/a b') // 'https://example.com/a%20b'
 * @example safeLinkUrl('jav\tascript:alert(1)') // null
 */
export function safeLinkUrl(raw: string): string | null {
  if (raw.length > MAX_URL_LENGTH * 4) return null;
  let url: URL;
  try {
    // No base: a relative URL would resolve against the extension's own origin.
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!ALLOWED_LINK_PROTOCOLS.has(url.protocol)) return null;
  if ((url.protocol === 'https:' || url.protocol === 'http:') && url.hostname === '') return null;
  // Credentials in a URL (`https://bank.com@evil.test`) exist to mislead the reader.
  if (url.username !== '' || url.password !== '') return null;
  return url.href;
}

function toUrl(text: string): string | null {
  if (text.length > MAX_URL_LENGTH) return null;
  if (/^www\./i.test(text)) return safeLinkUrl(`https://${text}`);
  if (/^(?:https?|mailto):/i.test(text)) return safeLinkUrl(text);
  if (text.includes('@')) return safeLinkUrl(`mailto:${text}`);
  return null;
}

/**
 * Splits `text` into text and link segments; concatenating every segment's `text` gives `text`
 * back unchanged.
 *
 * @example linkify('see https://example.com.') // [{kind:'text',text:'see '},{kind:'link',text:'https://example.com',url:'https://example.com/'},{kind:'text',text:'.'}]
 */
export function linkify(text: string): Segment[] {
  const segments: Segment[] = [];
  let plainStart = 0;
  const pushText = (end: number) => {
    if (end > plainStart) {
      const last = segments.at(-1);
      const piece = text.slice(plainStart, end);
      if (last?.kind === 'text') last.text += piece;
      else segments.push({ kind: 'text', text: piece });
    }
  };
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const candidate = trimTrailing(match[0]);
    const url = candidate === '' ? null : toUrl(candidate);
    if (url === null) continue;
    pushText(start);
    segments.push({ kind: 'link', text: candidate, url });
    plainStart = start + candidate.length;
  }
  pushText(text.length);
  return segments;
}
