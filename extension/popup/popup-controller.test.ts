import { describe, expect, it } from 'vitest';
import {
  DEFAULT_USER_SETTINGS,
  messageKey,
  TidingsError,
  type ActionOutcome,
  type ErrorCode,
  type MailAction,
  type MessageId,
  type MessageRow,
  type RequestParams,
  type RequestResult,
  type RequestType,
  type UserSettings,
} from '../../shared/index.js';
import type { ActionResult, DataRequest } from '../ui-protocol/data-messages.js';
import type { DataPushMessage, UiReply } from '../ui-protocol/messages.js';
import { PopupController, UNDO_WINDOW_MS, type PopupChannel, type PopupView } from './popup-controller.js';
import { FakeClock } from '../testing/fakes.js';
import { detail, messageId, row, rows } from '../testing/mail-fakes.js';
import type { DataRequestBody, RelayReply } from '../ui/ui-state.svelte.js';

type Answer = ActionResult | 'hold';

/** The background as the popup sees it: scripted relay answers, a cache, and pushes. */
class FakeChannel implements PopupChannel {
  cache = new Map<string, unknown>();
  bodies = new Map<string, unknown>();
  relayCalls: { type: RequestType; params: unknown }[] = [];
  sent: DataRequestBody[] = [];
  /** Per request type: a function returning the result, or throwing a TidingsError. */
  handlers = new Map<RequestType, (params: unknown) => unknown>();
  /** How the next actions are answered (FIFO); default done with movedTo for moves. */
  actionAnswers: Answer[] = [];
  held: { resolve: (reply: UiReply) => void; params: unknown }[] = [];
  #listeners = new Set<(push: DataPushMessage) => void>();

  on<T extends RequestType>(type: T, fn: (params: RequestParams<T>) => RequestResult<T>): this {
    this.handlers.set(type, fn as (params: unknown) => unknown);
    return this;
  }

  async relay<T extends RequestType>(type: T, params: RequestParams<T>): Promise<RelayReply<RequestResult<T>>> {
    this.relayCalls.push({ type, params });
    await Promise.resolve();
    const fn = this.handlers.get(type);
    if (!fn) return { ok: false, error: { code: 'UNREACHABLE', message: 'not connected to the relay' } };
    try {
      return { ok: true, value: fn(params) as RequestResult<T> };
    } catch (error) {
      const e = error instanceof TidingsError ? error : new TidingsError('INTERNAL', String(error));
      return { ok: false, error: { code: e.code, message: e.message } };
    }
  }

  async send(body: DataRequestBody): Promise<UiReply> {
    this.sent.push(body);
    await Promise.resolve();
    switch (body.type) {
      case 'cache.list':
        return { ok: true, result: this.cache.get(JSON.stringify(body.scope)) ?? null };
      case 'cache.message':
        return { ok: true, result: this.bodies.get(messageKey(body.messageId)) ?? null };
      case 'action': {
        const answer = this.actionAnswers.shift() ?? done(body.params.ids, body.params.action);
        if (answer === 'hold') return await new Promise((resolve) => this.held.push({ resolve, params: body.params }));
        return { ok: true, result: answer };
      }
      default:
        return { ok: true, result: null };
    }
  }

