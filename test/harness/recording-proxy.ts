import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A transparent TCP proxy that records what clients send, line by line, per connection: for
 * asserting the IMAP commands the relay sends (test/integration/mail-list.test.ts checks that a
 * page costs the same commands whatever the mailbox size).
 *
 * Why a proxy and not a logger inside the relay: the suites run the relay as its own process, and
 * a proxy sees exactly what goes on the wire without test hooks in production code. It can only
 * read plaintext, so the account under test uses the harness's explicit plaintext opt-in
 * (`security: 'plain'`, Dovecot's STARTTLS port without STARTTLS); the commands a page needs do
 * not depend on the transport.
 *
 * @example
 * await using proxy = await startRecordingProxy({ host: dovecot.host, port: dovecot.starttlsPort });
 * await addAccountViaCli(relay.dataDir, { ...dovecot, starttlsPort: proxy.port }, user, { security: 'plain' });
 * proxy.connections().find((lines) => lines.some((l) => / SELECT /.test(l)));
 */
export interface RecordingProxy extends AsyncDisposable {
  readonly port: number;
  /** Client→server lines (CRLF stripped) of every connection so far, oldest connection first. */
  connections(): string[][];
  close(): Promise<void>;
}

export async function startRecordingProxy(target: { host: string; port: number }): Promise<RecordingProxy> {
  const recorded: string[][] = [];
  const sockets = new Set<Socket>();
  // No Nagle on either side, as fault-proxy.ts: recording must not slow the traffic down.
  const server = createServer({ noDelay: true }, (client) => {
    const lines: string[] = [];
    recorded.push(lines);
    let partial = '';
    const upstream = createConnection({ host: target.host, port: target.port, noDelay: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      // latin1 keeps every byte as one character, so literals never break the line split.
      partial += chunk.toString('latin1');
      const parts = partial.split('\r\n');
      partial = parts.pop() ?? '';
      lines.push(...parts);
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('recording proxy has no port');
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    })());
  return {
    port: address.port,
    connections: () => recorded.map((lines) => [...lines]),
    close,
    [Symbol.asyncDispose]: close,
  };
}
