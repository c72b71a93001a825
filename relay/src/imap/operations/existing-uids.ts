import type { ImapFlow } from 'imapflow';

/**
 * Which of these UIDs exist in the selected mailbox: one `UID FETCH <uids> (UID)`, O(ids). STORE
 * and COPY silently skip missing UIDs, so without this a stale id would report success.
 */
export async function existingUids(client: ImapFlow, uids: readonly number[]): Promise<Set<number>> {
  if (uids.length === 0) return new Set();
  const found = await client.fetchAll(uids.join(','), { uid: true }, { uid: true });
  return new Set(found.map((m) => m.uid));
}
