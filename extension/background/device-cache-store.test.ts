import { describe, expect, it } from 'vitest';
import { deviceCacheStore } from './device-cache-store.js';
import { MailCache, memoryCacheStore } from './mail-cache.js';
import { FakeClock, recordingLogger } from '../testing/fakes.js';
import { detail, messageId, rows } from '../testing/mail-fakes.js';

const inbox = { kind: 'mailbox', accountId: 'work', mailbox: 'INBOX' } as const;

function setup(memoryOnly: Promise<boolean>) {
  const disk = memoryCacheStore();
  const store = deviceCacheStore({ persistent: disk, memoryOnly, log: recordingLogger() });
  const cache = new MailCache({ store, now: new FakeClock().now, log: recordingLogger() });
  return { disk, store, cache };
}

describe('deviceCacheStore (keep no mail on this device)', () => {
  it('with the setting off, caches lists and bodies in the persistent store', async () => {
    const { disk, cache, store } = setup(Promise.resolve(false));
    await cache.putPage(inbox, { rows: rows(1, 3), total: 3 }, { first: true });
    await cache.putMessage(detail(2));
    await cache.flush();
    expect(store.mode()).toBe('persistent');
    expect([...disk.data.keys()].some((k) => k.startsWith('bodies'))).toBe(true);
    expect([...disk.data.keys()].some((k) => k.startsWith('lists'))).toBe(true);
  });

  it('with the setting on from the start, writes nothing to the persistent store but still serves the cache', async () => {
    const { disk, cache, store } = setup(Promise.resolve(true));
    await cache.putPage(inbox, { rows: rows(1, 3), total: 3 }, { first: true });
    await cache.putMessage(detail(2));
    await cache.flush();
    expect(store.mode()).toBe('memory');
    expect(disk.data.size).toBe(0);
    expect((await cache.getMessage(messageId(2)))?.message.id.uid).toBe(2);
    expect((await cache.getList(inbox))?.rows).toHaveLength(3);
  });

  it('waits for the stored setting before touching the persistent store', async () => {
    let answer!: (on: boolean) => void;
    const { disk, cache } = setup(new Promise<boolean>((resolve) => (answer = resolve)));
    const write = cache.putMessage(detail(7));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(disk.data.size).toBe(0);
    answer(true);
    await write;
    await cache.flush();
    expect(disk.data.size).toBe(0);
  });

  it('starts opening the persistent store while the setting is still being read, and writes nothing to it', async () => {
    let answer!: (on: boolean) => void;
    const disk = memoryCacheStore();
    let prepared = 0;
    const store = deviceCacheStore({
      persistent: { ...disk, prepare: () => void prepared++ },
      memoryOnly: new Promise<boolean>((resolve) => (answer = resolve)),
      log: recordingLogger(),
    });
    expect(prepared).toBe(1);
    const cache = new MailCache({ store, now: new FakeClock().now, log: recordingLogger() });
    const write = cache.putMessage(detail(7));
    answer(true);
    await write;
    await cache.flush();
    expect(disk.data.size).toBe(0);
  });

  it('keeps mail in memory when the setting cannot be read', async () => {
    const { disk, cache, store } = setup(Promise.reject(new Error('storage broke')));
    await cache.putMessage(detail(3));
    await cache.flush();
    expect(store.mode()).toBe('memory');
    expect(disk.data.size).toBe(0);
  });

  it('switching on wipes the persistent store at once, and later writes stay in memory', async () => {
    const { disk, cache, store } = setup(Promise.resolve(false));
    await cache.putPage(inbox, { rows: rows(1, 3), total: 3 }, { first: true });
    await cache.putMessage(detail(2));
    await cache.flush();
    expect(disk.data.size).toBeGreaterThan(0);
    await store.setMemoryOnly(true);
    expect(disk.data.size).toBe(0);
    await cache.putMessage(detail(3));
    await cache.putPage(inbox, { rows: rows(1, 5), total: 5 }, { first: true });
    await cache.flush();
    expect(disk.data.size).toBe(0);
    expect((await cache.getMessage(messageId(3)))?.message.id.uid).toBe(3);
  });

  it('switching off goes back to the persistent store', async () => {
    const { disk, cache, store } = setup(Promise.resolve(true));
    await store.setMemoryOnly(false);
    await cache.putMessage(detail(4));
    await cache.flush();
    expect(store.mode()).toBe('persistent');
    expect([...disk.data.keys()].some((k) => k.startsWith('bodies'))).toBe(true);
  });
});
