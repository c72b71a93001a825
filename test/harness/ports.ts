import { createServer } from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago: listen on port 0, read the port the kernel
 * chose, close. Racy by nature (another process could take it before the caller binds), which is
 * acceptable for tests; the kernel hands out ephemeral ports round-robin so reuse is unlikely.
 *
 * @example const port = await freePort();
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return await new Promise<number>((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: server has no TCP address'));
        return;
      }
      const { port } = address;
      server.close((error) => (error ? reject(error) : resolvePort(port)));
    });
  });
}
