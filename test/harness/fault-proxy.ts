import { createServer, connect, type Socket } from 'node:net';

/**
 * A userland TCP fault injector (the kernel here has no `tc netem`, TEST-INFRA.md): listens on a
 * free loopback port and forwards every connection to `target`, with faults switchable at run
 * time — latency, stall (hold bytes, both ways), reset (RST), half-close (FIN both ways),
 * blackhole (accept, never answer), and a trigger that stalls the server's replies right after
 * the client sent a given command (an IMAP MOVE reached the server, its reply never comes back).
 *
 * @example
 * await using proxy = await startFaultProxy({ host: dovecot.host, port: dovecot.starttlsPort });
 * proxy.stall(); … proxy.resume();
 */
export interface FaultProxy extends AsyncDisposable {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Connections currently open through the proxy. */
  readonly connections: number;
  /** Adds this delay to every chunk in both directions (0 = none). */
  setLatency(ms: number): void;
  /** Holds all bytes in both directions (sockets stay open) until resume(). */
  stall(): void;
  /** Ends a stall (held bytes flow) and a blackhole. */
  resume(): void;
  /** New and existing connections: accepted, bytes dropped, nothing answered, until resume(). */
  blackhole(): void;
  /** Destroys every open connection with a TCP RST on both sides. */
  reset(): void;
  /** Sends FIN to both sides of every open connection (half-close); the sockets read until the peers close. */
  halfClose(): void;
  /**
   * Once the client sends bytes containing `marker` (plaintext protocols only), forwards them and
   * then drops everything the server sends back on that connection. Resolves when triggered.
   */
  dropRepliesAfter(marker: string): Promise<void>;
  close(): Promise<void>;
}

type Mode = 'pass' | 'stall' | 'blackhole';

interface Pair {
  client: Socket;
  server: Socket | null;
  /** Chunks held during a stall, per direction, in order. */
  held: { toServer: Buffer[]; toClient: Buffer[] };
  dropToClient: boolean;
}

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let mode: Mode = 'pass';
  let latencyMs = 0;
  const pairs = new Set<Pair>();
  const triggers: { marker: string; fire: () => void }[] = [];

  const deliver = (pair: Pair, direction: 'toServer' | 'toClient', chunk: Buffer) => {
    const to = direction === 'toServer' ? pair.server : pair.client;
    if (!to || to.destroyed) return;
    if (direction === 'toClient' && pair.dropToClient) return;
    const write = () => {
      if (!to.destroyed && to.writable) to.write(chunk);
    };
    if (latencyMs > 0) setTimeout(write, latencyMs);
    else write();
  };

  const forward = (pair: Pair, direction: 'toServer' | 'toClient', chunk: Buffer) => {
    if (mode === 'blackhole') return;
    if (mode === 'stall') {
      pair.held[direction].push(chunk);
      return;
    }
    deliver(pair, direction, chunk);
    if (direction === 'toServer' && triggers.length) {
      const text = chunk.toString('latin1');
      for (const t of [...triggers]) {
        if (!text.includes(t.marker)) continue;
        pair.dropToClient = true;
        triggers.splice(triggers.indexOf(t), 1);
        t.fire();
      }
    }
  };

  // No Nagle on either side: in `pass` mode the proxy must add no latency of its own (a small
  // IMAP write would otherwise wait for the ACK of the previous one, up to the ~40 ms delayed ACK).
  const server = createServer({ noDelay: true }, (client) => {
    const pair: Pair = { client, server: null, held: { toServer: [], toClient: [] }, dropToClient: false };
    pairs.add(pair);
    client.on('error', () => undefined);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      pair.server?.destroy();
    };
    client.on('close', drop);
    client.on('data', (chunk: Buffer) => forward(pair, 'toServer', chunk));
    client.on('end', () => {
      if (mode === 'pass') pair.server?.end();
    });
    if (mode === 'blackhole') return;
    const upstream = connect({ host: target.host, port: target.port, noDelay: true });
    pair.server = upstream;
    upstream.on('error', () => undefined);
    upstream.on('data', (chunk: Buffer) => forward(pair, 'toClient', chunk));
    upstream.on('end', () => {
      if (mode === 'pass' && !pair.dropToClient) client.end();
    });
    upstream.on('close', () => {
      if (mode === 'pass' && !pair.dropToClient) drop();
    });
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('fault proxy has no TCP address');

  const close = async () => {
    for (const pair of pairs) {
      pair.client.destroy();
      pair.server?.destroy();
    }
    pairs.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  return {
    host: '127.0.0.1',
    port: address.port,
    get connections() {
      return pairs.size;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    stall() {
      mode = 'stall';
    },
    resume() {
      const was = mode;
      mode = 'pass';
      if (was !== 'stall') return;
      for (const pair of pairs) {
        for (const chunk of pair.held.toServer.splice(0)) deliver(pair, 'toServer', chunk);
        for (const chunk of pair.held.toClient.splice(0)) deliver(pair, 'toClient', chunk);
      }
    },
    blackhole() {
      mode = 'blackhole';
    },
    reset() {
      for (const pair of [...pairs]) {
        pair.client.resetAndDestroy();
        pair.server?.resetAndDestroy();
        pairs.delete(pair);
      }
    },
    halfClose() {
      for (const pair of pairs) {
        pair.client.end();
        pair.server?.end();
      }
    },
    dropRepliesAfter(marker) {
      return new Promise<void>((resolve) => triggers.push({ marker, fire: resolve }));
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
