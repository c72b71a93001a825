/**
 * Proves the userland TCP fault proxy (test/harness/fault-proxy.ts) the issue-8 suites rely on:
 * plain forwarding, latency, stall and resume, blackhole, reset, half-close and the reply-drop
 * trigger, against a local echo server (no mail server needed).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';

let echo: Server;
let echoPort: number;

beforeAll(async () => {
  echo = createServer((s) => {
    s.on('error', () => undefined);
    s.on('data', (d) => s.write(d));
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((r) => echo.close(() => r()));
});

async function open(proxy: FaultProxy): Promise<{ socket: Socket; received: () => string; events: string[] }> {
  const socket = connect({ host: proxy.host, port: proxy.port });
  let text = '';
  const events: string[] = [];
  socket.on('data', (d: Buffer) => (text += d.toString()));
  socket.on('end', () => events.push('end'));
  socket.on('error', (e: NodeJS.ErrnoException) => events.push(`error:${e.code}`));
  socket.on('close', () => events.push('close'));
  await new Promise<void>((r) => socket.once('connect', () => r()));
  return { socket, received: () => text, events };
}

async function until(check: () => boolean, ms = 2_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return check();
}

describe('fault proxy', () => {
  it('forwards, delays, stalls and resumes, and blackholes', async () => {
    await using proxy = await startFaultProxy({ host: '127.0.0.1', port: echoPort });
    const c = await open(proxy);
    c.socket.write('a');
    expect(await until(() => c.received() === 'a')).toBe(true);

    proxy.setLatency(300);
    const sent = Date.now();
    c.socket.write('b');
    expect(await until(() => c.received() === 'ab')).toBe(true);
    // Both directions are delayed.
    expect(Date.now() - sent).toBeGreaterThanOrEqual(550);
    proxy.setLatency(0);

    proxy.stall();
    c.socket.write('c');
    expect(await until(() => c.received().length > 2, 300)).toBe(false);
    proxy.resume();
    expect(await until(() => c.received() === 'abc')).toBe(true);

    proxy.blackhole();
    c.socket.write('d');
    const fresh = await open(proxy);
    fresh.socket.write('e');
    expect(await until(() => c.received().length > 3 || fresh.received().length > 0, 300)).toBe(false);
    proxy.resume();
    c.socket.destroy();
    fresh.socket.destroy();
  });

  it('resets with RST and half-closes with FIN', async () => {
    await using proxy = await startFaultProxy({ host: '127.0.0.1', port: echoPort });
    const a = await open(proxy);
    await until(() => proxy.connections === 1);
    proxy.reset();
    expect(await until(() => a.events.includes('error:ECONNRESET'))).toBe(true);

    const b = await open(proxy);
    await until(() => proxy.connections === 1);
    proxy.halfClose();
    expect(await until(() => b.events.includes('end'))).toBe(true);
    expect(b.events).not.toContain('error:ECONNRESET');
    b.socket.destroy();
  });

  it('drops the replies after a marker the client sent, and only on that connection', async () => {
    await using proxy = await startFaultProxy({ host: '127.0.0.1', port: echoPort });
    const a = await open(proxy);
    const b = await open(proxy);
    const fired = proxy.dropRepliesAfter('UID MOVE');
    a.socket.write('x1 UID MOVE 5 Archive\r\n');
    await fired;
    b.socket.write('ok');
    expect(await until(() => b.received() === 'ok')).toBe(true);
    expect(await until(() => a.received().length > 0, 300)).toBe(false);
    a.socket.destroy();
    b.socket.destroy();
  });
});
