import type { ImapFlow } from 'imapflow';
import { ErrorCode, TidingsError } from '../../../../shared/index.js';

/**
 * `UID STORE <uids> ±FLAGS (<flag>)` on the selected mailbox. The server answers with each
 * message's new flags, which the command connection publishes (CommandConnection `onFlags`);
 * `silent` (`±FLAGS.SILENT`) asks for no such answer, for STOREs over a whole folder.
 */
export async function storeFlag(
  client: ImapFlow,
  uids: readonly number[],
  flag: string,
  value: boolean,
  options: { silent?: boolean } = {},
): Promise<void> {
  if (uids.length === 0) return;
  const range = uids.join(',');
  const how = { uid: true, ...(options.silent ? { silent: true } : {}) };
  const ok = value
    ? await client.messageFlagsAdd(range, [flag], how)
    : await client.messageFlagsRemove(range, [flag], how);
  if (!ok)
    throw new TidingsError(ErrorCode.IMAP_ERROR, `the IMAP server refused to ${value ? 'set' : 'clear'} ${flag}`);
}
