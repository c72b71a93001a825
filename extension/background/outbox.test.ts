import { describe, expect, it } from 'vitest';
import { TidingsError } from '../../shared/index.js';
import type { ActionResult } from '../ui-protocol/data-messages.js';
import { Outbox, OUTBOX_KEY, type OutboxEntry } from './outbox.js';
import { FakeClock, recordingLogger } from '../testing/fakes.js';
import { FakeRelay, memoryKv, messageId } from '../testing/mail-fakes.js';

function setup(options: { relay?: FakeRelay; store?: ReturnType<typeof memoryKv> } = {}) {
  const relay = options.relay ?? new FakeRelay();
  const store = options.store ?? memoryKv();
  const clock = new FakeClock();
  const settled: { entry: OutboxEntry; result: ActionResult }[] = [];
  const pending: number[] = [];
  const outbox = new Outbox({
    store,
    send: (params) => relay.request('messages.action', params),
    sendMarkAllRead: (params) => relay.request('mailbox.markAllRead', params),
    isOpen: () => relay.open,
    onSettled: (entry, result) => settled.push({ entry, result }),
    onPending: (n) => pending.push(n),
    now: clock.now,
    setTimer: clock.setTimer,
    log: recordingLogger(),
  });
  return { relay, store, clock, outbox, settled, pending };
}

const archive = (actionId: string, uid: number) => ({
  actionId,
  ids: [messageId(uid)],
  action: { kind: 'archive' as const },
});

