import type { ImapFlow } from 'imapflow';

/**
 * Says LOGOUT (RFC 9051 §6.1.3) so the server ends the session cleanly instead of logging a
 * dropped connection, but waits at most `timeoutMs` (a frozen server must not hold up a shutdown)
 * before closing the socket. Never throws.
 */
export async function logoutWithin(client: ImapFlow, timeoutMs: number): Promise<void> {
  if (!client.usable) {
    client.close();
    return;
  }
  const timer = setTimeout(() => client.close(), timeoutMs);
  try {
    await client.logout();
  } catch {
    client.close();
  } finally {
    clearTimeout(timer);
  }
}
