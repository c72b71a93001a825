/**
 * The options page's "This browser" section (issue 13): settings kept in this browser only
 * (core/device-settings.ts), unlike the user's settings on the relay. Reading and writing go to
 * `storage.local` through the functions the page passes in; the popup size is also mirrored for
 * the popup's synchronous first paint.
 */
import {
  DEFAULT_DEVICE_SETTINGS,
  parseDeviceSettings,
  type DeviceSettings,
  type PopupSize,
} from '../core/device-settings.js';
import type { SaveState, ShownError } from './options-common.js';

export interface DeviceSettingsDeps {
  /** The stored value (`storage.local`), unparsed. */
  read: () => Promise<unknown>;
  write: (settings: DeviceSettings) => Promise<void>;
  /** Writes the synchronous popup-size mirror (`localStorage`). */
  mirrorPopupSize: (size: PopupSize) => void;
}

/**
 * @example
 * const device = new DeviceSettingsState({ read, write, mirrorPopupSize });
 * await device.load();
 * await device.update({ popupSize: 'compact' });
 */
export class DeviceSettingsState {
  /** Null until loaded. */
  settings = $state<DeviceSettings | null>(null);
  saveState = $state<SaveState>('idle');
  saveError = $state<ShownError | null>(null);
  readonly #d: DeviceSettingsDeps;

  constructor(deps: DeviceSettingsDeps) {
    this.#d = deps;
  }

  async load(): Promise<void> {
    let stored: unknown;
    try {
      stored = await this.#d.read();
    } catch {
      stored = undefined;
    }
    this.settings = parseDeviceSettings(stored);
    this.#mirror(this.settings.popupSize);
  }

  /** Saves a change; the page shows it at once and goes back if storage refuses it. */
  async update(change: Partial<DeviceSettings>): Promise<boolean> {
    const before = this.settings ?? DEFAULT_DEVICE_SETTINGS;
    const next: DeviceSettings = { ...before, ...change };
    this.settings = next;
    this.saveState = 'saving';
    this.saveError = null;
    try {
      await this.#d.write(next);
    } catch (error) {
      this.settings = before;
      this.saveState = 'error';
      this.saveError = { code: null, message: error instanceof Error ? error.message : String(error), technical: null };
      return false;
    }
    this.#mirror(next.popupSize);
    this.saveState = 'saved';
    return true;
  }

  #mirror(size: PopupSize): void {
    try {
      this.#d.mirrorPopupSize(size);
    } catch {
      // No localStorage (a private profile that refuses it): the popup reads storage.local instead.
    }
  }
}
