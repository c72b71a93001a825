/**
 * Settings of this browser only (issue 13), unlike the user's settings, which live on the relay
 * and are the same in every browser: how big the popup is, and whether mail may be kept on this
 * device. Stored in `storage.local` under one key, written by the options page, read by the
 * popup (its size) and the service worker (the mail cache).
 *
 * The popup must know its size before its first paint, and `storage.local` only answers
 * asynchronously, so the options page also mirrors the size into the extension origin's
 * `localStorage`, which the popup reads synchronously (entrypoints/popup/main.ts); `storage.local`
 * stays the source of truth and the popup repairs a missing or stale mirror.
 */
import { z } from 'zod/mini';

/** The `storage.local` key. Bump the suffix on an incompatible change. */
export const DEVICE_SETTINGS_KEY = 'tidings.device.v1';

/** The `localStorage` key of the popup-size mirror (see the file comment). */
export const POPUP_SIZE_MIRROR_KEY = 'tidings.popupSize';

export const POPUP_SIZES = ['wide', 'compact'] as const;
export type PopupSize = (typeof POPUP_SIZES)[number];

/**
 * The popup's size for each choice, in CSS px. Both fit Chrome's largest popup (800×600); the
 * height leaves room for the popup's border.
 */
export const POPUP_DIMENSIONS: Readonly<Record<PopupSize, { width: number; height: number }>> = {
  wide: { width: 760, height: 580 },
  compact: { width: 400, height: 580 },
};

export interface DeviceSettings {
  popupSize: PopupSize;
  /**
   * "Keep no mail on this device" (shared computers): the worker keeps message lists and bodies
   * in memory only, never in IndexedDB, and switching it on wipes what was stored.
   */
  keepNoMail: boolean;
}

export const DEFAULT_DEVICE_SETTINGS: DeviceSettings = { popupSize: 'wide', keepNoMail: false };

const popupSizeSchema = z.enum(POPUP_SIZES);

/** Reads stored device settings from `unknown`, field by field; a bad field falls back to its default. */
export function parseDeviceSettings(value: unknown): DeviceSettings {
  const raw = z.record(z.string(), z.unknown()).safeParse(value);
  if (!raw.success) return { ...DEFAULT_DEVICE_SETTINGS };
  const size = popupSizeSchema.safeParse(raw.data['popupSize']);
  const keepNoMail = z.boolean().safeParse(raw.data['keepNoMail']);
  return {
    popupSize: size.success ? size.data : DEFAULT_DEVICE_SETTINGS.popupSize,
    keepNoMail: keepNoMail.success ? keepNoMail.data : DEFAULT_DEVICE_SETTINGS.keepNoMail,
  };
}

/** The popup size a mirror value names, or null when it names none (missing, cleared, garbage). */
export function popupSizeFromMirror(value: string | null): PopupSize | null {
  const size = popupSizeSchema.safeParse(value);
  return size.success ? size.data : null;
}
