import { describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLocale, SUPPORTED_LOCALES } from '../i18n/locales.js';
import { ATTACHMENT_KINDS, attachmentKind } from './attachment-kind.js';

describe('attachmentKind', () => {
  it('names common office, image and archive types by their Content-Type', () => {
    expect(attachmentKind('application/pdf', 'x')).toBe('pdf');
    expect(attachmentKind('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'x')).toBe('word');
    expect(attachmentKind('Application/ZIP; name="a.zip"', 'x')).toBe('zip');
    expect(attachmentKind('application/gzip', 'x')).toBe('archive');
    expect(attachmentKind('image/png', 'x')).toBe('image');
    expect(attachmentKind('text/calendar; method=REQUEST', 'invite.ics')).toBe('calendar');
  });

  it('falls back to the extension when the type is generic', () => {
    expect(attachmentKind('application/octet-stream', 'Report.PDF')).toBe('pdf');
    expect(attachmentKind('application/octet-stream', 'sheet.xlsx')).toBe('spreadsheet');
    expect(attachmentKind('', 'photos.zip')).toBe('zip');
  });

  it('has a label for every kind in every language', () => {
    const localesDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'locales');
    for (const lang of SUPPORTED_LOCALES) {
      const messages = loadLocale(localesDir, lang);
      for (const kind of ATTACHMENT_KINDS) expect(messages[`message_kind_${kind}`], `${lang}: ${kind}`).toBeDefined();
    }
  });

  it('says only "file" for unknown types, HTML and names without a known extension', () => {
    expect(attachmentKind('application/octet-stream', 'setup.exe')).toBe('file');
    expect(attachmentKind('text/html', 'page.html')).toBe('file');
    expect(attachmentKind('application/octet-stream', 'constructor')).toBe('file');
    expect(attachmentKind('application/octet-stream', 'x.toString')).toBe('file');
  });
});
