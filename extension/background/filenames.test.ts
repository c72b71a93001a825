import { describe, expect, it } from 'vitest';
import { safeFilename } from './filenames.js';

const name = (raw: string) => safeFilename(raw).filename;

describe('safeFilename', () => {
  it('keeps ordinary names, accents and CJK as they are', () => {
    expect(safeFilename('report.pdf')).toEqual({ filename: 'report.pdf', changed: false });
    expect(name('Reunión de año.docx')).toBe('Reunión de año.docx');
    expect(name('会議の議事録.txt')).toBe('会議の議事録.txt');
  });

  // The names the browser refused in issue 13, each now accepted and still recognisable.
  it('flattens paths and renames shell shortcuts so the browser accepts them', () => {
    expect(safeFilename('C:\\Users\\Public\\evil.lnk')).toEqual({
      filename: 'C__Users_Public_evil.lnk.download',
      changed: true,
    });
    expect(name('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(name('x.{20D04FE0-3AEA-1069-A2D8-08002B30309D}')).toBe('x.{20D04FE0-3AEA-1069-A2D8-08002B30309D}.download');
  });

  it('never saves under a Windows device name', () => {
    expect(name('CON')).toBe('_CON');
    expect(name('con.txt')).toBe('_con.txt');
    expect(name('LPT1.tar.gz')).toBe('_LPT1.tar.gz');
    expect(name('console.txt')).toBe('console.txt');
  });

  it('drops invisible and direction-changing characters', () => {
    expect(name('in\u200bvoice\u200d.pdf')).toBe('invoice.pdf');
    expect(name('invoice\u202egnp.exe')).toBe('invoicegnp.exe');
    expect(name('\ufeffbom.txt')).toBe('bom.txt');
    expect(name('tab\there\nnew.txt')).toBe('tab_here_new.txt');
  });

  it('bounds the length and keeps the extension', () => {
    const long = name(`${'a'.repeat(400)}.pdf`);
    expect(long.endsWith('.pdf')).toBe(true);
    expect(long.length).toBeLessThanOrEqual(150);
    expect(name('...')).toBe('attachment');
    expect(name('')).toBe('attachment');
    expect(name('.bashrc')).toBe('bashrc');
    expect(name('..\\..\\x.exe')).toBe('_.._x.exe');
  });
});
