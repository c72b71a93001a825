// Issue 8: Spanish search found nothing for "reunion" (Dovecot's SEARCH keeps accents).
import { describe, expect, it } from 'vitest';
import { row } from '../testing/mail-fakes.js';
import { setup, tick } from '../testing/popup-fakes.js';

const inbox = [
  row(6, { subject: 'Reunión del lunes' }),
  row(5, { subject: 'Factura' }),
  row(4, { subject: 'Acta', preview: 'lo hablado en la reunión' }),
  row(3, { subject: 'Vacaciones' }),
  row(2, { subject: 'reunion semanal' }),
  row(1, { subject: 'Otra cosa' }),
];

describe('search in the popup: local results first, then the server', () => {
  it('shows accent-folded matches from the list and the cache at once, then merges the server page once each', async () => {
    const { popup, channel, views, uids } = setup({ listRows: inbox.slice(0, 3) });
    // The cached window holds older rows than the list's first page.
    channel.cache.set(JSON.stringify({ kind: 'unified' }), {
      scope: { kind: 'unified' },
      rows: inbox,
      total: 6,
      at: 1,
    });
    popup.start();
    await tick();
    // Like Dovecot: no accent folding on the server; it finds only the unaccented one.
    channel.on('messages.search', () => ({
      rows: [row(2, { subject: 'reunion semanal' })],
      nextCursor: null,
      total: 1,
    }));
    const before = views.length;
    popup.search('reunion');
    await tick();
    const early = views.slice(before).find((v) => v.list.search && v.list.status === 'loading' && v.list.rows.length);
    expect(early?.list.rows.map((r) => r.id.uid)).toEqual([6, 4, 2]);
    expect(uids()).toEqual([6, 4, 2]);
    expect(popup.view.list).toMatchObject({ status: 'ready', total: 3, search: { text: 'reunion' } });
    expect(channel.relayCalls.filter((c) => c.type === 'messages.search')).toHaveLength(1);
  });

  it('keeps the local results with the error when the server search fails', async () => {
    const { popup, channel, uids } = setup({ listRows: inbox });
    popup.start();
    await tick();
    channel.handlers.delete('messages.search');
    popup.search('REUNIÓN');
    await tick();
    expect(uids()).toEqual([6, 4, 2]);
    expect(popup.view.list.status).toBe('error');
  });

  it('searches the plain list again after one search replaced it with results', async () => {
    const { popup, channel, uids } = setup({ listRows: inbox });
    popup.start();
    await tick();
    channel.on('messages.search', () => ({ rows: [], nextCursor: null, total: 0 }));
    popup.search('factura');
    await tick();
    expect(uids()).toEqual([5]);
    popup.search('vacaciones');
    await tick();
    expect(uids()).toEqual([3]);
  });
});
