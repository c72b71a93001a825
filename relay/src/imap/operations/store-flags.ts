import type { ImapFlow } from 'imapflow';
import { ErrorCode, TidingsError } from '../../../../shared/index.js';

/** `UID STORE <uids> ±FLAGS (<flag>)` on the selected mailbox. */
export async function storeFlag(
  client: ImapFlow,
  uids: readonly number[],
  flag: string,
  value: boolean,
): Promise<void> {
  if (uids.length === 0) return;
  const range = uids.join(',');
  const ok = value
    ? await client.messageFlagsAdd(range, [flag], { uid: true })
    : await client.messageFlagsRemove(range, [flag], { uid: true });
  if (!ok)
    throw new TidingsError(ErrorCode.IMAP_ERROR, `the IMAP server refused to ${value ? 'set' : 'clear'} ${flag}`);
}
