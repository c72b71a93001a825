import { describe, expect, it } from 'vitest';
import type { PortLike } from '../ui-protocol/port.js';
import { openEarlyPort, takeEarlyPort } from './early-port.js';

/** A Port whose far end the test drives: `deliver` is the background posting, `drop` it going away. */
function fakePort(): PortLike & { sent: unknown[]; deliver(message: unknown): void; drop(): void; closed: boolean } {
  const messageListeners: ((message: unknown) => void)[] = [];
  const disconnectListeners: (() => void)[] = [];
  const port = {
    name: 'ui',
    sent: [] as unknown[],
    closed: false,
    postMessage: (message: unknown) => void port.sent.push(message),
    disconnect: () => void (port.closed = true),
    onMessage: { addListener: (listener: (message: unknown) => void) => void messageListeners.push(listener) },
    onDisconnect: { addListener: (listener: () => void) => void disconnectListeners.push(listener) },
    deliver: (message: unknown) => messageListeners.forEach((listener) => listener(message)),
    drop: () => disconnectListeners.forEach((listener) => listener()),
  };
  return port;
}

/** The next task: when the early Port hands over what it kept. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('early Port (the popup connects before its modules load)', () => {
  it('hands what arrived before the page took the Port to its listener, in order, then live', async () => {
    const host = {};
    const port = fakePort();
    openEarlyPort(() => port, [], host);
    port.deliver({ type: 'state', n: 1 });
    port.deliver({ type: 'state', n: 2 });
    const taken = takeEarlyPort(host);
    const received: unknown[] = [];
    taken?.onMessage.addListener((message) => received.push(message));
    // Arrives after the take, before the hand-over: still behind the first two.
    port.deliver({ type: 'state', n: 3 });
    await nextTask();
    expect(received).toEqual([
      { type: 'state', n: 1 },
      { type: 'state', n: 2 },
      { type: 'state', n: 3 },
    ]);
    port.deliver({ type: 'state', n: 4 });
    expect(received).toHaveLength(4);
    taken?.postMessage({ id: 'u1', type: 'getState' });
    expect(port.sent).toEqual([{ id: 'u1', type: 'getState' }]);
    taken?.disconnect();
    expect(port.closed).toBe(true);
  });

  it('hands over after the run that took the Port, not inside addListener, and not a task later', async () => {
    const host = {};
    const port = fakePort();
    openEarlyPort(() => port, [], host);
    port.deliver({ type: 'outbox', pending: 1 });
    // As TidingsUi and the popup do: open the channel, then register the push listeners.
    const taken = takeEarlyPort(host)!;
    const pushListeners: ((message: unknown) => void)[] = [];
    taken.onMessage.addListener((message) => pushListeners.forEach((listener) => listener(message)));
    const pushes: unknown[] = [];
    pushListeners.push((message) => pushes.push(message));
    expect(pushes).toEqual([]);
    // Handed over once this run ends, in the same task: before the browser renders the page.
    let inSameTask = true;
    setTimeout(() => (inSameTask = false), 0);
    await Promise.resolve();
    expect({ pushes, inSameTask }).toEqual({ pushes: [{ type: 'outbox', pending: 1 }], inSameTask: true });
  });

  it('hands over the rest when a listener throws on one of the kept messages', async () => {
    const host = {};
    const port = fakePort();
    openEarlyPort(() => port, [], host);
    port.deliver('bad');
    port.deliver('good');
    const taken = takeEarlyPort(host)!;
    const received: unknown[] = [];
    taken.onMessage.addListener((message) => {
      if (message === 'bad') throw new Error('listener failed');
      received.push(message);
    });
    const reported = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    await nextTask();
    expect(received).toEqual(['good']);
    expect(await reported).toEqual(new Error('listener failed'));
    port.deliver('later');
    expect(received).toEqual(['good', 'later']);
  });

  it("sends the page's first requests at once, with ids, and says so on the Port it hands over", () => {
    const host = {};
    const port = fakePort();
    openEarlyPort(() => port, [{ type: 'cache.list', scope: { kind: 'unified' } }], host);
    expect(port.sent).toEqual([{ type: 'cache.list', scope: { kind: 'unified' }, id: 'early-1' }]);
    expect(takeEarlyPort(host)?.sentEarly).toEqual([
      { id: 'early-1', body: { type: 'cache.list', scope: { kind: 'unified' } } },
    ]);
  });

  it('is taken once; a page without the early script connects itself', () => {
    const host = {};
    openEarlyPort(fakePort, [], host);
    expect(takeEarlyPort(host)).not.toBeNull();
    expect(takeEarlyPort(host)).toBeNull();
    expect(takeEarlyPort({})).toBeNull();
  });

  it('reports a Port that dropped before it was handed over, after the messages it carried', async () => {
    const host = {};
    const port = fakePort();
    openEarlyPort(() => port, [], host);
    port.deliver({ type: 'state' });
    port.drop();
    const taken = takeEarlyPort(host)!;
    const events: string[] = [];
    taken.onMessage.addListener(() => events.push('message'));
    taken.onDisconnect.addListener(() => events.push('disconnect'));
    expect(events).toEqual([]);
    await nextTask();
    expect(events).toEqual(['message', 'disconnect']);
  });

  it('reports a later drop to the page', async () => {
    const host = {};
    const port = fakePort();
    openEarlyPort(() => port, [], host);
    const taken = takeEarlyPort(host)!;
    let dropped = 0;
    taken.onDisconnect.addListener(() => dropped++);
    await nextTask();
    port.drop();
    expect(dropped).toBe(1);
  });

  it('leaves nothing when connecting fails (the page connects and reports it itself)', () => {
    const host = {};
    openEarlyPort(
      () => {
        throw new Error('Extension context invalidated.');
      },
      [],
      host,
    );
    expect(takeEarlyPort(host)).toBeNull();
  });

  it('opens one Port even if the script runs twice', () => {
    const host = {};
    let connects = 0;
    const connect = () => {
      connects++;
      return fakePort();
    };
    openEarlyPort(connect, [], host);
    openEarlyPort(connect, [], host);
    expect(connects).toBe(1);
  });
});
