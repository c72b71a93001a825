/**
 * The name a folder is shown under. Special-use folders (RFC 6154 roles, and INBOX, which RFC
 * 3501 names the same on every server) get the UI language's name — "Bandeja de entrada" for
 * INBOX, "Enviados" for `\Sent` whether the server calls it "Sent", "Sent Items" or
 * "[Gmail]/Enviados" — the way Gmail and Thunderbird show them. Other folders keep their own name.
 */
import type { MailboxInfo, MailboxRole } from '../../shared/index.js';
import type { Translate } from '../i18n/i18n.js';

/** The folder's role, with INBOX recognised by name where the server marks no role. */
export function folderRole(mailbox: Pick<MailboxInfo, 'path' | 'role'>): MailboxRole | null {
  return mailbox.role ?? (mailbox.path.toUpperCase() === 'INBOX' ? 'inbox' : null);
}

/** Localised name of a role ("Inbox", "Papelera"). */
export function roleLabel(role: MailboxRole, t: Translate): string {
  return t(`folder_role_${role}`);
}

/** What to call a folder in lists, pickers and toasts. */
export function folderLabel(mailbox: Pick<MailboxInfo, 'path' | 'name' | 'role'>, t: Translate): string {
  const role = folderRole(mailbox);
  return role ? roleLabel(role, t) : mailbox.name;
}

/**
 * The same for a folder known only by its path (a toast after "Move to…"): the label of the
 * matching folder when the list is at hand, else the path's last segment.
 */
export function folderLabelOfPath(path: string, mailboxes: readonly MailboxInfo[] | null, t: Translate): string {
  const known = mailboxes?.find((m) => m.path === path);
  if (known) return folderLabel(known, t);
  return folderLabel({ path, name: path, role: null }, t);
}
