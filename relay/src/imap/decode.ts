import iconv from 'iconv-lite';

/**
 * Decoding of MIME body bytes as IMAP serves them (BODY[part], transfer-encoded): transfer
 * encoding (RFC 2045 §6), charset (iconv-lite: Node 20's TextDecoder silently drops windows-1252
 * bytes 0x80–0x9F, see TEST-INFRA.md), format=flowed (RFC 3676), and the one-line previews of
 * list rows. Every function is lenient: mail is hostile and often broken, and a broken part must
 * still show what can be shown, never throw.
 *
 * Why not libqp/libbase64 (installed with imapflow): previews and bodies are fetched as partial
 * ranges (`BODY[1]<0.n>`), cut anywhere. On `caf=C3=A9 =E2=8` cut mid-escape, libqp returns the
 * raw `=8` as text; on a range ending mid-quantum it has no way to know the cut is deliberate.
 * These decoders take `partial` and drop the incomplete tail instead (decode.test.ts). For whole
 * parts both give the same bytes, so one decoder serves both cases.
 */

const BASE64_JUNK = /[^A-Za-z0-9+/]/g;

/**
 * Removes a Content-Transfer-Encoding. `partial` says the bytes are a prefix of the part (a
 * `<0.n>` partial fetch), so an incomplete last quantum or escape is dropped instead of decoded
 * into garbage. Unknown encodings (7bit, 8bit, binary, x-uuencode…) pass through unchanged.
 */
export function decodeTransferEncoding(raw: Buffer, encoding: string | undefined, partial = false): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'base64':
      return decodeBase64(raw, partial);
    case 'quoted-printable':
      return decodeQuotedPrintable(raw, partial);
    default:
      return raw;
  }
}

/**
 * Lenient base64: characters outside the alphabet (line breaks, stray '!') are skipped, as most
 * mail clients do, and '=' padding in the middle (concatenated encodings) ends a segment that is
 * decoded on its own. A trailing quantum of 1 sextet carries no whole byte and is dropped.
 */
