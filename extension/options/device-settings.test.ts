import { describe, expect, it } from 'vitest';
import type { DeviceSettings, PopupSize } from '../core/device-settings.js';
import { DeviceSettingsState } from './device-settings.svelte.js';

function setup(stored: unknown, options: { failWrite?: boolean } = {}) {
  const written: DeviceSettings[] = [];
  const mirrored: PopupSize[] = [];
  const state = new DeviceSettingsState({
    read: async () => stored,
    write: async (settings) => {
      if (options.failWrite) throw new Error('QUOTA_BYTES quota exceeded');
      written.push(settings);
    },
    mirrorPopupSize: (size) => mirrored.push(size),
  });
  return { state, written, mirrored };
}

describe('DeviceSettingsState', () => {
  it('loads the defaults when nothing is stored, and mirrors the size for the popup', async () => {
    const { state, mirrored } = setup(undefined);
    await state.load();
    expect(state.settings).toEqual({ popupSize: 'wide', keepNoMail: false });
    expect(mirrored).toEqual(['wide']);
  });

  it('saves a change to storage and the mirror', async () => {
    const { state, written, mirrored } = setup({ popupSize: 'wide', keepNoMail: false });
    await state.load();
    expect(await state.update({ popupSize: 'compact' })).toBe(true);
    expect(await state.update({ keepNoMail: true })).toBe(true);
    expect(written).toEqual([
      { popupSize: 'compact', keepNoMail: false },
      { popupSize: 'compact', keepNoMail: true },
    ]);
    expect(mirrored.at(-1)).toBe('compact');
    expect(state.saveState).toBe('saved');
  });

  it('goes back and says why when storage refuses the change', async () => {
    const { state, mirrored } = setup({ popupSize: 'wide', keepNoMail: false }, { failWrite: true });
    await state.load();
    expect(await state.update({ popupSize: 'compact' })).toBe(false);
    expect(state.settings).toEqual({ popupSize: 'wide', keepNoMail: false });
    expect(state.saveState).toBe('error');
    expect(state.saveError?.message).toContain('QUOTA_BYTES');
    expect(mirrored).toEqual(['wide']);
  });
});
