import { describe, expect, it } from 'vitest';
import { row } from '../testing/mail-fakes.js';
import { fold, localMatcher, mergeResults, searchLocally } from './local-search.js';

const spanish = [
  row(5, { subject: 'Reunión del lunes', preview: 'Nos vemos a las diez' }),
  row(4, { subject: 'Acta', preview: 'Lo hablado en la reunión de ayer' }),
  row(3, { subject: 'Cumpleaños', from: [{ name: 'Iñigo Muñoz', address: 'inigo@example.es' }] }),
  row(2, { subject: 'REUNION ANUAL', seen: true, flags: ['\\Seen'] }),
  row(1, { subject: 'Reunir los datos' }),
];
const uids = (rows: readonly { id: { uid: number } }[]) => rows.map((r) => r.id.uid);

describe('local search folding', () => {
  it('folds case and accents: NFD, combining marks dropped, lower case', () => {
    expect(fold('Reunión')).toBe('reunion');
    expect(fold('REUNIÓN')).toBe('reunion');
    // Precomposed and decomposed forms are the same text.
    expect(fold('reunio\u0301n')).toBe(fold('reuni\u00f3n'));
    expect(fold('Año, pingüino, acción')).toBe('ano, pinguino, accion');
  });

  it('"n" finds "ñ", as Gmail does (and "ñ" finds "n")', () => {
    expect(uids(searchLocally(spanish, { text: 'cumpleanos' }))).toEqual([3]);
    expect(uids(searchLocally(spanish, { from: 'munoz' }))).toEqual([3]);
    expect(uids(searchLocally(spanish, { from: 'muñoz' }))).toEqual([3]);
  });

  it('"reunion" finds "Reunión", "reunión" and "REUNION" in subject or preview, not "Reunir"', () => {
    expect(uids(searchLocally(spanish, { text: 'reunion' }))).toEqual([5, 4, 2]);
    expect(uids(searchLocally(spanish, { text: 'reunión' }))).toEqual([5, 4, 2]);
    expect(uids(searchLocally(spanish, { subject: 'reunion' }))).toEqual([5, 2]);
  });

  it('needs every word of free text, anywhere; applies is:unread and is:flagged', () => {
    expect(uids(searchLocally(spanish, { text: 'lunes reunion' }))).toEqual([5]);
    expect(uids(searchLocally(spanish, { text: 'reunion martes' }))).toEqual([]);
    expect(uids(searchLocally(spanish, { text: 'reunion', unread: true }))).toEqual([5, 4]);
    expect(localMatcher({ flagged: true })(row(1, { flagged: true }))).toBe(true);
    expect(localMatcher({ flagged: true })(row(1))).toBe(false);
  });

  it('lists each row once, newest first, whatever the pool holds', () => {
    expect(uids(searchLocally([spanish[2]!, ...spanish, spanish[0]!], { text: 'reunion' }))).toEqual([5, 4, 2]);
  });
});

describe('merging local and server results', () => {
  it('adds the local rows the server did not match, once, by date', () => {
    const local = [row(9, { subject: 'Reunión' }), row(4, { subject: 'reunión' })];
    const merged = mergeResults(local, { rows: [row(7), row(4)], nextCursor: null, total: 2 });
    expect(uids(merged.rows)).toEqual([9, 7, 4]);
    expect(merged.total).toBe(3);
  });

  it('counts a local-only row older than the server page only when the server has no more pages', () => {
    const local = [row(2)];
    expect(mergeResults(local, { rows: [row(7), row(5)], nextCursor: 'more', total: 40 }).total).toBe(40);
    expect(mergeResults(local, { rows: [row(7), row(5)], nextCursor: null, total: 2 }).total).toBe(3);
  });
});
