import { describe, expect, it } from 'vitest';
import { contentDisposition, sanitizeFilename } from './attachment.js';

describe('attachment file names', () => {
  it('removes path separators, control and bidi characters, and leading dots', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(sanitizeFilename('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
    expect(sanitizeFilename('a\r\nb\u0000c.txt')).toBe('abc.txt');
    expect(sanitizeFilename('...')).toBe('attachment');
    expect(sanitizeFilename('x'.repeat(500) + '.pdf')).toMatch(/^x{196}\.pdf$/);
  });

  it('sends an ASCII fallback and the exact UTF-8 name (RFC 6266, RFC 8187)', () => {
    expect(contentDisposition('Größe "final".pdf')).toBe(
      `attachment; filename="Gr__e _final_.pdf"; filename*=UTF-8''Gr%C3%B6%C3%9Fe%20_final_.pdf`,
    );
  });
});
