/**
 * The free-port helper every service fixture takes its ports from (harness/ports.ts). Ports taken
 * one after another can repeat (the kernel may hand a just-closed port out again: CI once started
 * Dovecot with both listeners on one port); ports taken together must not.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePorts } from '../harness/ports.js';

/** Listens on `port` and closes again; rejects if the port is taken. */
async function bindable(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => resolve());
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

describe('freePorts', () => {
  it('hands out distinct ports, each free to bind once it returns', async () => {
    // 200 ports taken one after another, each closed at once, repeated one in 19 of 20 tries here.
    const ports = await freePorts(200);
    expect(ports).toHaveLength(200);
    expect(new Set(ports).size).toBe(200);
    for (const port of ports) await bindable(port);
  });
});
