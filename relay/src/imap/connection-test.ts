import { ImapFlow } from 'imapflow';
import type { TLSSocket } from 'node:tls';
import type { ErrorCode, MailboxCount } from '../../../shared/index.js';
import { imapflowLogger, type Logger } from '../log.js';
import type { Account } from '../store/types.js';
import { classifyImapError } from './classify-error.js';
import { imapFlowOptions } from './client-options.js';
import type { ImapAuth } from './credentials.js';

export type ConnectionTestResult =
  | { ok: true; capabilities: string[]; mailboxes: MailboxCount[]; tlsProtocol: string | null; rttMs: number }
  | { ok: false; code: ErrorCode; message: string; hint: string };

/**
 * Connects once with the given settings, signs in, reads capabilities and the counts of the
 * watched mailboxes, measures one NOOP round trip, and logs out. Never throws: failures come
 * back classified with a hint for the user. Used by `accounts add|test`.
 */
export async function testImapConnection(options: {
  account: Pick<
    Account,
    'host' | 'port' | 'security' | 'username' | 'watchedMailboxes' | 'pinnedFingerprint' | 'caPem'
  >;
  auth: ImapAuth;
  signal?: AbortSignal;
  log?: Logger;
}): Promise<ConnectionTestResult> {
  const { account } = options;
  const client = new ImapFlow(
    imapFlowOptions(account, options.auth, {
      disableAutoIdle: true,
      ...(options.log ? { logger: imapflowLogger(options.log) } : {}),
    }),
  );
  client.on('error', (err: unknown) => options.log?.debug('connection test error', { err }));
  const onAbort = () => client.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const capabilities = [...client.capabilities.keys()].sort();
    const socket = (client as unknown as { socket?: Partial<TLSSocket> }).socket;
    const tlsProtocol = typeof socket?.getProtocol === 'function' ? (socket.getProtocol() ?? null) : null;
    const started = performance.now();
    await client.noop();
    const rttMs = Math.round((performance.now() - started) * 10) / 10;
    const mailboxes: MailboxCount[] = [];
    for (const path of account.watchedMailboxes) {
      const status = await client.status(path, { messages: true, unseen: true });
      if (!status)
        return {
          ok: false,
          code: 'NOT_FOUND',
          message: `Mailbox "${path}" does not exist on the server.`,
          hint: 'Check the folder name (case matters on some servers).',
        };
      mailboxes.push({ path, unread: status.unseen ?? 0, total: status.messages ?? 0 });
    }
    await client.logout().catch(() => undefined);
    return { ok: true, capabilities, mailboxes, tlsProtocol, rttMs };
  } catch (err) {
    const c = classifyImapError(err);
    return { ok: false, code: c.code, message: c.message, hint: c.hint };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    client.close();
  }
}
