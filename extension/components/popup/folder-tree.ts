/**
 * Folder ordering and labels for the folder picker: special-use folders first in a fixed order,
 * then the rest by path, each with its depth for indentation, filtered by what the user typed.
 */
import type { MailboxInfo, MailboxRole } from '../../../shared/index.js';
import { folderLabel, folderRole } from '../../core/folder-label.js';
import type { Translate } from '../../i18n/i18n.js';
import type { IconName } from './icons.js';

const ROLE_ORDER: readonly MailboxRole[] = ['inbox', 'flagged', 'drafts', 'sent', 'archive', 'all', 'junk', 'trash'];

export const ROLE_ICONS: Record<MailboxRole, IconName> = {
  inbox: 'inbox',
  sent: 'sent',
  drafts: 'drafts',
  trash: 'trash',
  junk: 'junk',
  archive: 'archive',
  all: 'all',
  flagged: 'star',
};

export interface FolderEntry {
  mailbox: MailboxInfo;
  /** The name shown: localised for special-use folders (core/folder-label.ts). */
  label: string;
  depth: number;
  icon: IconName;
}

function depthOf(m: MailboxInfo): number {
  if (!m.delimiter) return 0;
  return m.path.split(m.delimiter).length - 1;
}

/**
 * Folders in display order; `query` keeps the folders whose shown name, own name or path contains
 * it (any case), so "bandeja" finds INBOX in Spanish.
 */
export function folderEntries(mailboxes: readonly MailboxInfo[], t: Translate, query = ''): FolderEntry[] {
  const q = query.trim().toLocaleLowerCase();
  const rank = (m: MailboxInfo): number => {
    const role = folderRole(m);
    const i = role ? ROLE_ORDER.indexOf(role) : -1;
    return i < 0 ? ROLE_ORDER.length : i;
  };
  return [...mailboxes]
    .map((mailbox) => ({ mailbox, label: folderLabel(mailbox, t) }))
    .filter(
      ({ mailbox: m, label }) =>
        q === '' ||
        label.toLocaleLowerCase().includes(q) ||
        m.name.toLocaleLowerCase().includes(q) ||
        m.path.toLocaleLowerCase().includes(q),
    )
    .sort((a, b) => rank(a.mailbox) - rank(b.mailbox) || a.mailbox.path.localeCompare(b.mailbox.path))
    .map(({ mailbox, label }) => {
      const role = folderRole(mailbox);
      // Special-use folders sit at the top level of the list whatever their real depth.
      return { mailbox, label, depth: role || q ? 0 : depthOf(mailbox), icon: role ? ROLE_ICONS[role] : 'folder' };
    });
}
