import { describe, expect, it } from 'vitest';
import { initialPopupLayout } from './popup-layout.js';

describe('initialPopupLayout', () => {
  it('follows the mirrored size, wide when there is none or it is garbage', () => {
    expect(initialPopupLayout('', 'compact')).toBe('compact');
    expect(initialPopupLayout('', 'wide')).toBe('wide');
    expect(initialPopupLayout('', null)).toBe('wide');
    expect(initialPopupLayout('', 'enormous')).toBe('wide');
  });

  it('fills the tab with ?layout=fluid whatever the setting', () => {
    expect(initialPopupLayout('?layout=fluid', 'compact')).toBe('fluid');
    expect(initialPopupLayout('?open=x&layout=fluid', null)).toBe('fluid');
  });
});
