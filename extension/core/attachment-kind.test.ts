import { describe, expect, it } from 'vitest';
import { attachmentKind } from './attachment-kind.js';

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

  it('says only "file" for unknown types, HTML and names without a known extension', () => {
    expect(attachmentKind('application/octet-stream', 'setup.exe')).toBe('file');
    expect(attachmentKind('text/html', 'page.html')).toBe('file');
    expect(attachmentKind('application/octet-stream', 'constructor')).toBe('file');
    expect(attachmentKind('application/octet-stream', 'x.toString')).toBe('file');
  });
});
