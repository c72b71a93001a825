import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import {
  collapsePreview,
  decodeBase64,
  decodeCharset,
  decodeFlowed,
  decodeQuotedPrintable,
  decodeTransferEncoding,
  htmlToText,
} from './decode.js';

describe('charset decoding', () => {
  it('keeps windows-1252 smart quotes (0x93/0x94) that Node 20 TextDecoder drops', () => {
    const bytes = Buffer.from([0x93, 0x68, 0x69, 0x94, 0x20, 0x80]);
    expect(decodeCharset(bytes, 'windows-1252')).toBe('\u201chi\u201d \u20ac');
    // Latin-1 labels decode as windows-1252 (the WHATWG mapping browsers use).
    expect(decodeCharset(bytes, 'ISO-8859-1')).toBe('\u201chi\u201d \u20ac');
  });

  it('decodes legacy charsets with iconv-lite', () => {
    expect(decodeCharset(iconv.encode('Grüße', 'iso-8859-15'), 'iso-8859-15')).toBe('Grüße');
    expect(decodeCharset(iconv.encode('こんにちは', 'shift_jis'), 'Shift_JIS')).toBe('こんにちは');
    expect(decodeCharset(iconv.encode('привет', 'koi8-r'), '"koi8-r"')).toBe('привет');
  });

  it('treats a missing, ASCII or unknown label as UTF-8 when valid, else windows-1252', () => {
    expect(decodeCharset(Buffer.from('Grüße', 'utf8'), undefined)).toBe('Grüße');
    expect(decodeCharset(Buffer.from('Grüße', 'utf8'), 'us-ascii')).toBe('Grüße');
    expect(decodeCharset(Buffer.from([0x47, 0x72, 0xfc, 0xdf, 0x65]), 'x-unknown-charset')).toBe('Grüße');
  });

  it('drops a multi-byte character cut by a partial fetch', () => {
    const cut = Buffer.from('ab€', 'utf8').subarray(0, 4);
    expect(decodeCharset(cut, 'utf-8', true)).toBe('ab');
  });
});

describe('transfer encodings', () => {
  it('decodes base64 leniently, skipping junk and cut quanta', () => {
    expect(decodeBase64(Buffer.from('SGVs\r\nbG8=')).toString()).toBe('Hello');
    expect(decodeBase64(Buffer.from('SGVsbG8gd29ybGQ!!!@@@###')).toString()).toBe('Hello world');
    expect(decodeBase64(Buffer.from('SGk=SGk=\r\nSGVsbG8=')).toString()).toBe('HiHiHello');
    expect(decodeBase64(Buffer.from('SGVsbG8gd2'), true).toString()).toBe('Hello ');
  });

  it('decodes quoted-printable, keeping malformed escapes and dropping a cut one', () => {
    expect(decodeQuotedPrintable(Buffer.from('Gr=C3=BC=C3=9Fe=\r\n and =ZZ')).toString()).toBe('Grüße and =ZZ');
    expect(decodeCharset(decodeQuotedPrintable(Buffer.from('caf=C3=A9 =C3'), true), 'utf-8', true)).toBe('café ');
    expect(decodeQuotedPrintable(Buffer.from('abc=C'), true).toString()).toBe('abc');
    expect(decodeTransferEncoding(Buffer.from('=93hi=94'), 'Quoted-Printable')).toEqual(
      Buffer.from([0x93, 0x68, 0x69, 0x94]),
    );
  });

  it('passes 7bit/8bit/binary through', () => {
    expect(decodeTransferEncoding(Buffer.from('a=b'), '7bit').toString()).toBe('a=b');
    expect(decodeTransferEncoding(Buffer.from('a=b'), undefined).toString()).toBe('a=b');
  });
});

describe('format=flowed (RFC 3676)', () => {
  it('joins soft-broken lines and keeps hard breaks and the signature separator', () => {
    expect(decodeFlowed('Hello \r\nworld\r\n-- \r\nsig')).toBe('Hello world\n-- \nsig');
    expect(decodeFlowed('Hel \r\nlo', true)).toBe('Hello');
    expect(decodeFlowed('> quoted \r\n> more\r\nplain')).toBe('> quoted more\nplain');
  });
});

describe('previews', () => {
  it('turns (truncated) HTML into visible text only', () => {
    const html =
      '<html><head><title>T</title><style>p{color:red}</style></head><body><!-- c --><p>Hi&nbsp;there &amp; you&#33;</p><script>x()</script><a href="x">link</a><img src="x';
    expect(collapsePreview(htmlToText(html), 200)).toBe('Hi there & you! link');
  });

  it('collapses whitespace and invisible characters and cuts at a code point', () => {
    expect(collapsePreview('  a\r\n\tb\u200b c  ', 200)).toBe('a b c');
    expect(collapsePreview('ab😀c', 3)).toBe('ab');
  });
});
