import { createServer, type Server } from 'node:net';

/**
 * `count` distinct TCP ports that were free on 127.0.0.1 a moment ago: listen on port 0 that many
 * times, read the ports the kernel chose, then close them all. Every listener stays open until
 * the last port is read, so the ports differ: closed at once, the kernel may hand the same port
 * out again (CI saw Dovecot refuse "duplicate listener" with both its ports the same). Still racy
 * by nature (another process could take a port before the caller binds it), which is acceptable
 * for tests.
 *
 * @example const [imapsPort, starttlsPort] = await freePorts(2);
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      server.unref();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolvePort, reject) => {
          server.once('error', reject);
          server.listen({ host, port: 0, exclusive: true }, () => {
            const address = server.address();
            if (address === null || typeof address === 'string') reject(new Error('freePorts: no TCP address'));
            else resolvePort(address.port);
          });
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolveClose) => server.close(() => resolveClose()))));
  }
}

/**
 * One TCP port that was free on 127.0.0.1 a moment ago (freePorts). Take several at once with
 * `freePorts(n)`: ports taken one after another may be the same.
 *
 * @example const port = await freePort();
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const [port] = await freePorts(1, host);
  return port!;
}
