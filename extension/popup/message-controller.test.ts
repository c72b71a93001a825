import { describe, expect, it } from 'vitest';
import { DEFAULT_USER_SETTINGS, messageKey, TidingsError, type UserSettings } from '../../shared/index.js';
import { pairedSnapshot } from '../testing/fakes.js';
import { detail, messageId, row, rows } from '../testing/mail-fakes.js';
import { PREFETCH_AFTER_MS } from './message-controller.js';
import { openSubject, setup, started, tick } from '../testing/popup-fakes.js';

describe('PopupController message screen and keys', () => {
  it('opens with Enter from the cache or the relay, marks it read, and goes back with Esc', async () => {
    const { popup, channel } = await started();
    channel.on('message.get', ({ id }) => detail(id.uid));
    popup.command('next');
    expect(popup.view.activeKey).toBe(messageKey(messageId(4)));
    popup.command('open');
    await tick();
    expect(popup.view.screen.kind).toBe('message');
    expect(openSubject(popup.view)).toBe('Subject 4');
    expect(channel.actions().at(-1)).toMatchObject({ ids: [messageId(4)], action: { kind: 'seen', value: true } });
    expect(popup.view.list.rows.find((r) => r.id.uid === 4)?.seen).toBe(true);
    // j in the message screen opens the next message.
    channel.bodies.set(messageKey(messageId(3)), detail(3));
    popup.command('next');
    await tick();
    expect(openSubject(popup.view)).toBe('Subject 3');
    expect(channel.relayCalls.filter((c) => c.type === 'message.get')).toHaveLength(1);
    popup.command('back');
    expect(popup.view.screen.kind).toBe('list');
  });

  it('prefetches the message below one that stays open (what j opens next), not one skipped past', async () => {
    const { popup, channel, clock } = await started();
    channel.on('message.get', ({ id }) => detail(id.uid));
    const prefetched = () => channel.sent.flatMap((b) => (b.type === 'message.prefetch' ? [b.messageId.uid] : []));
    await popup.openMessage(messageKey(messageId(4)));
    expect(openSubject(popup.view)).toBe('Subject 4');
    clock.advance(PREFETCH_AFTER_MS - 1);
    expect(prefetched()).toEqual([]);
    clock.advance(1);
    expect(prefetched()).toEqual([3]);
    // Skipped past with j before the wait is over, then left with Esc: nothing more.
    await popup.openMessage(messageKey(messageId(3)));
    popup.command('next');
    await tick();
    expect(openSubject(popup.view)).toBe('Subject 2');
    popup.command('back');
    clock.advance(PREFETCH_AFTER_MS);
    expect(prefetched()).toEqual([3]);
    // The last row has nothing below it.
    await popup.openMessage(messageKey(messageId(1)));
    clock.advance(PREFETCH_AFTER_MS);
    expect(prefetched()).toEqual([3]);
    // An open that failed prefetches nothing.
    channel.on('message.get', () => {
      throw new TidingsError('NOT_FOUND', 'gone');
    });
    await popup.openMessage(messageKey(messageId(3)));
    expect(popup.view.screen.kind === 'message' && popup.view.screen.message.status).toBe('error');
    clock.advance(PREFETCH_AFTER_MS);
    expect(prefetched()).toEqual([3]);
  });

  it('opens the message a notification asked for, in its mailbox, and marks it read', async () => {
    const s = setup({ listRows: rows(1, 3) });
    s.channel.on('mailboxes.list', () => ({ mailboxes: [] }));
    s.channel.on('message.get', ({ id }) => detail(id.uid));
    s.popup.start({ accountId: 'work', message: messageId(2) });
    await tick();
    expect(s.popup.view.screen.kind).toBe('message');
    expect(openSubject(s.popup.view)).toBe('Subject 2');
    expect(s.popup.view.list.scope).toEqual({ kind: 'mailbox', accountId: 'work', mailbox: 'INBOX' });
    expect(s.channel.actions().at(-1)).toMatchObject({ ids: [messageId(2)], action: { kind: 'seen', value: true } });
    s.popup.command('back');
    expect(s.popup.view.screen.kind).toBe('list');
    expect(s.popup.view.list.rows.find((r) => r.id.uid === 2)?.seen).toBe(true);
  });

  it('archiving the open message returns to the list', async () => {
    const { popup, channel, uids } = await started();
    channel.on('message.get', ({ id }) => detail(id.uid));
    await popup.openMessage(messageKey(messageId(5)));
    popup.command('archive');
    expect(popup.view.screen.kind).toBe('list');
    expect(uids()).toEqual([4, 3, 2, 1]);
  });

  it('dialogs take Esc and ? and leave other keys alone', async () => {
    const { popup, channel } = await started();
    channel.on('mailboxes.list', () => ({ mailboxes: [] }));
    popup.command('help');
    expect(popup.view.dialog).toEqual({ kind: 'help' });
    expect(popup.command('archive')).toBe(false);
    popup.command('back');
    expect(popup.view.dialog).toBeNull();
    popup.command('move');
    expect(popup.view.dialog).toEqual({ kind: 'move', accountId: 'work' });
    popup.command('back');
    expect(popup.view.dialog).toBeNull();
    expect(popup.command('search')).toBe(true);
    expect(popup.view.focusSearch).toBe(1);
  });

  it('"always show images" adds the lower-cased sender to the relay settings', async () => {
    const { popup, channel } = await started({
      listRows: [row(1, { from: [{ name: 'Ada', address: 'Ada@Example.ORG' }] })],
    });
    let saved: UserSettings | null = null;
    channel.on('settings.set', ({ settings }) => {
      saved = settings;
      return { settings };
    });
    channel.on('message.get', () => ({ ...detail(1), from: [{ name: 'Ada', address: 'Ada@Example.ORG' }] }));
    await popup.openMessage(messageKey(messageId(1)));
    expect(popup.remoteAllowed()).toBe(false);
    await popup.showImages('always');
    expect(saved!.remoteImagesAllowed).toEqual(['ada@example.org']);
    expect(popup.remoteAllowed()).toBe(true);
    popup.back();
    await popup.openMessage(messageKey(messageId(1)));
    expect(popup.remoteAllowed()).toBe(true);
  });

  it('previews only png, jpeg, gif and webp attachments, as data: URLs', async () => {
    const { popup, channel } = await started();
    channel.on('message.get', ({ id }) => detail(id.uid));
    channel.on('message.part', () => ({ contentType: 'image/png', dataBase64: 'iVBORw0KGgo=', truncated: false }));
    await popup.openMessage(messageKey(messageId(5)));
    const att = { partId: '2', filename: 'a.png', size: 10, inline: false, contentId: null };
    expect(await popup.imagePreview({ ...att, contentType: 'image/png' })).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(await popup.imagePreview({ ...att, contentType: 'image/svg+xml' })).toBeNull();
    expect(await popup.imagePreview({ ...att, contentType: 'text/html' })).toBeNull();
  });

  it('hands the saved name to the attachment list, and says the browser (not the server) refused one', async () => {
    const { popup, channel } = await started();
    channel.on('message.get', ({ id }) => detail(id.uid));
    await popup.openMessage(messageKey(messageId(3)));
    await tick();
    const attachment = {
      partId: '2',
      filename: 'C:\\Users\\Public\\evil.lnk',
      contentType: 'application/octet-stream',
      size: 10,
      inline: false,
      contentId: null,
    };
    await popup.download(attachment);
    expect(popup.view.toast).toBeNull();
    channel.downloadReply = { ok: true, result: { filename: 'C__Users_Public_evil.lnk.download', changed: true } };
    // The saved name goes back to the attachment list, which says "Saved as … (renamed…)" beside
    // the button (test/e2e/popup-triage.test.ts), so no toast covers it.
    expect(await popup.download(attachment)).toEqual({ filename: 'C__Users_Public_evil.lnk.download', changed: true });
    expect(popup.view.toast).toBeNull();
    channel.downloadReply = { ok: false, error: { message: 'The browser refused to save "x".' } };
    await popup.download(attachment);
    expect(popup.view.toast).toMatchObject({
      tone: 'error',
      text: 'popup_errDownloadRefused(C:\\Users\\Public\\evil.lnk)',
    });
    channel.downloadReply = { ok: false, error: { code: 'NOT_FOUND', message: 'gone' } };
    await popup.download(attachment);
    expect(popup.view.toast?.text).toBe('popup_errDownload(popup_errNotFound)');
  });

  describe('settings', () => {
    const snapshot = (status: 'open' | 'backoff') =>
      pairedSnapshot(
        status === 'open' ? {} : { connection: { status: 'backoff', attempt: 1, retryAt: 1, error: 'x' } },
      );
    const asks = (channel: { relayCalls: { type: string }[] }) =>
      channel.relayCalls.filter((c) => c.type === 'settings.get').length;

    it('asks once when the socket opens while the first ask is still waiting for it', async () => {
      const { popup, channel } = setup();
      let answer = (): void => undefined;
      channel.on(
        'settings.get',
        () =>
          new Promise((resolve) => {
            answer = () => resolve({ settings: { ...DEFAULT_USER_SETTINGS, remoteImagesAllowed: ['a@example.com'] } });
          }),
      );
      popup.start();
      await tick();
      popup.onSnapshot(snapshot('backoff'));
      popup.onSnapshot(snapshot('open'));
      await tick();
      expect(asks(channel)).toBe(1);
      answer();
      await tick();
      expect(popup.view.settings?.remoteImagesAllowed).toEqual(['a@example.com']);
    });

    it('asks again on the next connect after an ask failed', async () => {
      const { popup, channel } = setup();
      channel.handlers.delete('settings.get');
      popup.start();
      await tick();
      expect(popup.view.settings).toBeNull();
      channel.on('settings.get', () => ({ settings: DEFAULT_USER_SETTINGS }));
      popup.onSnapshot(snapshot('backoff'));
      popup.onSnapshot(snapshot('open'));
      await tick();
      expect(asks(channel)).toBe(2);
      expect(popup.view.settings).toEqual(DEFAULT_USER_SETTINGS);
    });
  });
});
