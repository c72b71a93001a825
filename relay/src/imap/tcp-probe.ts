import { connect, type LookupFunction } from 'node:net';

/**
 * Whether a TCP connection to host:port opens within `timeoutMs` (closed again at once, nothing
 * sent). The cheapest sign that a mail server that was down accepts connections again.
 */
export function tcpAccepts(options: {
  host: string;
  port: number;
  timeoutMs: number;
  /** The reach policy's guarded lookup (relay/src/net/reach-policy.ts): a refused address is "not accepting". */
  lookup?: LookupFunction;
}): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({
      host: options.host,
      port: options.port,
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), options.timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
