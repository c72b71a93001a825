/**
 * Keyboard shortcuts of the popup, as a pure mapping from a key event to a command, so the rules
 * (which keys, when they must not fire) are tested without a DOM. The map is Gmail's, so muscle
 * memory works: j/k next/previous, o/Enter open, u back to the list, e archive, # delete, ! spam,
 * s star, Shift+I / Shift+U mark read / unread, v move, x (or Space, as in any listbox) select, z undo,
 * / search, ? help; and w (not Gmail's) opens the message in its provider's webmail.
 * The arrows move in the list only; on an open message they scroll it, as in Gmail.
 */

export type Command =
  | 'next'
  | 'prev'
  | 'down'
  | 'up'
  | 'first'
  | 'last'
  | 'open'
  | 'back'
  | 'list'
  | 'archive'
  | 'delete'
  | 'flag'
  | 'markRead'
  | 'markUnread'
  | 'junk'
  | 'move'
  | 'search'
  | 'select'
  | 'selectAll'
  | 'undo'
  | 'help'
  | 'webmail';

/** The parts of a KeyboardEvent the mapping looks at. */
export interface KeyInput {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** The focused element's tag name (upper case) and whether it is contenteditable. */
  target: { tagName: string; isContentEditable: boolean; type?: string } | null;
}

const COMMANDS: Record<string, Command> = {
  j: 'next',
  ArrowDown: 'down',
  k: 'prev',
  ArrowUp: 'up',
  Home: 'first',
  End: 'last',
  Enter: 'open',
  o: 'open',
  Escape: 'back',
  u: 'list',
  e: 'archive',
  '#': 'delete',
  Delete: 'delete',
  s: 'flag',
  // Shift+I / Shift+U (Gmail): the key arrives upper case.
  I: 'markRead',
  U: 'markUnread',
  '!': 'junk',
  v: 'move',
  '/': 'search',
  x: 'select',
  // Space toggles the active row's selection, as in any multi-select listbox (ARIA APG).
  ' ': 'select',
  z: 'undo',
  '?': 'help',
  // Not Gmail's (it has no such command): w for webmail, on an open message.
  w: 'webmail',
};

/** Input types that take typed text (a checkbox or button does not). */
const TEXT_INPUTS = new Set(['text', 'search', 'email', 'url', 'tel', 'password', 'number', '']);

/** True while the user types into a field: shortcuts must not fire then. */
export function isTyping(target: KeyInput['target']): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  if (target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  return target.tagName === 'INPUT' && TEXT_INPUTS.has((target.type ?? '').toLowerCase());
}

/**
 * The command for a key press, or null to let the browser handle it. Shortcuts never fire with
 * Ctrl/Cmd/Alt (browser and OS shortcuts), nor while typing in a field. Enter on a focused
 * button is the button's own activation, not "open".
 *
 * @example keyCommand({ key: 'e', ctrlKey: false, metaKey: false, altKey: false, target: null }) // 'archive'
 */
export function keyCommand(input: KeyInput): Command | null {
  if (isTyping(input.target)) return null;
  // Ctrl/Cmd+A selects every loaded row (on the list; elsewhere the browser selects text).
  if ((input.ctrlKey || input.metaKey) && !input.altKey && input.key.toLowerCase() === 'a') return 'selectAll';
  if (input.ctrlKey || input.metaKey || input.altKey) return null;
  const tag = input.target?.tagName;
  if ((input.key === 'Enter' || input.key === ' ') && (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY')) {
    return null;
  }
  // Space on a checkbox or radio button is its own activation (the toolbar's select-all box).
  if (input.key === ' ' && tag === 'INPUT') return null;
  return Object.hasOwn(COMMANDS, input.key) ? (COMMANDS[input.key] ?? null) : null;
}

/** Shortcut help: the keys shown for each command (in the help dialog, and as button hints). */
export const SHORTCUTS: readonly { keys: readonly string[]; command: Command }[] = [
  { keys: ['j', '↓'], command: 'next' },
  { keys: ['k', '↑'], command: 'prev' },
  { keys: ['Enter', 'o'], command: 'open' },
  { keys: ['u'], command: 'list' },
  { keys: ['Esc'], command: 'back' },
  { keys: ['e'], command: 'archive' },
  { keys: ['#'], command: 'delete' },
  { keys: ['s'], command: 'flag' },
  { keys: ['Shift+I'], command: 'markRead' },
  { keys: ['Shift+U'], command: 'markUnread' },
  { keys: ['!'], command: 'junk' },
  { keys: ['v'], command: 'move' },
  { keys: ['x', 'Space'], command: 'select' },
  { keys: ['Ctrl+A'], command: 'selectAll' },
  { keys: ['w'], command: 'webmail' },
  { keys: ['z'], command: 'undo' },
  { keys: ['/'], command: 'search' },
  { keys: ['?'], command: 'help' },
];
