import { createServer, type Socket } from 'node:net';

/** One client connection to the fake server, as a script sees it. */
export interface FakeImapConnection {
  /** Writes raw text (add "\r\n" yourself: some scenarios stop mid-line on purpose). */
  send(text: string): void;
  /** Called with each CRLF-terminated line the client sends (without the CRLF). */
  onLine(handler: (line: string) => void): void;
  socket: Socket;
}

export interface FakeImapServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  /** Every line any client sent, in order (to assert that no LOGIN or password ever arrived). */
  readonly received: string[];
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * A scripted IMAP server on 127.0.0.1 (plain TCP) for the hostile-server suite: the script
 * decides what the "server" says and when — a greeting or none, a line cut in the middle, a
 * refused STARTTLS, garbage — so the relay's deadlines and its refusal to fall back to
 * plaintext can be tested against behaviour Dovecot never shows.
 *
 * @example
 * await using imap = await startFakeImap((c) => c.send('* OK [CAPABILITY IMAP4rev1] hi\r\n'));
 */
export async function startFakeImap(script: (connection: FakeImapConnection) => void): Promise<FakeImapServer> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((socket) => {
    count += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const handlers: ((line: string) => void)[] = [];
    let buffer = '';
    socket.on('data', (data: Buffer) => {
      buffer += data.toString('latin1');
      for (let i = buffer.indexOf('\r\n'); i >= 0; i = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        received.push(line);
        for (const h of handlers) h(line);
      }
      // Bytes without a line end (a TLS ClientHello after STARTTLS) are recorded as they are.
      if (buffer.length > 4096) {
        received.push(buffer);
        buffer = '';
      }
    });
    script({
      socket,
      send: (text) => {
        if (!socket.destroyed) socket.write(text);
      },
      onLine: (h) => handlers.push(h),
    });
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake IMAP server has no port');
  const close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    host: '127.0.0.1',
    port: address.port,
    received,
    connections: () => count,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/**
 * Answers `<tag> CAPABILITY` with `caps`, `<tag> STARTTLS` with `starttls`, anything else NO.
 * Once STARTTLS is answered the client speaks TLS, not lines: nothing more is answered. (A TLS
 * ClientHello holds a CRLF now and then; answering the "line" before it with NO put a fragment of
 * the client's own hello, a valid-looking record header, in front of whatever the scenario sent.)
 */
export function capabilityResponder(
  c: FakeImapConnection,
  options: { caps: string; starttls: (tag: string) => string },
): void {
  let tls = false;
  c.onLine((line) => {
    if (tls) return;
    const [tag = '*', command = ''] = line.split(' ');
    const verb = command.toUpperCase();
    if (verb === 'CAPABILITY') c.send(`* CAPABILITY ${options.caps}\r\n${tag} OK done\r\n`);
    else if (verb === 'STARTTLS') {
      const reply = options.starttls(tag);
      // Only an OK switches the connection to TLS; a refusal (NO/BAD) leaves it in lines.
      tls = reply.toUpperCase().startsWith(`${tag.toUpperCase()} OK`);
      c.send(reply);
    } else if (verb === 'LOGOUT') {
      c.send(`* BYE bye\r\n${tag} OK done\r\n`);
      c.socket.end();
    } else c.send(`${tag} NO not here\r\n`);
  });
}
