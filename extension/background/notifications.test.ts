import { describe, expect, it } from 'vitest';
import type { MailAction, MessageId, MessageRow, ServerEvent } from '../../shared/index.js';
import {
  ERROR_NOTIFICATION_ID,
  MailNotifier,
  notificationIdFor,
  type NotificationActionOutcome,
} from './notifications.js';
import { FakeClock, recordingLogger } from '../testing/fakes.js';
import { memoryKv } from '../testing/mail-fakes.js';
import { fakeNotificationsApi } from '../testing/notification-fakes.js';
import { testTranslator } from '../testing/translator.js';

function id(uid: number, accountId = 'work'): MessageId {
  return { accountId, mailbox: 'INBOX', uidValidity: '3', uid };
}

function row(uid: number, options: { accountId?: string; from?: string; subject?: string; seen?: boolean } = {}) {
  const r: MessageRow = {
    id: id(uid, options.accountId),
    from: [{ name: options.from ?? `Sender ${uid}`, address: `s${uid}@example.com` }],
    to: [],
    subject: options.subject ?? `Subject ${uid}`,
    date: 1,
    flags: options.seen ? ['\\Seen'] : [],
    seen: options.seen ?? false,
    flagged: false,
    answered: false,
    size: 1,
    hasAttachments: false,
    preview: '',
  };
  return r;
}

let seq = 0;
function newMail(rows: MessageRow[], notify = true, accountId = rows[0]?.id.accountId ?? 'work'): ServerEvent {
  return { event: 'message.new', seq: ++seq, payload: { accountId, mailbox: 'INBOX', rows, notify } };
}

function setup(
  options: { lang?: 'en' | 'es'; act?: (ids: MessageId[], a: MailAction) => NotificationActionOutcome } = {},
) {
  const clock = new FakeClock();
  const screen = fakeNotificationsApi(clock.now);
  const store = memoryKv();
  const acted: { ids: MessageId[]; action: MailAction }[] = [];
  const opened: { accountId: string; message: MessageId | null }[] = [];
  const deps = {
    api: screen.api,
    t: testTranslator(options.lang ?? 'en'),
    setTimer: clock.setTimer,
    now: clock.now,
    accountName: (accountId: string) => ({ work: 'Work', home: 'Home' })[accountId] ?? null,
    iconUrl: '/icon/128.png',
    act: async (ids: MessageId[], action: MailAction) => {
      acted.push({ ids, action });
      return options.act?.(ids, action) ?? { ok: true as const };
    },
    open: async (target: { accountId: string; message: MessageId | null }) => {
      opened.push(target);
    },
    store,
    log: recordingLogger(),
    coalesceMs: 2_000,
  };
  const notifier = new MailNotifier(deps);
  /** Lets the async work a timer started finish. */
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
    await notifier.flush();
  };
  return { notifier, clock, screen, store, acted, opened, deps, settle };
}

