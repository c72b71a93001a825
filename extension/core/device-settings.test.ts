import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEVICE_SETTINGS,
  POPUP_DIMENSIONS,
  parseDeviceSettings,
  popupSizeFromMirror,
} from './device-settings.js';

describe('parseDeviceSettings', () => {
  it('reads stored settings', () => {
    expect(parseDeviceSettings({ popupSize: 'compact', keepNoMail: true })).toEqual({
      popupSize: 'compact',
      keepNoMail: true,
    });
  });

  it('falls back field by field: a bad size keeps a good "keep no mail"', () => {
    expect(parseDeviceSettings({ popupSize: 'huge', keepNoMail: true })).toEqual({
      popupSize: 'wide',
      keepNoMail: true,
    });
    expect(parseDeviceSettings({ popupSize: 'compact', keepNoMail: 'yes' })).toEqual({
      popupSize: 'compact',
      keepNoMail: false,
    });
  });

  it('gives the defaults (wide, keep mail) for nothing stored or a non-object', () => {
    expect(parseDeviceSettings(undefined)).toEqual(DEFAULT_DEVICE_SETTINGS);
    expect(parseDeviceSettings('compact')).toEqual(DEFAULT_DEVICE_SETTINGS);
    expect(DEFAULT_DEVICE_SETTINGS).toEqual({ popupSize: 'wide', keepNoMail: false });
  });
});

describe('popupSizeFromMirror', () => {
  it('accepts only the known sizes', () => {
    expect(popupSizeFromMirror('compact')).toBe('compact');
    expect(popupSizeFromMirror('wide')).toBe('wide');
    expect(popupSizeFromMirror(null)).toBeNull();
    expect(popupSizeFromMirror('fluid')).toBeNull();
  });
});

describe('POPUP_DIMENSIONS', () => {
  it("fit Chrome's largest popup, 800×600", () => {
    for (const { width, height } of Object.values(POPUP_DIMENSIONS)) {
      expect(width).toBeLessThanOrEqual(800);
      expect(height).toBeLessThanOrEqual(600);
    }
  });
});
