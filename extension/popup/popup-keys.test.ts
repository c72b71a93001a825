import { describe, expect, it } from 'vitest';
import { keyCommand, SHORTCUTS, type KeyInput } from './popup-keys.js';

const press = (key: string, overrides: Partial<KeyInput> = {}): KeyInput => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  target: { tagName: 'DIV', isContentEditable: false },
  ...overrides,
});

describe('keyCommand', () => {
  it('maps the triage keys', () => {
    const keys = { j: 'next', k: 'prev', Enter: 'open', o: 'open', Escape: 'back', e: 'archive', '#': 'delete' };
    for (const [key, command] of Object.entries(keys)) expect(keyCommand(press(key))).toBe(command);
    const more = { s: 'flag', '!': 'junk', v: 'move', '/': 'search', x: 'select', z: 'undo', '?': 'help' };
    for (const [key, command] of Object.entries(more)) expect(keyCommand(press(key))).toBe(command);
  });

  it("follows Gmail's map: u back to the list, Shift+I read, Shift+U unread, arrows apart from j/k", () => {
    expect(keyCommand(press('u'))).toBe('list');
    expect(keyCommand(press('I'))).toBe('markRead');
    expect(keyCommand(press('U'))).toBe('markUnread');
    expect(keyCommand(press('i'))).toBeNull();
    expect(keyCommand(press('ArrowDown'))).toBe('down');
    expect(keyCommand(press('ArrowUp'))).toBe('up');
  });

  it('lists every command it maps in the help', () => {
    const mapped = new Set([
      'j',
      'k',
      'o',
      'u',
      'e',
      's',
      'v',
      'x',
      'z',
      'I',
      'U',
      '#',
      '!',
      '/',
      '?',
      'Enter',
      'Escape',
    ]);
    const shown = new Set(SHORTCUTS.map((s) => s.command));
    for (const key of mapped) expect(shown.has(keyCommand(press(key))!), key).toBe(true);
    expect(SHORTCUTS.find((s) => s.command === 'markRead')?.keys).toEqual(['Shift+I']);
  });

  it('does not fire while typing in a text field, textarea, select or contenteditable', () => {
    for (const target of [
      { tagName: 'INPUT', isContentEditable: false, type: 'search' },
      { tagName: 'INPUT', isContentEditable: false, type: 'text' },
      { tagName: 'INPUT', isContentEditable: false },
      { tagName: 'TEXTAREA', isContentEditable: false },
      { tagName: 'SELECT', isContentEditable: false },
      { tagName: 'DIV', isContentEditable: true },
    ]) {
      expect(keyCommand(press('e', { target })), target.tagName).toBeNull();
      expect(keyCommand(press('/', { target }))).toBeNull();
    }
    expect(keyCommand(press('x', { target: { tagName: 'INPUT', isContentEditable: false, type: 'checkbox' } }))).toBe(
      'select',
    );
  });

  it('leaves modified keys and unknown keys to the browser', () => {
    expect(keyCommand(press('e', { ctrlKey: true }))).toBeNull();
    expect(keyCommand(press('k', { metaKey: true }))).toBeNull();
    expect(keyCommand(press('j', { altKey: true }))).toBeNull();
    expect(keyCommand(press('q'))).toBeNull();
    expect(keyCommand(press('toString'))).toBeNull();
  });

  it('selects all with Ctrl+A or Cmd+A, but not while typing (the field selects its text)', () => {
    expect(keyCommand(press('a', { ctrlKey: true }))).toBe('selectAll');
    expect(keyCommand(press('a', { metaKey: true }))).toBe('selectAll');
    expect(keyCommand(press('A', { ctrlKey: true }))).toBe('selectAll');
    expect(keyCommand(press('a', { ctrlKey: true, altKey: true }))).toBeNull();
    expect(keyCommand(press('a'))).toBeNull();
    expect(
      keyCommand(press('a', { ctrlKey: true, target: { tagName: 'INPUT', isContentEditable: false } })),
    ).toBeNull();
  });

  it('toggles the selection with Space on the list, as x does, but leaves Space to buttons and checkboxes', () => {
    expect(keyCommand(press(' '))).toBe('select');
    expect(keyCommand(press(' ', { target: { tagName: 'BUTTON', isContentEditable: false } }))).toBeNull();
    const checkbox = { tagName: 'INPUT', isContentEditable: false, type: 'checkbox' };
    expect(keyCommand(press(' ', { target: checkbox }))).toBeNull();
    expect(keyCommand(press(' ', { ctrlKey: true }))).toBeNull();
    expect(SHORTCUTS.find((s) => s.command === 'select')?.keys).toEqual(['x', 'Space']);
  });

  it('lets Enter activate a focused button instead of opening a message', () => {
    expect(keyCommand(press('Enter', { target: { tagName: 'BUTTON', isContentEditable: false } }))).toBeNull();
    expect(keyCommand(press('e', { target: { tagName: 'BUTTON', isContentEditable: false } }))).toBe('archive');
  });
});
