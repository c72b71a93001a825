import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_USER_SETTINGS, Limits, TidingsError, type RequestType, type ServerEvent } from '../../shared/index.js';
import { MailCache, memoryCacheStore } from './mail-cache.js';
import { checkLink, MailService, type DataPush, type DownloadOptions } from './mail-service.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';
import { FakeClock, recordingLogger } from '../testing/fakes.js';
import { detail, FakeRelay, memoryKv, messageId, row, rows } from '../testing/mail-fakes.js';

const inbox = { kind: 'mailbox', accountId: 'work', mailbox: 'INBOX' } as const;

function snapshot(status: 'open' | 'backoff', deviceId: string | null = 'dev-1'): Snapshot {
  return {
    relayUrl: 'ws://127.0.0.1:8787',
    pairing: deviceId ? { status: 'paired', deviceId } : { status: 'unpaired', revoked: false },
    connection:
      status === 'open' ? { status: 'open', since: 1 } : { status: 'backoff', attempt: 1, retryAt: 2, error: 'x' },
    accounts: [],
    accountsAt: null,
  };
}

function setup(
  options: { download?: (options: DownloadOptions) => Promise<void>; onRelayAsked?: (type: RequestType) => void } = {},
) {
  const relay = new FakeRelay();
  const clock = new FakeClock();
  const cache = new MailCache({ store: memoryCacheStore(), now: clock.now, log: recordingLogger() });
  const opened: string[] = [];
  const downloads: DownloadOptions[] = [];
  const pushes: DataPush[] = [];
  const mail = new MailService({
    relay: {
      request: relay.request,
      isOpen: () => relay.open,
      httpAccess: () => ({ httpBase: 'http://127.0.0.1:8787', token: 'secret-token' }),
    },
    cache,
    store: memoryKv(),
    openTab: async (url) => {
      opened.push(url);
    },
    download:
      options.download ??
      (async (d) => {
        downloads.push(d);
      }),
    now: clock.now,
    setTimer: clock.setTimer,
    log: recordingLogger(),
    ...(options.onRelayAsked ? { onRelayAsked: options.onRelayAsked } : {}),
  });
  mail.subscribe((p) => pushes.push(p));
  return { relay, cache, mail, opened, downloads, pushes, clock };
}

