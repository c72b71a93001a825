/**
 * The popup's labels, translated: folder lists, list rows, the action buttons and the keyboard
 * help (one line per shortcut).
 */
import { t } from '../../i18n/i18n.js';
import { SHORTCUTS, type Command } from '../../popup/popup-keys.js';
import type { BarAction } from './icons.js';

export function folderLabels() {
  return {
    filter: t('popup_folderFilter'),
    filterPlaceholder: t('popup_folderFilterPlaceholder'),
    loading: t('popup_folderLoading'),
    none: t('popup_folderNone'),
    retry: t('popup_retry'),
    list: t('popup_folderList'),
  };
}

export function rowLabels() {
  return {
    unread: t('popup_rowUnread'),
    flagged: t('popup_rowFlagged'),
    attachment: t('popup_rowAttachment'),
    select: t('popup_rowSelect'),
    noSubject: t('popup_noSubject'),
    unknownSender: t('popup_unknownSender'),
  };
}

/** The shortcuts with what each does, for ShortcutHelp. */
export function shortcutList(): { keys: readonly string[]; label: string }[] {
  const commandLabels: Record<Command, string> = {
    next: t('popup_keyNext'),
    prev: t('popup_keyPrev'),
    first: t('popup_keyNext'),
    last: t('popup_keyPrev'),
    open: t('popup_keyOpen'),
    down: t('popup_keyNext'),
    up: t('popup_keyPrev'),
    back: t('popup_keyBack'),
    list: t('popup_keyList'),
    archive: t('popup_actArchive'),
    delete: t('popup_actDelete'),
    flag: t('popup_keyFlag'),
    markRead: t('popup_actMarkRead'),
    markUnread: t('popup_actMarkUnread'),
    junk: t('popup_actJunk'),
    move: t('popup_keyMove'),
    search: t('popup_keySearch'),
    select: t('popup_keySelect'),
    selectAll: t('popup_selectAll'),
    undo: t('popup_undo'),
    help: t('popup_keyHelp'),
    webmail: t('popup_openWebmail'),
  };
  return SHORTCUTS.map((s) => ({ keys: s.keys, label: commandLabels[s.command] }));
}

/** The action buttons above the list and an open message; read and flag say what a press does. */
export function barActions(
  targets: { allRead: boolean; allFlagged: boolean },
  on: Record<'archive' | 'delete' | 'junk' | 'openMove' | 'toggleRead' | 'toggleFlag', () => void>,
): BarAction[] {
  const { allRead, allFlagged } = targets;
  return [
    { id: 'archive', icon: 'archive', label: t('popup_actArchive'), key: 'e', onclick: on.archive },
    { id: 'delete', icon: 'trash', label: t('popup_actDelete'), key: '#', onclick: on.delete },
    { id: 'junk', icon: 'junk', label: t('popup_actJunk'), key: '!', onclick: on.junk },
    { id: 'move', icon: 'move', label: t('popup_actMove'), key: 'v', onclick: on.openMove },
    {
      id: 'read',
      icon: allRead ? 'mail' : 'mailOpen',
      label: allRead ? t('popup_actMarkUnread') : t('popup_actMarkRead'),
      key: allRead ? 'Shift+U' : 'Shift+I',
      onclick: on.toggleRead,
      iconOnly: true,
    },
    {
      id: 'flag',
      icon: 'flag',
      label: allFlagged ? t('popup_actUnflag') : t('popup_actFlag'),
      key: 's',
      onclick: on.toggleFlag,
      pressed: allFlagged,
      iconOnly: true,
    },
  ];
}
