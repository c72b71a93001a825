import { describe, expect, it } from 'vitest';
import { firstTextFromRaw, parseContentType } from './raw-first-text.js';

const crlf = (text: string) => Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'latin1');

/** A message nested `depth` multiparts deep whose innermost part is plain text. */
function nested(depth: number, text = 'hello from the bottom'): Buffer {
  let body = `Content-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`;
  for (let i = depth - 1; i >= 0; i--) {
    body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}--b${i}--\r\n`;
  }
  return Buffer.from(`Subject: deep\r\nMIME-Version: 1.0\r\n${body}`, 'latin1');
}

describe('regression: a message nested deeper than BODYSTRUCTURE allows showed "no text"', () => {
  it('finds the first text part at depth 1, 100 and 10,000 in one linear pass', () => {
    for (const depth of [1, 100, 10_000]) {
      const started = performance.now();
      const part = firstTextFromRaw(nested(depth), { maxDepth: 20_000 });
      expect(part?.kind, String(depth)).toBe('text');
      expect(part?.body.toString('latin1')).toBe('hello from the bottom');
      expect(part?.charset).toBe('utf-8');
      // Generous: the point is linear, not quadratic (10,000 levels quadratic took minutes).
      expect(performance.now() - started).toBeLessThan(2_000);
    }
  });

  it('stops at maxDepth instead of following the nesting forever', () => {
    expect(firstTextFromRaw(nested(500), { maxDepth: 100 })?.body.toString('latin1')).not.toBe('hello from the bottom');
  });
});

describe('firstTextFromRaw', () => {
  it('skips attachments and non-text parts, and prefers the first text in document order', () => {
    const raw = crlf(`Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: application/pdf
Content-Disposition: attachment; filename="a.pdf"

%PDF
--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/html; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

<p>caf=E9</p>
--inner--
--outer--
`);
    const part = firstTextFromRaw(raw, { maxDepth: 64 });
    expect(part).toMatchObject({ kind: 'html', transferEncoding: 'quoted-printable', charset: 'iso-8859-1' });
    expect(part?.body.toString('latin1')).toBe('<p>caf=E9</p>');
  });

  it('shows the body of a multipart without a boundary instead of hiding it', () => {
    const part = firstTextFromRaw(crlf('Content-Type: multipart/mixed\n\nstill readable\n'), { maxDepth: 64 });
    expect(part?.body.toString('latin1')).toContain('still readable');
  });

  it('answers null for a message with only attachments, and survives garbage', () => {
    const raw = crlf(`Content-Type: multipart/mixed; boundary=x

--x
Content-Type: image/png
Content-Disposition: attachment

PNG
--x--
`);
    expect(firstTextFromRaw(raw, { maxDepth: 64 })).toBeNull();
    for (const junk of [
      '',
      '\r\n',
      '--',
      '\u0000\u0000',
      'Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x--',
    ]) {
      expect(() => firstTextFromRaw(Buffer.from(junk, 'latin1'), { maxDepth: 64 })).not.toThrow();
    }
  });

  it('parses content types with quoted parameters and defaults bad ones to text/plain', () => {
    expect(parseContentType('Multipart/Mixed; boundary="a;b\\"c"; charset=UTF-8')).toEqual({
      type: 'multipart/mixed',
      params: { boundary: 'a;b"c', charset: 'UTF-8' },
    });
    expect(parseContentType('garbage').type).toBe('text/plain');
  });
});
