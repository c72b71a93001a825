import { describe, expect, it } from 'vitest';
import { keyCommand, type KeyInput } from './popup-keys.js';

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
    const more = { s: 'flag', u: 'read', '!': 'junk', v: 'move', '/': 'search', x: 'select', '?': 'help' };
    for (const [key, command] of Object.entries(more)) expect(keyCommand(press(key))).toBe(command);
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

  it('lets Enter activate a focused button instead of opening a message', () => {
    expect(keyCommand(press('Enter', { target: { tagName: 'BUTTON', isContentEditable: false } }))).toBeNull();
    expect(keyCommand(press('e', { target: { tagName: 'BUTTON', isContentEditable: false } }))).toBe('archive');
  });
});