describe('MailNotifier', () => {
  it('shows the first message at once with sender, subject, account and two buttons', async () => {
    const s = setup();
    s.notifier.onEvent(newMail([row(1, { from: 'Ada Lovelace', subject: 'Lunch?' })]));
    await s.settle();
    expect(s.screen.onScreen.get(notificationIdFor('work'))).toEqual({
      type: 'basic',
      iconUrl: '/icon/128.png',
      title: 'Ada Lovelace',
      message: 'Lunch?',
      contextMessage: 'Work',
      buttons: [{ title: 'Mark as read' }, { title: 'Archive' }],
      priority: 0,
    });
  });

  it('merges a burst into one notification per account', async () => {
    const s = setup();
    for (let uid = 1; uid <= 20; uid++) {
      s.notifier.onEvent(newMail([row(uid)]));
      s.clock.advance(50);
    }
    s.notifier.onEvent(newMail([row(7, { accountId: 'home' })]));
    s.clock.advance(2_000);
    await s.settle();
    expect([...s.screen.onScreen.keys()].sort()).toEqual([notificationIdFor('home'), notificationIdFor('work')]);
    const work = s.screen.onScreen.get(notificationIdFor('work'))!;
    expect(work.title).toBe('20 new messages in Work');
    expect(work.message).toBe('Sender 20: Subject 20\nSender 19: Subject 19\nSender 18: Subject 18\nand 17 more');
    expect(work.buttons).toEqual([{ title: 'Mark all as read' }, { title: 'Archive all' }]);
    expect(s.screen.calls.filter((c) => c.startsWith('create'))).toHaveLength(2);
  });

  it('calls the platform at most once per window during a burst, the first at once (burst benchmark)', async () => {
    const s = setup();
    const start = s.clock.now();
    // 100 messages over 5 s, one every 50 ms.
    for (let uid = 1; uid <= 100; uid++) {
      s.notifier.onEvent(newMail([row(uid)]));
      await s.settle();
      s.clock.advance(50);
    }
    s.clock.advance(2_000);
    await s.settle();
    const at = s.screen.shown.map((c) => c.at);
    expect(at[0]).toBe(start);
    for (let i = 1; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(2_000);
    expect(at.length).toBeLessThanOrEqual(4);
    expect(s.screen.shown.slice(1).every((c) => c.call === 'update')).toBe(true);
    expect(s.screen.onScreen.get(notificationIdFor('work'))?.title).toBe('100 new messages in Work');
  });

  it('gives the window back when the mail was read before it could be shown', async () => {
    const s = setup();
    s.notifier.onEvent(newMail([row(1)]));
    await s.settle();
    s.clock.advance(100);
    s.notifier.onEvent(newMail([row(2)]));
    s.notifier.onEvent({ event: 'message.flags', seq: ++seq, payload: { id: id(2), flags: ['\\Seen'] } });
    s.clock.advance(2_000);
    await s.settle();
    // Message 2 never showed: message 3 is not held back by a window nothing was shown in.
    expect(s.screen.shown).toHaveLength(1);
    s.clock.advance(500);
    s.notifier.onEvent(newMail([row(3)]));
    await s.settle();
    expect(s.screen.shown).toHaveLength(2);
  });

  it('updates the notification still on screen instead of stacking a new one', async () => {
    const s = setup();
    s.notifier.onEvent(newMail([row(1)]));
    s.clock.advance(2_000);
    await s.settle();
    s.notifier.onEvent(newMail([row(2), row(3)]));
    s.clock.advance(2_000);
    await s.settle();
    expect(s.screen.calls).toEqual([`create ${notificationIdFor('work')}`, `update ${notificationIdFor('work')}`]);
    expect(s.screen.onScreen.get(notificationIdFor('work'))?.title).toBe('3 new messages in Work');
    // Once dismissed, the next mail starts a fresh notification.
    await s.screen.api.clear(notificationIdFor('work'));
    await s.notifier.onClosed(notificationIdFor('work'));
    s.notifier.onEvent(newMail([row(4)]));
    s.clock.advance(2_000);
    await s.settle();
    expect(s.screen.onScreen.get(notificationIdFor('work'))?.title).toBe('Sender 4');
  });

  it('stays silent when the relay says not to notify, or when the mail was already read', async () => {
    const s = setup();
    s.notifier.onEvent(newMail([row(1)], false));
    s.notifier.onEvent(newMail([row(2, { seen: true })]));
    s.clock.advance(10_000);
    await s.settle();
    expect(s.screen.calls).toEqual([]);
  });

  it('drops a message read elsewhere during the window, and clears one read after it was shown', async () => {
    const s = setup();
    s.notifier.onEvent(newMail([row(1)]));
    s.notifier.onEvent({ event: 'message.flags', seq: ++seq, payload: { id: id(1), flags: ['\\Seen'] } });
    s.clock.advance(2_000);
    await s.settle();
    expect(s.screen.onScreen.size).toBe(0);
    s.notifier.onEvent(newMail([row(2)]));
    s.clock.advance(2_000);
    await s.settle();
    expect(s.screen.onScreen.size).toBe(1);
    s.notifier.onEvent({
      event: 'message.expunged',
      seq: ++seq,
      payload: { accountId: 'work', mailbox: 'INBOX', uidValidity: '3', uids: [2] },
    });
    await s.settle();
    expect(s.screen.onScreen.size).toBe(0);
  });

  it('shows hostile text literally, without bidi overrides or line breaks', async () => {
    const s = setup();
    s.notifier.onEvent(newMail([row(1, { from: '<b>Eve</b>\u202Egnp.exe', subject: 'a\nb\u2066c' })]));
    s.clock.advance(2_000);
    await s.settle();
    const shown = s.screen.onScreen.get(notificationIdFor('work'))!;
    expect(shown.title).toBe('<b>Eve</b>\uFFFDgnp.exe');
    expect(shown.message).toBe('a b\uFFFDc');
  });

  it('marks every message of the notification as read, or archives them, and clears it', async () => {
    const s = setup();
    s.notifier.onEvent(newMail([row(1), row(2)]));
    s.clock.advance(2_000);
    await s.settle();
    await s.notifier.onButtonClicked(notificationIdFor('work'), 0);
    expect(s.acted).toEqual([{ ids: [id(1), id(2)], action: { kind: 'seen', value: true } }]);
    expect(s.screen.onScreen.size).toBe(0);
    s.notifier.onEvent(newMail([row(3)]));
    s.clock.advance(2_000);
    await s.settle();
    await s.notifier.onButtonClicked(notificationIdFor('work'), 1);
    expect(s.acted[1]).toEqual({ ids: [id(3)], action: { kind: 'archive' } });
  });

  it('remembers what is on screen across a worker restart', async () => {
    const s = setup();
    s.notifier.onEvent(newMail([row(5)]));
    s.clock.advance(2_000);
    await s.settle();
    // A new worker: a fresh notifier over the same session storage.
    const again = new MailNotifier({ ...s.deps });
    await again.onButtonClicked(notificationIdFor('work'), 1);
    expect(s.acted).toEqual([{ ids: [id(5)], action: { kind: 'archive' } }]);
  });

  it('reports a failed action in a notification of its own', async () => {
    const s = setup({ act: () => ({ ok: false, message: 'The relay cannot reach the mail server.' }) });
    s.notifier.onEvent(newMail([row(1)]));
    s.clock.advance(2_000);
    await s.settle();
    await s.notifier.onButtonClicked(notificationIdFor('work'), 1);
    expect(s.screen.onScreen.get(ERROR_NOTIFICATION_ID)?.message).toBe(
      'Archive failed: The relay cannot reach the mail server.',
    );
  });

  it('opens the message on click, or the inbox for a merged notification', async () => {
    const s = setup();
    s.notifier.onEvent(newMail([row(1)]));
    s.notifier.onEvent(newMail([row(2, { accountId: 'home' }), row(3, { accountId: 'home' })]));
    s.clock.advance(2_000);
    await s.settle();
    await s.notifier.onClicked(notificationIdFor('work'));
    await s.notifier.onClicked(notificationIdFor('home'));
    expect(s.opened).toEqual([
      { accountId: 'work', message: id(1) },
      { accountId: 'home', message: null },
    ]);
    expect(s.screen.onScreen.size).toBe(0);
  });

  it('forgets the notifications of a removed account', async () => {
    const s = setup();
    s.notifier.onEvent(newMail([row(1)]));
    s.clock.advance(2_000);
    await s.settle();
    s.notifier.onEvent({ event: 'accounts.changed', seq: ++seq, payload: { accounts: [] } });
    await s.settle();
    expect(s.screen.onScreen.size).toBe(0);
  });

  it('speaks Spanish', async () => {
    const s = setup({ lang: 'es' });
    s.notifier.onEvent(newMail([row(1), row(2, { subject: '' })]));
    s.clock.advance(2_000);
    await s.settle();
    const shown = s.screen.onScreen.get(notificationIdFor('work'))!;
    expect(shown.title).toBe('2 mensajes nuevos en Work');
    expect(shown.message).toBe('Sender 2: (sin asunto)\nSender 1: Subject 1');
    expect(shown.buttons).toEqual([{ title: 'Marcar todos como leídos' }, { title: 'Archivar todos' }]);
  });
});
