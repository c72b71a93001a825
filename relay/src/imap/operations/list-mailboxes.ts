import type { ImapFlow, ListResponse } from 'imapflow';
import type { MailboxInfo, MailboxRole } from '../../../../shared/index.js';

const ROLES: Record<string, MailboxRole> = {
  '\\inbox': 'inbox',
  '\\sent': 'sent',
  '\\drafts': 'drafts',
  '\\trash': 'trash',
  '\\junk': 'junk',
  '\\archive': 'archive',
  '\\all': 'all',
  '\\flagged': 'flagged',
};

/** The role of a LIST entry: RFC 6154 special-use (or imapflow's name-based guess), INBOX is `inbox`. */
export function roleOf(entry: Pick<ListResponse, 'path' | 'specialUse'>): MailboxRole | null {
  if (entry.path.toUpperCase() === 'INBOX') return 'inbox';
  return (entry.specialUse && ROLES[entry.specialUse.toLowerCase()]) || null;
}

function hasFlag(entry: ListResponse, flag: string): boolean {
  for (const f of entry.flags) if (f.toLowerCase() === flag) return true;
  return false;
}

/** \Noselect (RFC 3501) and \NonExistent (RFC 5258) folders exist only as parents. */
export function isSelectable(entry: ListResponse): boolean {
  return !hasFlag(entry, '\\noselect') && !hasFlag(entry, '\\nonexistent');
}

const ROLE_ORDER: MailboxRole[] = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash', 'all', 'flagged'];

/**
 * LIST with special-use roles and hierarchy, plus unread/total of every selectable folder in the
 * same round trip where the server has LIST-STATUS (RFC 5819; imapflow falls back to one STATUS
 * per folder). Names arrive decoded from modified UTF-7 (RFC 3501 §5.1.3). INBOX first, then
 * the special-use folders, then the rest by path.
 */
export async function listMailboxes(client: ImapFlow): Promise<MailboxInfo[]> {
  const entries = await client.list({ statusQuery: { messages: true, unseen: true } });
  const out = entries.map((entry): MailboxInfo => {
    const selectable = isSelectable(entry);
    return {
      path: entry.path,
      name: entry.name,
      delimiter: entry.delimiter || null,
      parent: entry.parentPath ? entry.parentPath : null,
      role: roleOf(entry),
      unread: selectable ? (entry.status?.unseen ?? 0) : 0,
      total: selectable ? (entry.status?.messages ?? 0) : 0,
      // imapflow sets `subscribed` only on subscribed folders (undefined otherwise, despite its
      // types), and the wire schema wants a boolean: issue 12.
      subscribed: entry.subscribed === true,
      selectable,
    };
  });
  const rank = (m: MailboxInfo) => (m.role ? ROLE_ORDER.indexOf(m.role) : ROLE_ORDER.length);
  return out.sort((a, b) => rank(a) - rank(b) || a.path.localeCompare(b.path));
}