  onPush(listener: (push: DataPushMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  push(push: DataPushMessage): void {
    for (const l of this.#listeners) l(push);
  }

  actions(): Extract<DataRequest, { type: 'action' }>['params'][] {
    return this.sent.flatMap((b) => (b.type === 'action' ? [b.params] : []));
  }
}

function outcome(id: MessageId, action: MailAction, ok = true, code: ErrorCode = 'NOT_FOUND'): ActionOutcome {
  const moved =
    action.kind === 'seen' || action.kind === 'flagged' ? null : action.kind === 'move' ? action.to : 'Archive';
  return {
    id,
    ok,
    movedTo: ok && moved ? { ...id, mailbox: moved, uid: id.uid + 1000 } : null,
    error: ok ? null : { code, message: 'gone' },
  };
}

function done(ids: MessageId[], action: MailAction): ActionResult {
  return { status: 'done', outcomes: ids.map((id) => outcome(id, action)) };
}

const tick = async (n = 6) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};

function setup(options: { listRows?: MessageRow[]; cached?: MessageRow[]; pages?: boolean } = {}) {
  const channel = new FakeChannel();
  const clock = new FakeClock();
  let n = 0;
  const views: PopupView[] = [];
  const listRows = options.listRows ?? rows(1, 5);
  channel.on('messages.list', (p) => {
    if (!options.pages) return { rows: listRows, nextCursor: null, total: listRows.length };
    const start = p.cursor === null ? 0 : Number(p.cursor);
    const page = listRows.slice(start, start + 50);
    const next = start + 50 < listRows.length ? String(start + 50) : null;
    return { rows: page, nextCursor: next, total: listRows.length };
  });
  channel.on('settings.get', () => ({ settings: DEFAULT_USER_SETTINGS }));
  if (options.cached) {
    channel.cache.set(JSON.stringify({ kind: 'unified' }), {
      scope: { kind: 'unified' },
      rows: options.cached,
      total: options.cached.length,
      at: 1,
    });
  }
  const popup = new PopupController({
    channel,
    t: (key, subs) => (subs === undefined ? key : `${key}(${[subs].flat().join('|')})`),
    now: clock.now,
    newId: () => `action-${String(++n).padStart(4, '0')}`,
    setTimer: clock.setTimer,
    onChange: (v) => views.push(v),
  });
  const uids = () => popup.view.list.rows.map((r) => r.id.uid);
  return { channel, clock, popup, views, uids };
}

async function started(options: Parameters<typeof setup>[0] = {}) {
  const s = setup(options);
  s.popup.start();
  await tick();
  return s;
}

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

describe('PopupController actions', () => {
  it('archives optimistically, moves the focus to the next row, and offers undo', async () => {
    const { popup, channel, uids } = await started();
    popup.focusRow(messageKey(messageId(4)));
    channel.actionAnswers.push('hold');
    popup.command('archive');
    expect(uids()).toEqual([5, 3, 2, 1]);
    expect(popup.view.activeKey).toBe(messageKey(messageId(3)));
    expect(popup.view.toast).toMatchObject({ tone: 'info', text: 'popup_toastArchivedOne', undo: ['action-0001'] });
    expect(channel.actions()).toEqual([{ actionId: 'action-0001', ids: [messageId(4)], action: { kind: 'archive' } }]);
  });

  it('rolls back a failed action into place and says why', async () => {
    const { popup, channel, uids } = await started();
    popup.focusRow(messageKey(messageId(4)));
    channel.actionAnswers.push({ status: 'failed', error: { code: 'STALE_UIDVALIDITY', message: 'rebuilt' } });
    popup.command('delete');
    await tick();
    expect(uids()).toEqual([5, 4, 3, 2, 1]);
    expect(popup.view.toast).toMatchObject({ tone: 'error', text: 'popup_failDelete(popup_errStale)', undo: null });
  });

  it('rolls back only the messages whose outcome failed', async () => {
    const { popup, channel, uids } = await started();
    popup.toggleSelected(messageKey(messageId(2)));
    popup.toggleSelected(messageKey(messageId(4)));
    const action: MailAction = { kind: 'junk' };
    channel.actionAnswers.push({
      status: 'done',
      outcomes: [outcome(messageId(4), action), outcome(messageId(2), action, false)],
    });
    popup.command('junk');
    await tick();
    expect(uids()).toEqual([5, 3, 2, 1]);
    expect(popup.view.toast?.text).toBe('popup_failJunk(popup_errNotFound)');
    expect(popup.view.selected.size).toBe(0);
  });

  it('keeps a queued action applied and settles it when the background reports back', async () => {
    const { popup, channel, uids } = await started();
    popup.focusRow(messageKey(messageId(5)));
    channel.actionAnswers.push({ status: 'queued' });
    popup.command('flag');
    await tick();
    expect(popup.view.list.rows[0]?.flagged).toBe(true);
    channel.push({
      type: 'action',
      actionId: 'action-0001',
      result: { status: 'failed', error: { code: 'NOT_FOUND', message: 'gone' } },
    });
    expect(popup.view.list.rows[0]?.flagged).toBe(false);
    expect(uids()).toEqual([5, 4, 3, 2, 1]);
    expect(popup.view.toast?.text).toBe('popup_failFlag(popup_errNotFound)');
  });

  it('toggles read and flag for a selection: set unless all have it, then clear', async () => {
    const { popup, channel } = await started({ listRows: [row(2, { seen: true, flags: ['\\Seen'] }), row(1)] });
    popup.toggleSelected(messageKey(messageId(1)));
    popup.toggleSelected(messageKey(messageId(2)));
    popup.command('read');
    expect(channel.actions().at(-1)?.action).toEqual({ kind: 'seen', value: true });
    expect(popup.view.list.rows.every((r) => r.seen)).toBe(true);
    popup.command('read');
    expect(channel.actions().at(-1)?.action).toEqual({ kind: 'seen', value: false });
  });

  it('sends one action per account for a unified selection', async () => {
    const list = [row(3), row(2, { id: { accountId: 'home' } }), row(1)];
    const { popup, channel } = await started({ listRows: list });
    for (const r of list) popup.toggleSelected(messageKey(r.id));
    popup.command('archive');
    await tick();
    expect(channel.actions().map((a) => a.ids.map((id) => `${id.accountId}:${id.uid}`))).toEqual([
      ['work:3', 'work:1'],
      ['home:2'],
    ]);
    expect(popup.view.list.rows).toHaveLength(0);
    // Move needs one account's folders.
    for (const r of list)
      channel.push({
        type: 'event',
        event: {
          event: 'message.new',
          seq: 9,
          payload: { accountId: r.id.accountId, mailbox: 'INBOX', rows: [r], notify: false },
        },
      });
    for (const r of list) popup.toggleSelected(messageKey(r.id));
    popup.command('move');
    expect(popup.view.dialog).toBeNull();
    expect(popup.view.toast?.text).toBe('popup_errMoveAccounts');
  });

  it('undo moves the messages back by their new identities and fixes the restored rows', async () => {
    const { popup, channel, uids, clock } = await started();
    popup.focusRow(messageKey(messageId(4)));
    popup.command('archive');
    await tick();
    expect(uids()).toEqual([5, 3, 2, 1]);
    popup.command('undo');
    expect(uids()).toEqual([5, 4, 3, 2, 1]);
    await tick();
    const undo = channel.actions().at(-1)!;
    expect(undo.action).toEqual({ kind: 'move', to: 'INBOX' });
    expect(undo.ids).toEqual([{ ...messageId(4), mailbox: 'Archive', uid: 1004 }]);
    // The move back gave the message a new UID in INBOX; the row carries it now.
    const restored = popup.view.list.rows[1]!;
    expect(restored.id).toEqual({ ...messageId(4), mailbox: 'INBOX', uid: 2004 });
    expect(restored.subject).toBe('Subject 4');
    expect(popup.view.toast).toBeNull();
    clock.advance(UNDO_WINDOW_MS);
  });

  it('undo pressed before the action was answered waits for its outcome', async () => {
    const { popup, channel, uids } = await started();
    popup.focusRow(messageKey(messageId(2)));
    channel.actionAnswers.push('hold');
    popup.command('delete');
    await tick();
    popup.undo();
    expect(uids()).toEqual([5, 4, 3, 2, 1]);
    expect(channel.actions()).toHaveLength(1);
    const held = channel.held[0]!;
    held.resolve({ ok: true, result: done([messageId(2)], { kind: 'delete' }) });
    await tick();
    expect(channel.actions()).toHaveLength(2);
    expect(channel.actions()[1]?.action).toEqual({ kind: 'move', to: 'INBOX' });
    // A restored row never appears twice, even when message.new for its new UID came first.
    channel.push({
      type: 'event',
      event: {
        event: 'message.new',
        seq: 1,
        payload: { accountId: 'work', mailbox: 'INBOX', rows: [row(2, { id: { uid: 3002 } })], notify: false },
      },
    });
    expect(uids().filter((u) => u === 2 || u === 3002)).toHaveLength(1);
  });

  it('the undo toast expires after the undo window', async () => {
    const { popup, clock } = await started();
    popup.command('archive');
    await tick();
    expect(popup.view.toast?.undo).not.toBeNull();
    clock.advance(UNDO_WINDOW_MS + 1);
    expect(popup.view.toast).toBeNull();
    expect(popup.command('undo')).toBe(false);
  });
});

describe('PopupController message screen and keys', () => {
  it('opens with Enter from the cache or the relay, marks it read, and goes back with Esc', async () => {
    const { popup, channel } = await started();
    channel.on('message.get', ({ id }) => detail(id.uid));
    popup.command('next');
    expect(popup.view.activeKey).toBe(messageKey(messageId(4)));
    popup.command('open');
    await tick();
    expect(popup.view.screen).toBe('message');
    expect(popup.view.message?.data?.subject).toBe('Subject 4');
    expect(channel.actions().at(-1)).toMatchObject({ ids: [messageId(4)], action: { kind: 'seen', value: true } });
    expect(popup.view.list.rows.find((r) => r.id.uid === 4)?.seen).toBe(true);
    // j in the message screen opens the next message.
    channel.bodies.set(messageKey(messageId(3)), detail(3));
    popup.command('next');
    await tick();
    expect(popup.view.message?.data?.subject).toBe('Subject 3');
    expect(channel.relayCalls.filter((c) => c.type === 'message.get')).toHaveLength(1);
    popup.command('back');
    expect(popup.view.screen).toBe('list');
  });

  it('opens the message a notification asked for, in its mailbox, and marks it read', async () => {
    const s = setup({ listRows: rows(1, 3) });
    s.channel.on('mailboxes.list', () => ({ mailboxes: [] }));
    s.channel.on('message.get', ({ id }) => detail(id.uid));
    s.popup.start({ accountId: 'work', message: messageId(2) });
    await tick();
    expect(s.popup.view.screen).toBe('message');
    expect(s.popup.view.message?.data?.subject).toBe('Subject 2');
    expect(s.popup.view.list.scope).toEqual({ kind: 'mailbox', accountId: 'work', mailbox: 'INBOX' });
    expect(s.channel.actions().at(-1)).toMatchObject({ ids: [messageId(2)], action: { kind: 'seen', value: true } });
    s.popup.command('back');
    expect(s.popup.view.screen).toBe('list');
    expect(s.popup.view.list.rows.find((r) => r.id.uid === 2)?.seen).toBe(true);
  });

  it('archiving the open message returns to the list', async () => {
    const { popup, channel, uids } = await started();
    channel.on('message.get', ({ id }) => detail(id.uid));
    await popup.openMessage(messageKey(messageId(5)));
    popup.command('archive');
    expect(popup.view.screen).toBe('list');
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
});
