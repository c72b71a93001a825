import type { BodyKind } from './mime-structure.js';

/**
 * The first displayable text part of a raw RFC 5322 message, found by one linear scan — for
 * messages whose BODYSTRUCTURE the IMAP library gives up on (imapflow stops at 100 levels of
 * nesting and returns none, so a deeply nested message showed "no text" although its first part
 * was plain text: issue 12). Boundaries are kept on a stack as multiparts open and close, so the
 * cost is O(bytes) however deep the nesting; depth is capped by `maxDepth` all the same.
 * Attachments and attached messages are skipped like the structure walker skips them.
 */
export interface RawTextPart {
  kind: BodyKind;
  /** The part's body, still in its transfer encoding. */
  body: Buffer;
  transferEncoding: string | undefined;
  charset: string | undefined;
  format: string | undefined;
  delsp: string | undefined;
}

interface Delimiter {
  lineStart: number;
  lineEnd: number;
  boundary: string;
  close: boolean;
}

/** `type/subtype; a=b; c="d"` → lower-case type and parameters (names lower-cased). */
export function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  const params: Record<string, string> = {};
  if (!value) return { type: 'text/plain', params };
  const [head = '', ...rest] = splitParams(value);
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq <= 0) continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[p.slice(0, eq).trim().toLowerCase()] = v;
  }
  const type = head.trim().toLowerCase();
  return { type: /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? type : 'text/plain', params };
}

function splitParams(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && quoted) {
      current += c + (value[i + 1] ?? '');
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
      current += c;
    } else if (c === ';' && !quoted) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}

/** Headers of the entity starting at `start` (unfolded, names lower-cased) and where its body starts. */
function readHeaders(s: string, start: number): { headers: Map<string, string>; bodyStart: number } {
  const headers = new Map<string, string>();
  // Line by line up to the first empty line: searching for "\r\n\r\n" would scan to the end of
  // the message for every entity without one (quadratic on deep nesting).
  let i = start;
  let end = s.length;
  let bodyStart = s.length;
  while (i < s.length) {
    const nl = s.indexOf('\n', i);
    const lineEnd = nl < 0 ? s.length : nl;
    if (lineEnd === i || (lineEnd === i + 1 && s[i] === '\r')) {
      end = i;
      bodyStart = nl < 0 ? s.length : nl + 1;
      break;
    }
    if (nl < 0) break;
    i = nl + 1;
  }
  const block = s.slice(start, end).replace(/\r?\n[ \t]+/g, ' ');
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return { headers, bodyStart };
}

/** The next line at or after `from` that is a delimiter of an open boundary. */
function nextDelimiter(s: string, from: number, open: Set<string>): Delimiter | null {
  let i = from;
  while (i < s.length) {
    const nl = s.indexOf('\n', i);
    const lineEnd = nl < 0 ? s.length : nl + 1;
    if (s.startsWith('--', i)) {
      let b = s.slice(i + 2, nl < 0 ? s.length : nl).replace(/[ \t\r]+$/, '');
      let close = false;
      if (!open.has(b) && b.endsWith('--') && open.has(b.slice(0, -2))) {
        b = b.slice(0, -2);
        close = true;
      }
      if (open.has(b)) return { lineStart: i, lineEnd, boundary: b, close };
    }
    if (nl < 0) return null;
    i = lineEnd;
  }
  return null;
}

/**
 * @example
 * const part = firstTextFromRaw(source, { maxDepth: 10_000 });
 * if (part) decodeCharset(decodeTransferEncoding(part.body, part.transferEncoding), part.charset);
 */
export function firstTextFromRaw(raw: Buffer, options: { maxDepth: number }): RawTextPart | null {
  // latin1 maps each byte to one UTF-16 unit, so string offsets are byte offsets.
  const s = raw.toString('latin1');
  const stack: string[] = [];
  const open = new Set<string>();
  const closeTo = (boundary: string, inclusive: boolean) => {
    while (stack.length > 0) {
      const top = stack.at(-1)!;
      if (top === boundary && !inclusive) return;
      stack.pop();
      open.delete(top);
      if (top === boundary) return;
    }
  };
  /** After a part: the start of the next entity, or -1 at the end of everything. */
  const advance = (from: number): number => {
    let d = nextDelimiter(s, from, open);
    while (d && d.close) {
      closeTo(d.boundary, true);
      d = nextDelimiter(s, d.lineEnd, open);
    }
    if (!d) return -1;
    closeTo(d.boundary, false);
    return d.lineEnd;
  };

  let entity = 0;
  while (entity >= 0 && entity <= s.length) {
    const { headers, bodyStart } = readHeaders(s, entity);
    const { type, params } = parseContentType(headers.get('content-type'));
    const disposition = parseContentType(headers.get('content-disposition')).type.split('/')[0] ?? '';
    const boundary = params.boundary;
    if (type.startsWith('multipart/') && boundary && !open.has(boundary) && stack.length < options.maxDepth) {
      stack.push(boundary);
      open.add(boundary);
      entity = advance(bodyStart);
      continue;
    }
    const isAttachment = (headers.get('content-disposition') ?? '').toLowerCase().startsWith('attachment');
    // A multipart without a usable boundary is shown as text rather than hidden.
    const kind: BodyKind | null =
      isAttachment || disposition === 'attachment'
        ? null
        : type === 'text/html'
          ? 'html'
          : type === 'text/plain' || type.startsWith('multipart/')
            ? 'text'
            : null;
    if (kind) {
      const end = nextDelimiter(s, bodyStart, open)?.lineStart ?? s.length;
      // The line break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
      let bodyEnd = end;
      if (end < s.length || open.size > 0) {
        if (s.startsWith('\r\n', bodyEnd - 2)) bodyEnd -= 2;
        else if (s[bodyEnd - 1] === '\n') bodyEnd -= 1;
      }
      return {
        kind,
        body: raw.subarray(bodyStart, Math.max(bodyStart, bodyEnd)),
        transferEncoding: headers.get('content-transfer-encoding')?.toLowerCase(),
        charset: params.charset,
        format: params.format,
        delsp: params.delsp,
      };
    }
    if (open.size === 0) return null;
    entity = advance(bodyStart);
  }
  return null;
}