describe('MailService relay proxy', () => {
  it('forwards a request, checks params with the shared schemas, and returns the result', async () => {
    const { mail, relay } = setup();
    relay.on('mailboxes.list', () => ({ mailboxes: [] }));
    expect(
      await mail.handle({ id: '1', type: 'relay', request: { type: 'mailboxes.list', params: { accountId: 'work' } } }),
    ).toEqual({ ok: true, result: { mailboxes: [] } });
    const bad = await mail.handle({
      id: '2',
      type: 'relay',
      request: { type: 'mailboxes.list', params: { accountId: 5 } },
    });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    expect(relay.calls).toHaveLength(1);
  });

  it('says when a request is on its way to the relay: after sending it, before its answer, never for a refused one', async () => {
    const events: string[] = [];
    const { mail, relay } = setup({
      onRelayAsked: (type) => {
        events.push(`${type} asked after ${relay.calls.length} call(s)`);
      },
    });
    let answer: (value: { mailboxes: [] }) => void = () => undefined;
    relay.on('mailboxes.list', () => new Promise((resolve) => (answer = resolve)));
    const reply = mail.handle({
      id: '1',
      type: 'relay',
      request: { type: 'mailboxes.list', params: { accountId: 'work' } },
    });
    await vi.waitFor(() => expect(events).toEqual(['mailboxes.list asked after 1 call(s)']));
    answer({ mailboxes: [] });
    expect(await reply).toEqual({ ok: true, result: { mailboxes: [] } });
    // A message body (the path with its own caching) says so too; a refused request does not.
    relay.on('message.get', () => detail(3));
    await mail.handle({ id: '2', type: 'message.open', messageId: messageId(3) });
    await mail.handle({ id: '3', type: 'relay', request: { type: 'hello', params: {} } });
    await mail.handle({ id: '4', type: 'relay', request: { type: 'mailboxes.list', params: { accountId: 5 } } });
    expect(events).toEqual(['mailboxes.list asked after 1 call(s)', 'message.get asked after 2 call(s)']);
  });

  it('refuses unknown types, hello, and actions that would bypass the outbox', async () => {
    const { mail, relay } = setup();
    for (const type of ['nope', 'hello', 'messages.action']) {
      const reply = await mail.handle({ id: '1', type: 'relay', request: { type, params: {} } });
      expect(reply.ok).toBe(false);
    }
    expect(relay.calls).toHaveLength(0);
  });

  it("passes the relay's error code through when the relay is down", async () => {
    const { mail, relay } = setup();
    relay.open = false;
    mail.onSnapshot(snapshot('backoff'));
    const reply = await mail.handle({ id: '1', type: 'relay', request: { type: 'settings.get', params: {} } });
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNREACHABLE' } });
  });

  it('lets a request made while the worker is first connecting wait for the socket', async () => {
    const { mail, relay, clock } = setup();
    relay.on('settings.get', () => ({ settings: DEFAULT_USER_SETTINGS }));
    relay.open = false;
    mail.onSnapshot({ ...snapshot('backoff'), connection: { status: 'connecting', attempt: 0 } });
    const pending = mail.handle({ id: '1', type: 'relay', request: { type: 'settings.get', params: {} } });
    await new Promise((r) => setTimeout(r, 0));
    relay.open = true;
    mail.onSnapshot(snapshot('open'));
    expect(await pending).toMatchObject({ ok: true });
    // Without an open socket it gives up after the wait.
    relay.open = false;
    mail.onSnapshot({ ...snapshot('backoff'), connection: { status: 'connecting', attempt: 0 } });
    const late = mail.handle({ id: '2', type: 'relay', request: { type: 'settings.get', params: {} } });
    await new Promise((r) => setTimeout(r, 0));
    clock.advance(Limits.relayConnectWaitMs);
    expect(await late).toMatchObject({ ok: false, error: { code: 'UNREACHABLE' } });
  });

  it('caches the first page of a list and serves it from cache.list', async () => {
    const { mail, relay } = setup();
    relay.on('messages.list', () => ({ rows: rows(1, 3), nextCursor: null, total: 3 }));
    await mail.handle({
      id: '1',
      type: 'relay',
      request: { type: 'messages.list', params: { scope: inbox, cursor: null } },
    });
    const cached = await mail.handle({ id: '2', type: 'cache.list', scope: inbox });
    expect(cached.ok && (cached.result as { rows: unknown[] }).rows).toHaveLength(3);
  });

  it('caches opened messages', async () => {
    const { mail, relay } = setup();
    relay.on('message.get', ({ id }) => detail(id.uid));
    await mail.handle({ id: '1', type: 'relay', request: { type: 'message.get', params: { id: messageId(2) } } });
    await mail.flush();
    relay.on('message.get', () => {
      throw new Error('an open of a cached message asked the relay');
    });
    expect(await mail.handle({ id: '2', type: 'message.open', messageId: messageId(2) })).toMatchObject({
      ok: true,
      result: { subject: 'Subject 2' },
    });
  });

  it('opens a message not in the cache from the relay in the same request, and caches it', async () => {
    const { mail, relay } = setup();
    relay.on('message.get', ({ id }) => detail(id.uid));
    expect(await mail.handle({ id: '1', type: 'message.open', messageId: messageId(3) })).toMatchObject({
      ok: true,
      result: { subject: 'Subject 3' },
    });
    await mail.flush();
    expect(relay.calls.filter((c) => c.type === 'message.get')).toHaveLength(1);
    expect(await mail.handle({ id: '2', type: 'message.open', messageId: messageId(3) })).toMatchObject({
      ok: true,
      result: { subject: 'Subject 3' },
    });
    expect(relay.calls.filter((c) => c.type === 'message.get')).toHaveLength(1);
  });

  it('prefetches a message into the cache, so opening it does not ask the relay again', async () => {
    const { mail, relay } = setup();
    relay.on('message.get', ({ id }) => detail(id.uid));
    expect(await mail.handle({ id: '1', type: 'message.prefetch', messageId: messageId(5) })).toEqual({
      ok: true,
      result: { fetched: true },
    });
    await mail.flush();
    expect(await mail.handle({ id: '2', type: 'message.open', messageId: messageId(5) })).toMatchObject({
      ok: true,
      result: { subject: 'Subject 5' },
    });
    expect(relay.calls.filter((c) => c.type === 'message.get')).toHaveLength(1);
    // A cached message is not fetched again by a second prefetch either.
    await mail.handle({ id: '3', type: 'message.prefetch', messageId: messageId(5) });
    expect(relay.calls.filter((c) => c.type === 'message.get')).toHaveLength(1);
  });

  it('an open while the same message is being prefetched waits for that fetch instead of asking twice', async () => {
    const { mail, relay } = setup();
    let answer: (() => void) | undefined;
    relay.on('message.get', ({ id }) => new Promise((resolve) => (answer = () => resolve(detail(id.uid)))));
    const prefetch = mail.handle({ id: '1', type: 'message.prefetch', messageId: messageId(6) });
    await new Promise((r) => setTimeout(r, 0));
    const open = mail.handle({ id: '2', type: 'message.open', messageId: messageId(6) });
    await new Promise((r) => setTimeout(r, 0));
    expect(relay.calls.filter((c) => c.type === 'message.get')).toHaveLength(1);
    answer!();
    expect(await open).toMatchObject({ ok: true, result: { subject: 'Subject 6' } });
    expect(await prefetch).toEqual({ ok: true, result: { fetched: true } });
    expect(relay.calls.filter((c) => c.type === 'message.get')).toHaveLength(1);
  });

  it('does not prefetch while the relay socket is not open, and a failed prefetch is no error', async () => {
    const { mail, relay } = setup();
    relay.on('message.get', () => {
      throw new TidingsError('NOT_FOUND', 'gone');
    });
    relay.open = false;
    expect(await mail.handle({ id: '1', type: 'message.prefetch', messageId: messageId(7) })).toEqual({
      ok: true,
      result: { fetched: false },
    });
    expect(relay.calls).toHaveLength(0);
    relay.open = true;
    expect(await mail.handle({ id: '2', type: 'message.prefetch', messageId: messageId(7) })).toEqual({
      ok: true,
      result: { fetched: false },
    });
    // The failed fetch is not remembered: the open asks again and reports the relay's error.
    expect(await mail.handle({ id: '3', type: 'message.open', messageId: messageId(7) })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
    expect(relay.calls.filter((c) => c.type === 'message.get')).toHaveLength(2);
  });

  it("answers an open the relay refuses with the relay's error code", async () => {
    const { mail, relay } = setup();
    relay.on('message.get', () => {
      throw new TidingsError('NOT_FOUND', 'gone');
    });
    expect(await mail.handle({ id: '1', type: 'message.open', messageId: messageId(4) })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    });
  });
});

