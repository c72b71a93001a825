import { describe, expect, it } from 'vitest';
import { MailCache, memoryCacheStore } from './mail-cache.js';
import { FakeClock, recordingLogger } from '../testing/fakes.js';
import { messageKey } from '../../shared/index.js';
import { detail, messageId, row, rows } from '../testing/mail-fakes.js';

const unified = { kind: 'unified' } as const;
const inbox = { kind: 'mailbox', accountId: 'work', mailbox: 'INBOX' } as const;
const uids = (list: { id: { uid: number } }[] | undefined) => (list ?? []).map((r) => r.id.uid);

function setup(store = memoryCacheStore(), limits: { rowsPerScope?: number; scopes?: number; bodies?: number } = {}) {
  const clock = new FakeClock();
  const cache = new MailCache({ store, now: clock.now, log: recordingLogger(), ...limits });
  return { cache, store, clock };
}

describe('MailCache', () => {
  it('returns null for a scope never listed', async () => {
    expect(await setup().cache.getList(unified)).toBeNull();
  });

  it('replaces on a first page, appends later pages, and caps rows per scope', async () => {
    const { cache } = setup(undefined, { rowsPerScope: 120 });
    await cache.putPage(inbox, { rows: rows(151, 200), total: 200 }, { first: true });
    await cache.putPage(inbox, { rows: rows(101, 150), total: 200 }, { first: false });
    await cache.putPage(inbox, { rows: rows(51, 100), total: 200 }, { first: false });
    const list = await cache.getList(inbox);
    expect(list?.rows).toHaveLength(120);
    expect(list?.rows[0]?.id.uid).toBe(200);
    await cache.putPage(inbox, { rows: rows(160, 210), total: 210 }, { first: true });
    expect(uids((await cache.getList(inbox))?.rows)).toEqual(uids(rows(160, 210)));
  });

  it('persists: a new cache over the same store (worker restart) sees the lists', async () => {
    const store = memoryCacheStore();
    const first = setup(store);
    await first.cache.putPage(unified, { rows: rows(1, 5), total: 5 }, { first: true });
    await first.cache.flush();
    const second = setup(store);
    expect(uids((await second.cache.getList(unified))?.rows)).toEqual([5, 4, 3, 2, 1]);
  });

  it('drops the least recently used scope past the bound', async () => {
    const { cache, store } = setup(undefined, { scopes: 2 });
    const scope = (mailbox: string) => ({ kind: 'mailbox', accountId: 'work', mailbox }) as const;
    await cache.putPage(scope('A'), { rows: rows(1, 2), total: 2 }, { first: true });
    await cache.putPage(scope('B'), { rows: rows(1, 2), total: 2 }, { first: true });
    await cache.getList(scope('A'));
    await cache.putPage(scope('C'), { rows: rows(1, 2), total: 2 }, { first: true });
    await cache.flush();
    expect(await cache.getList(scope('B'))).toBeNull();
    expect(await cache.getList(scope('A'))).not.toBeNull();
    expect([...store.data.keys()].filter((k) => k.startsWith('lists'))).toHaveLength(2);
  });

  it('keeps the last N opened bodies', async () => {
    const { cache } = setup(undefined, { bodies: 2 });
    await cache.putMessage(detail(1));
    await cache.putMessage(detail(2));
    await cache.getMessage(messageId(1));
    await cache.putMessage(detail(3));
    await cache.flush();
    expect(await cache.getMessage(messageId(2))).toBeNull();
    expect((await cache.getMessage(messageId(1)))?.message.subject).toBe('Subject 1');
    expect((await cache.getMessage(messageId(3)))?.message.subject).toBe('Subject 3');
  });

  it('applies relay events to every cached list', async () => {
    const { cache } = setup();
    await cache.putPage(unified, { rows: rows(1, 3), total: 3 }, { first: true });
    await cache.putPage(inbox, { rows: rows(1, 3), total: 3 }, { first: true });
    await cache.applyEvent({
      event: 'message.new',
      payload: { accountId: 'work', mailbox: 'INBOX', rows: [row(4)], notify: true },
    });
    await cache.applyEvent({ event: 'message.flags', payload: { id: messageId(2), flags: ['\\Seen'] } });
    await cache.applyEvent({
      event: 'message.expunged',
      payload: { accountId: 'work', mailbox: 'INBOX', uidValidity: '1', uids: [1] },
    });
    for (const scope of [unified, inbox]) {
      const list = await cache.getList(scope);
      expect(uids(list?.rows)).toEqual([4, 3, 2]);
      expect(list?.rows.find((r) => r.id.uid === 2)?.seen).toBe(true);
      expect(list?.total).toBe(3);
    }
  });

  it('applies optimistic actions and forgets lists that may hold a failed one', async () => {
    const { cache } = setup();
    await cache.putPage(inbox, { rows: rows(1, 3), total: 3 }, { first: true });
    await cache.applyAction([messageId(2)], { kind: 'archive' });
    expect(uids((await cache.getList(inbox))?.rows)).toEqual([3, 1]);
    await cache.forgetListsHolding([messageId(2)]);
    expect(await cache.getList(inbox)).toBeNull();
  });

  it('answers a body that was never stored without reading the store; a stored one after a restart', async () => {
    const store = memoryCacheStore();
    const first = setup(store);
    await first.cache.putMessage(detail(1));
    await first.cache.flush();
    const second = setup(store);
    expect((await second.cache.getMessage(messageId(1)))?.message.subject).toBe('Subject 1');
    const reads: string[] = [];
    const get = store.get.bind(store);
    store.get = async (area, key) => {
      reads.push(area);
      return await get(area, key);
    };
    expect(await second.cache.getMessage(messageId(2))).toBeNull();
    expect(reads).toEqual([]);
  });

  it('drops invalid stored data instead of showing it', async () => {
    const store = memoryCacheStore();
    store.data.set('lists\u0000unified', { scope: { kind: 'unified' }, rows: [{ broken: true }], total: 1, at: 1 });
    store.data.set(`bodies\u0000${messageKey(messageId(1))}`, { message: { nope: 1 }, at: 1 });
    store.data.set('meta\u0000lru', { lists: [], bodies: [messageKey(messageId(1))] });
    const { cache } = setup(store);
    expect(await cache.getList(unified)).toBeNull();
    expect(await cache.getMessage(messageId(1))).toBeNull();
  });

  it('clears everything', async () => {
    const { cache, store } = setup();
    await cache.putPage(unified, { rows: rows(1, 3), total: 3 }, { first: true });
    await cache.putMessage(detail(1));
    await cache.clear();
    expect(await cache.getList(unified)).toBeNull();
    expect(store.data.size).toBe(0);
  });
});
