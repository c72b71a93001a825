import { describe, expect, it } from 'vitest';
import type { PortLike } from '../ui-protocol/port.js';
import { openEarlyPort, takeEarlyPort } from './early-port.js';
import { TidingsUi } from './ui-state.svelte.js';

/** A Port whose far end the test drives: `sent` is what the page posted, `deliver` the background. */
function fakePort(): PortLike & { sent: Record<string, unknown>[]; deliver(message: unknown): void } {
  const listeners: ((message: unknown) => void)[] = [];
  const port = {
    name: 'ui',
    sent: [] as Record<string, unknown>[],
    postMessage: (message: unknown) => void port.sent.push(message as Record<string, unknown>),
    disconnect: () => undefined,
    onMessage: { addListener: (listener: (message: unknown) => void) => void listeners.push(listener) },
    onDisconnect: { addListener: () => undefined },
    deliver: (message: unknown) => listeners.forEach((listener) => listener(message)),
  };
  return port;
}

const SNAPSHOT = {
  relayUrl: 'ws://127.0.0.1:1',
  pairing: { status: 'paired', deviceId: 'd' },
  connection: { status: 'open', since: 1 },
  accounts: [],
  accountsAt: null,
};
const reply = (id: string, result: unknown) => ({ type: 'reply', id, ok: true, result, snapshot: SNAPSHOT });
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));
const UNIFIED = { type: 'cache.list', scope: { kind: 'unified' } } as const;

/** A TidingsUi on an early Port that sent `UNIFIED` before the page loaded. */
function earlyUi() {
  const host = {};
  const port = fakePort();
  openEarlyPort(() => port, [UNIFIED], host);
  const ui = new TidingsUi({
    connect: () => takeEarlyPort(host) ?? fakePort(),
    openOptionsPage: () => Promise.resolve(),
  });
  ui.open();
  return { ui, port };
}

describe('TidingsUi on the early Port', () => {
  it("answers the page's first request with the early reply when it is the same request", async () => {
    const { ui, port } = earlyUi();
    port.deliver(reply('early-1', { rows: ['cached'] }));
    const answer = ui.send({ type: 'cache.list', scope: { kind: 'unified' } });
    await nextTask();
    expect(await answer).toEqual({ ok: true, result: { rows: ['cached'] } });
    // Asked once, by the early script.
    expect(port.sent.map((m) => m.id)).toEqual(['early-1']);
  });

  it('takes the early reply that has not arrived yet', async () => {
    const { ui, port } = earlyUi();
    const answer = ui.send({ type: 'cache.list', scope: { kind: 'unified' } });
    await nextTask();
    port.deliver(reply('early-1', null));
    expect(await answer).toEqual({ ok: true, result: null });
    expect(port.sent).toHaveLength(1);
  });

  it('asks itself when its first request is another one, and never hands an early reply out later', async () => {
    const { ui, port } = earlyUi();
    const mailbox = ui.send({ type: 'cache.list', scope: { kind: 'mailbox', accountId: 'a', mailbox: 'INBOX' } });
    await nextTask();
    expect(port.sent.map((m) => m.id)).toEqual(['early-1', 'u1']);
    port.deliver(reply('early-1', { rows: ['unified, old'] }));
    port.deliver(reply('u1', { rows: ['mailbox'] }));
    expect(await mailbox).toEqual({ ok: true, result: { rows: ['mailbox'] } });
    const unified = ui.send({ type: 'cache.list', scope: { kind: 'unified' } });
    expect(port.sent.map((m) => m.id)).toEqual(['early-1', 'u1', 'u2']);
    port.deliver(reply('u2', { rows: ['unified, new'] }));
    expect(await unified).toEqual({ ok: true, result: { rows: ['unified, new'] } });
  });
});