describe('MailService actions', () => {
  it('applies optimistically to the cache, sends, and answers with outcomes', async () => {
    const { mail, relay, cache } = setup();
    relay.on('messages.list', () => ({ rows: rows(1, 3), nextCursor: null, total: 3 }));
    await mail.handle({
      id: '1',
      type: 'relay',
      request: { type: 'messages.list', params: { scope: inbox, cursor: null } },
    });
    const reply = await mail.handle({
      id: '2',
      type: 'action',
      params: { actionId: 'act-000001', ids: [messageId(2)], action: { kind: 'archive' } },
    });
    expect(reply).toMatchObject({ ok: true, result: { status: 'done', outcomes: [{ ok: true }] } });
    expect((await cache.getList(inbox))?.rows.map((r) => r.id.uid)).toEqual([3, 1]);
  });

  it('queues offline, keeps queued actions applied over fresh lists, and replays on open', async () => {
    const { mail, relay, pushes } = setup();
    mail.onSnapshot(snapshot('backoff'));
    relay.open = false;
    const reply = await mail.handle({
      id: '1',
      type: 'action',
      params: { actionId: 'act-000002', ids: [messageId(2)], action: { kind: 'delete' } },
    });
    expect(reply).toEqual({ ok: true, result: { status: 'queued' } });
    expect(pushes).toContainEqual({ type: 'outbox', pending: 1 });
    // The relay is back but the action has not been replayed yet: a fresh list still hides it.
    relay.open = true;
    relay.on('messages.list', () => ({ rows: rows(1, 3), nextCursor: null, total: 3 }));
    const list = await mail.handle({
      id: '2',
      type: 'relay',
      request: { type: 'messages.list', params: { scope: inbox, cursor: null } },
    });
    expect(list.ok && (list.result as { rows: { id: { uid: number } }[] }).rows.map((r) => r.id.uid)).toEqual([3, 1]);
    mail.onSnapshot(snapshot('open'));
    await new Promise((r) => setTimeout(r, 0));
    await mail.flush();
    expect(relay.appliedTo(2)).toBe(1);
    expect(pushes).toContainEqual(expect.objectContaining({ type: 'action', actionId: 'act-000002' }));
    expect(pushes.at(-1)).toEqual({
      type: 'action',
      actionId: 'act-000002',
      result: expect.objectContaining({ status: 'done' }),
    });
  });

  it('forgets cached lists when an action fails so they are not shown wrong', async () => {
    const { mail, relay, cache } = setup();
    relay.on('messages.list', () => ({ rows: rows(1, 3), nextCursor: null, total: 3 }));
    await mail.handle({
      id: '1',
      type: 'relay',
      request: { type: 'messages.list', params: { scope: inbox, cursor: null } },
    });
    relay.outcome = (id) => ({ id, ok: false, movedTo: null, error: { code: 'NOT_FOUND', message: 'gone' } });
    await mail.handle({
      id: '2',
      type: 'action',
      params: { actionId: 'act-000003', ids: [messageId(2)], action: { kind: 'junk' } },
    });
    await mail.flush();
    expect(await cache.getList(inbox)).toBeNull();
  });
});