export function decodeBase64(raw: Buffer, partial = false): Buffer {
  const segments = raw.toString('latin1').split(/=+/);
  const out: Buffer[] = [];
  segments.forEach((segment, i) => {
    let text = segment.replace(BASE64_JUNK, '');
    const rest = text.length % 4;
    // Only the last segment can have been cut by a partial fetch.
    if (partial && i === segments.length - 1 && rest !== 0) text = text.slice(0, text.length - rest);
    else if (rest === 1) text = text.slice(0, -1);
    if (text) out.push(Buffer.from(text, 'base64'));
  });
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/**
 * Quoted-printable (RFC 2045 §6.7): `=XX` escapes and `=` soft line breaks. Malformed escapes are
 * kept literally (rule 1's "robust implementation" advice); trailing whitespace before a line
 * break is not stripped, because senders rarely rely on it and stripping loses real content.
 */
export function decodeQuotedPrintable(raw: Buffer, partial = false): Buffer {
  const out = Buffer.allocUnsafe(raw.length);
  let o = 0;
  let end = raw.length;
  if (partial) {
    // An escape cut by the partial fetch ("=", "=4", "=\r") is dropped rather than kept literally.
    const tail = raw.lastIndexOf(0x3d, end - 1);
    if (tail !== -1 && tail >= end - 2) end = tail;
  }
  for (let i = 0; i < end; i++) {
    const byte = raw[i]!;
    if (byte !== 0x3d) {
      out[o++] = byte;
      continue;
    }
    const a = raw[i + 1];
    const b = raw[i + 2];
    if (a === 0x0d && b === 0x0a) {
      i += 2; // soft line break
      continue;
    }
    if (a === 0x0a) {
      i += 1; // soft line break with a bare LF
      continue;
    }
    if (a !== undefined && b !== undefined) {
      const hi = hexValue(a);
      const lo = hexValue(b);
      if (hi >= 0 && lo >= 0) {
        out[o++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[o++] = byte; // malformed escape: keep the '=' literally
  }
  return out.subarray(0, o);
}

const UTF8_ALIASES = new Set(['utf-8', 'utf8', 'unicode-1-1-utf-8']);
/** Labels that in practice mean "probably UTF-8, else windows-1252" (browsers decode latin1 as cp1252). */
const WESTERN_ALIASES = new Set(['', 'us-ascii', 'ascii', 'iso-8859-1', 'latin1', 'iso_8859-1', 'l1', 'cp819']);

/** One of each for the process: a decoder is reusable between calls, and building one per preview showed in profiles. */
const UTF8 = new TextDecoder('utf-8');
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true });

function isValidUtf8(bytes: Buffer): boolean {
  try {
    UTF8_STRICT.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Bytes in a declared charset → string. UTF-8 is decoded by the platform; everything else by
 * iconv-lite. A missing, ASCII or Latin-1 label is decoded as UTF-8 when the bytes are valid
 * UTF-8 (mislabelled mail is common) and otherwise as windows-1252 (the WHATWG mapping for
 * Latin-1 labels, which keeps 0x80–0x9F smart quotes). An unknown charset falls back the same way.
 * `partial` drops a multi-byte character cut at the end.
 */
export function decodeCharset(bytes: Buffer, charset: string | undefined, partial = false): string {
  const label = (charset ?? '')
    .trim()
    .toLowerCase()
    .replace(/^["']|["']$/g, '');
  let text: string;
  if (UTF8_ALIASES.has(label)) text = UTF8.decode(bytes);
  else if (WESTERN_ALIASES.has(label) || !iconv.encodingExists(label))
    text = isValidUtf8(bytes) ? bytes.toString('utf8') : iconv.decode(bytes, 'windows-1252');
  else text = iconv.decode(bytes, label);
  // A BOM says nothing the user should see.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return partial ? text.replace(/\uFFFD+$/, '') : text;
}

/**
 * format=flowed (RFC 3676 §4.2): a line ending in a space is joined with the next; with
 * DelSp=yes that space is removed. Quote depth changes end a paragraph; "-- " stays a hard break.
 */
export function decodeFlowed(text: string, delSp = false): string {
  const lines = text.split(/\r?\n/);
  const out: string[] = [];
  let current: string | null = null;
  let currentDepth = 0;
  for (const rawLine of lines) {
    const depth = /^>*/.exec(rawLine)![0].length;
    let line = rawLine.slice(depth);
    if (line.startsWith(' ')) line = line.slice(1); // space-stuffing (§4.4)
    const quote = '>'.repeat(depth) + (depth ? ' ' : '');
    const flowed = line.endsWith(' ') && line !== '-- ';
    if (current !== null && depth !== currentDepth) {
      out.push(current);
      current = null;
    }
    const piece = flowed && delSp ? line.slice(0, -1) : line;
    current = current === null ? quote + piece : current + piece;
    currentDepth = depth;
    if (!flowed) {
      out.push(current);
      current = null;
    }
  }
  if (current !== null) out.push(current);
  return out.join('\n');
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  reg: '®',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  euro: '€',
  zwnj: '',
  zwj: '',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});?/gi, (match, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '';
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? match;
  });
}

/**
 * Visible text of (possibly truncated) HTML, for previews only — never for rendering, which the
 * popup does with DOMPurify. Drops comments, head/style/script/title contents and tags, and an
 * unterminated tag cut by the partial fetch.
 */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<!--[\s\S]*?(-->|$)/g, ' ')
      .replace(/<(head|style|script|title|noscript|template)\b[\s\S]*?(<\/\1\s*>|$)/gi, ' ')
      .replace(/<[^>]*(>|$)/g, ' '),
  );
}

/** Whitespace (including invisible format characters) collapsed to single spaces, cut to `max`. */
export function collapsePreview(text: string, max: number): string {
  const collapsed = text
    .replace(/[\u200B-\u200D\u2060\uFEFF\u00AD]|\u034F/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (collapsed.length <= max) return collapsed;
  // Do not cut a surrogate pair in half.
  let cut = collapsed.slice(0, max);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut;
}
