import type { ImapFlow } from 'imapflow';

/** `1,2,3,7,9,10` → `1:3,7,9:10`: a cached window is mostly runs, so the command stays short. */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * What changed in a cached window of the selected mailbox, without QRESYNC (issue 8): one
 * `UID FETCH <window> (UID FLAGS)`, O(window). UIDs of the window the server no longer has are
 * `vanished` (expunged or moved away by any client); the others come back with their flags.
 */
export async function syncWindow(
  client: ImapFlow,
  uids: readonly number[],
): Promise<{ vanished: number[]; flags: { uid: number; flags: string[] }[] }> {
  if (uids.length === 0) return { vanished: [], flags: [] };
  const found = await client.fetchAll(uidSet(uids), { uid: true, flags: true }, { uid: true });
  // \Recent is per session (RFC 3501 §2.3.2; gone in IMAP4rev2): it says nothing about the message.
  const present = new Map(found.map((m) => [m.uid, [...(m.flags ?? [])].filter((f) => f !== '\\Recent')]));
  const wanted = [...new Set(uids)].sort((a, b) => a - b);
  return {
    vanished: wanted.filter((uid) => !present.has(uid)),
    flags: wanted.filter((uid) => present.has(uid)).map((uid) => ({ uid, flags: present.get(uid)! })),
  };
}