/** Lets queued promise chains run. */
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('Outbox', () => {
  it('sends at once when connected and removes the entry on the ack', async () => {
    const { outbox, relay, store, settled } = setup();
    const result = await outbox.submit(archive('action-0001', 7));
    expect(result).toMatchObject({ status: 'done', outcomes: [{ ok: true }] });
    expect(relay.appliedTo(7)).toBe(1);
    await outbox.flush();
    expect(store.data.get(OUTBOX_KEY)).toEqual([]);
    expect(settled).toHaveLength(1);
  });

  it('writes the action to storage before sending it', async () => {
    const { outbox, relay, store } = setup();
    let storedWhenSent: unknown = null;
    const send = relay.request;
    relay.request = async (type, params) => {
      storedWhenSent = store.data.get(OUTBOX_KEY);
      return await send(type, params);
    };
    await outbox.submit(archive('action-0002', 3));
    expect(storedWhenSent).toEqual([expect.objectContaining({ actionId: 'action-0002' })]);
  });

  it('queues while offline and replays in order on reconnect', async () => {
    const { outbox, relay, pending } = setup();
    relay.open = false;
    expect(await outbox.submit(archive('action-0003', 1))).toEqual({ status: 'queued' });
    expect(
      await outbox.submit({ actionId: 'action-0004', ids: [messageId(2)], action: { kind: 'seen', value: true } }),
    ).toEqual({ status: 'queued' });
    expect(pending.at(-1)).toBe(2);
    relay.open = true;
    outbox.drain();
    await settle();
    await outbox.flush();
    expect(relay.applied.map((a) => a.actionId)).toEqual(['action-0003', 'action-0004']);
    expect(outbox.entries).toHaveLength(0);
    expect(pending.at(-1)).toBe(0);
  });

  it('survives a worker restart: a new outbox over the same storage replays the queue once', async () => {
    const store = memoryKv();
    const relay = new FakeRelay();
    relay.open = false;
    const first = setup({ relay, store });
    await first.outbox.submit(archive('action-0005', 11));
    await first.outbox.flush();
    // The worker is stopped here; a new one starts with the same storage.
    relay.open = true;
    const second = setup({ relay, store });
    await second.outbox.start();
    expect(second.outbox.entries.map((e) => e.actionId)).toEqual(['action-0005']);
    second.outbox.drain();
    await settle();
    expect(relay.appliedTo(11)).toBe(1);
    expect(second.settled[0]?.result.status).toBe('done');
  });

  it('replays an action whose ack was lost with the same actionId; the relay applies it once', async () => {
    const store = memoryKv();
    const relay = new FakeRelay();
    const first = setup({ relay, store });
    // The relay applies the action but the socket drops before the answer arrives.
    const send = relay.request;
    relay.request = async (type, params) => {
      await send(type, params);
      relay.open = false;
      throw new TidingsError('UNREACHABLE', 'request abandoned: the connection to the relay was lost');
    };
    expect(await first.outbox.submit(archive('action-0006', 21))).toEqual({ status: 'queued' });
    relay.request = send;
    relay.open = true;
    first.outbox.drain();
    await settle();
    expect(relay.calls.filter((c) => c.type === 'messages.action')).toHaveLength(2);
    expect(relay.appliedTo(21)).toBe(1);
    expect(first.outbox.entries).toHaveLength(0);
  });

  it('fails at once on a code retrying cannot fix, and reports it', async () => {
    const { outbox, relay, settled } = setup();
    relay.failNextAction = new TidingsError('STALE_UIDVALIDITY', 'mailbox was rebuilt');
    const result = await outbox.submit(archive('action-0007', 4));
    expect(result).toEqual({ status: 'failed', error: { code: 'STALE_UIDVALIDITY', message: 'mailbox was rebuilt' } });
    expect(outbox.entries).toHaveLength(0);
    expect(settled[0]?.result.status).toBe('failed');
  });

  it('retries IMAP_ERROR a few times, then fails', async () => {
    const { outbox, relay, clock, settled } = setup();
    let calls = 0;
    relay.request = async () => {
      calls += 1;
      throw new TidingsError('IMAP_ERROR', 'NO [SERVERBUG]');
    };
    expect(await outbox.submit(archive('action-0008', 4))).toEqual({ status: 'queued' });
    for (let i = 0; i < 5; i++) {
      clock.advance(5_000);
      await settle();
    }
    expect(calls).toBe(3);
    expect(settled[0]?.result).toMatchObject({ status: 'failed', error: { code: 'IMAP_ERROR' } });
  });

  it('keeps transient failures queued without counting attempts', async () => {
    const { outbox, relay, clock } = setup();
    let calls = 0;
    relay.request = async () => {
      calls += 1;
      throw new TidingsError('TIMEOUT', 'the relay did not answer');
    };
    await outbox.submit(archive('action-0009', 4));
    for (let i = 0; i < 5; i++) {
      clock.advance(5_000);
      await settle();
    }
    expect(calls).toBe(6);
    expect(outbox.entries).toHaveLength(1);
    expect(outbox.entries[0]?.attempts).toBe(0);
  });

  it('does not queue the same actionId twice', async () => {
    const { outbox, relay } = setup();
    relay.open = false;
    await outbox.submit(archive('action-0010', 4));
    await outbox.submit(archive('action-0010', 4));
    expect(outbox.entries).toHaveLength(1);
  });

  it('drops invalid stored entries and keeps the valid ones', async () => {
    const store = memoryKv();
    store.data.set(OUTBOX_KEY, [{ nonsense: true }, { ...archive('action-0011', 2), createdAt: 1, attempts: 0 }]);
    const { outbox } = setup({ store });
    await outbox.start();
    expect(outbox.entries.map((e) => e.actionId)).toEqual(['action-0011']);
  });

  it('queues a whole-folder mark-all-read like an action and replays it after a worker restart', async () => {
    const store = memoryKv();
    const relay = new FakeRelay();
    const answer = { uidValidity: '7', uids: [3, 4, 9], marked: 3, undoable: true };
    relay.on('mailbox.markAllRead', () => answer);
    relay.open = false;
    const first = setup({ relay, store });
    const params = { actionId: 'mark-all-0001', accountId: 'acct-1', mailbox: 'INBOX' };
    expect(await first.outbox.submitMarkAllRead(params)).toEqual({ status: 'queued' });
    await first.outbox.flush();
    expect(store.data.get(OUTBOX_KEY)).toEqual([expect.objectContaining({ kind: 'markAllRead', ...params })]);
    relay.open = true;
    const second = setup({ relay, store });
    await second.outbox.start();
    second.outbox.drain();
    await settle();
    expect(relay.calls.filter((c) => c.type === 'mailbox.markAllRead').map((c) => c.params)).toEqual([params]);
    expect(second.settled[0]?.result).toEqual({ status: 'done', outcomes: [], marked: answer });
    expect(second.outbox.entries).toHaveLength(0);
  });

  it('still reads message actions stored before mark-all-read existed (no kind)', async () => {
    const store = memoryKv();
    store.data.set(OUTBOX_KEY, [{ ...archive('action-0100', 5), createdAt: 1, attempts: 0 }]);
    const { outbox, relay } = setup({ store });
    await outbox.start();
    outbox.drain();
    await settle();
    expect(relay.appliedTo(5)).toBe(1);
  });
});
