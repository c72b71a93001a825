import { connect } from 'node:net';

/**
 * Whether a TCP connection to host:port opens within `timeoutMs` (closed again at once, nothing
 * sent). The cheapest sign that a mail server that was down accepts connections again.
 */
export function tcpAccepts(options: { host: string; port: number; timeoutMs: number }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: options.host, port: options.port });
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