describe('MailService events, links, downloads, unpairing', () => {
  it('applies message events to the cache and forwards the UI-relevant ones', async () => {
    const { mail, relay, cache, pushes } = setup();
    relay.on('messages.list', () => ({ rows: rows(1, 2), nextCursor: null, total: 2 }));
    await mail.handle({
      id: '1',
      type: 'relay',
      request: { type: 'messages.list', params: { scope: inbox, cursor: null } },
    });
    const event: ServerEvent = {
      event: 'message.new',
      seq: 5,
      payload: { accountId: 'work', mailbox: 'INBOX', rows: [row(3)], notify: true },
    };
    mail.onEvent(event);
    mail.onEvent({ event: 'account.state', seq: 6, payload: { accountId: 'work', state: { status: 'stopped' } } });
    await mail.flush();
    expect((await cache.getList(inbox))?.rows.map((r) => r.id.uid)).toEqual([3, 2, 1]);
    expect(pushes.filter((p) => p.type === 'event')).toEqual([{ type: 'event', event }]);
  });

  it('opens only https, http and mailto links', async () => {
    const { mail, opened } = setup();
    for (const url of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'smb://host/share',
      'https://user:pw@evil.example/',
    ]) {
      expect((await mail.handle({ id: '1', type: 'openLink', url })).ok).toBe(false);
    }
    expect((await mail.handle({ id: '2', type: 'openLink', url: 'https://example.org/a?b=c' })).ok).toBe(true);
    expect((await mail.handle({ id: '3', type: 'openLink', url: 'mailto:ada@example.org' })).ok).toBe(true);
    expect(opened).toEqual(['https://example.org/a?b=c', 'mailto:ada@example.org']);
    expect(checkLink(' HTTP://Example.org ')).toBe('http://example.org/');
  });

  it('downloads through the browser from the attachment route with the token in a header, not the URL', async () => {
    const { mail, downloads } = setup();
    const reply = await mail.handle({
      id: '1',
      type: 'download',
      messageId: messageId(9, { mailbox: 'Archive/2024' }),
      attachment: { partId: '2', filename: '../../etc/report.pdf' },
    });
    expect(reply.ok).toBe(true);
    const d = downloads[0]!;
    const url = new URL(d.url);
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:8787/v1/attachment');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      accountId: 'work',
      mailbox: 'Archive/2024',
      uidValidity: '1',
      uid: '9',
      partId: '2',
    });
    expect(d.url).not.toContain('secret-token');
    expect(d.headers).toEqual([{ name: 'Authorization', value: 'Bearer secret-token' }]);
    expect(d.filename).not.toContain('/');
    // The popup is told the name it was saved under, and that it changed.
    expect(reply).toMatchObject({ ok: true, result: { filename: d.filename, changed: true } });
  });

  it('says the browser refused a download, without a relay error code', async () => {
    const { mail } = setup({ download: async () => Promise.reject(new Error('Invalid filename')) });
    const reply = await mail.handle({
      id: '1',
      type: 'download',
      messageId: messageId(9),
      attachment: { partId: '2', filename: 'CON' },
    });
    expect(reply).toEqual({ ok: false, error: { message: 'The browser refused to save "_CON".' } });
  });

  it('clears cache and outbox when the pairing ends', async () => {
    const { mail, relay, cache } = setup();
    mail.onSnapshot(snapshot('open'));
    relay.on('messages.list', () => ({ rows: rows(1, 2), nextCursor: null, total: 2 }));
    await mail.handle({
      id: '1',
      type: 'relay',
      request: { type: 'messages.list', params: { scope: inbox, cursor: null } },
    });
    relay.open = false;
    await mail.handle({
      id: '2',
      type: 'action',
      params: { actionId: 'act-000004', ids: [messageId(1)], action: { kind: 'archive' } },
    });
    expect(mail.pending).toBe(1);
    mail.onSnapshot(snapshot('backoff', null));
    await mail.flush();
    expect(await cache.getList(inbox)).toBeNull();
    expect(mail.pending).toBe(0);
  });
});
