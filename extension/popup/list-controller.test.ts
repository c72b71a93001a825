import { describe, expect, it } from 'vitest';
import { messageKey } from '../../shared/index.js';
import { messageId, row, rows } from '../testing/mail-fakes.js';
import { setup, started, tick } from '../testing/popup-fakes.js';

describe('PopupController list', () => {
  it('shows cached rows at once, then replaces them with fresh ones', async () => {
    const { popup, views, uids } = setup({ cached: rows(1, 3), listRows: rows(1, 4) });
    popup.start();
    await tick();
    const fromCache = views.find((v) => v.list.fromCache);
    expect(fromCache?.list.rows.map((r) => r.id.uid)).toEqual([3, 2, 1]);
    expect(fromCache?.list.status).toBe('loading');
    expect(uids()).toEqual([4, 3, 2, 1]);
    expect(popup.view.list).toMatchObject({ status: 'ready', fromCache: false });
    expect(popup.view.activeKey).toBe(messageKey(messageId(4)));
  });

  it('asks the relay for the first page once the cached rows are painted, not during the paint', async () => {
    let painted = () => {};
    const paint = new Promise<void>((resolve) => (painted = resolve));
    const { popup, channel, uids } = setup({ cached: rows(1, 3), listRows: rows(1, 4), afterPaint: () => paint });
    popup.start();
    await tick();
    expect(channel.sent.map((b) => b.type)).toContain('cache.list');
    expect(uids()).toEqual([3, 2, 1]);
    // Nothing goes to the relay while the cached rows are being painted (nor the settings).
    expect(channel.relayCalls.map((c) => c.type)).toEqual([]);
    painted();
    await tick();
    expect(channel.relayCalls.map((c) => c.type)).toEqual(['messages.list', 'settings.get']);
    expect(uids()).toEqual([4, 3, 2, 1]);
    expect(popup.view.list).toMatchObject({ status: 'ready', fromCache: false });
  });

  it('asks the relay at once when nothing is cached, without waiting for a paint, and says so', async () => {
    const { popup, channel, uids, views } = setup({ listRows: rows(1, 4), afterPaint: () => new Promise(() => {}) });
    popup.start();
    await tick();
    // The settings right after the list's relay request, never before it.
    expect(channel.relayCalls.map((c) => c.type)).toEqual(['messages.list', 'settings.get']);
    // Meanwhile the list said it waits for the relay alone (the popup shows its skeleton then).
    expect(views.some((v) => v.list.status === 'loading' && v.list.nothingCached === true)).toBe(true);
    expect(uids()).toEqual([4, 3, 2, 1]);
    expect(popup.view.list).toMatchObject({ status: 'ready', fromCache: false });
  });

  it('keeps cached rows with an error when the relay is unreachable, and refreshes when it is back', async () => {
    const { popup, channel, uids } = setup({ cached: rows(1, 3) });
    channel.handlers.delete('messages.list');
    popup.start();
    await tick();
    expect(uids()).toEqual([3, 2, 1]);
    expect(popup.view.list).toMatchObject({ status: 'error', fromCache: true, error: 'popup_errUnreachable' });
    channel.on('messages.list', () => ({ rows: rows(1, 6), nextCursor: null, total: 6 }));
    const snap = (status: 'open' | 'backoff') => ({
      relayUrl: 'ws://127.0.0.1:1',
      pairing: { status: 'paired' as const, deviceId: 'd' },
      connection:
        status === 'open'
          ? { status: 'open' as const, since: 1 }
          : { status: 'backoff' as const, attempt: 1, retryAt: 1, error: 'x' },
      accounts: [],
      accountsAt: null,
    });
    popup.onSnapshot(snap('backoff'));
    popup.onSnapshot(snap('open'));
    await tick();
    expect(uids()).toEqual([6, 5, 4, 3, 2, 1]);
    expect(popup.view.list.status).toBe('ready');
  });

  it('pages with nextCursor and ignores a page that arrives after the scope changed', async () => {
    const { popup, channel } = await started({ listRows: rows(1, 120), pages: true });
    expect(popup.view.list.rows).toHaveLength(50);
    await popup.loadMore();
    expect(popup.view.list.rows).toHaveLength(100);
    expect(popup.view.list.rows[99]?.id.uid).toBe(21);
    const more = popup.loadMore();
    popup.selectAccount('home');
    channel.on('mailboxes.list', () => ({ mailboxes: [] }));
    await more;
    await tick();
    expect(popup.view.list.scope).toEqual({ kind: 'mailbox', accountId: 'home', mailbox: 'INBOX' });
    expect(popup.view.list.rows.every((r) => r.id.uid > 70)).toBe(true);
  });

  it('runs server-side search and goes back to the list on clear', async () => {
    const { popup, channel, uids } = await started();
    channel.on('messages.search', () => ({ rows: [row(2)], nextCursor: null, total: 1 }));
    popup.search('from:sender2 is:unread');
    await tick();
    expect(channel.relayCalls.at(-1)).toMatchObject({
      type: 'messages.search',
      params: { query: { from: 'sender2', unread: true }, scope: { kind: 'unified' } },
    });
    expect(uids()).toEqual([2]);
    // New mail does not join search results.
    channel.push({
      type: 'event',
      event: {
        event: 'message.new',
        seq: 1,
        payload: { accountId: 'work', mailbox: 'INBOX', rows: [row(9)], notify: true },
      },
    });
    expect(uids()).toEqual([2]);
    popup.command('back');
    await tick();
    expect(popup.view.list.search).toBeNull();
    expect(uids()).toEqual([5, 4, 3, 2, 1]);
  });

  it('applies relay events: new mail, flags from another client, messages expunged elsewhere', async () => {
    const { popup, channel, uids } = await started();
    popup.focusRow(messageKey(messageId(3)));
    channel.push({
      type: 'event',
      event: {
        event: 'message.new',
        seq: 1,
        payload: { accountId: 'work', mailbox: 'INBOX', rows: [row(6)], notify: true },
      },
    });
    channel.push({
      type: 'event',
      event: { event: 'message.flags', seq: 2, payload: { id: messageId(2), flags: ['\\Flagged'] } },
    });
    channel.push({
      type: 'event',
      event: {
        event: 'message.expunged',
        seq: 3,
        payload: { accountId: 'work', mailbox: 'INBOX', uidValidity: '1', uids: [3] },
      },
    });
    expect(uids()).toEqual([6, 5, 4, 2, 1]);
    expect(popup.view.list.rows.find((r) => r.id.uid === 2)?.flagged).toBe(true);
    // The focused row went away: the focus moves to the row now in its place.
    expect(popup.view.activeKey).toBe(messageKey(messageId(2)));
  });
});
