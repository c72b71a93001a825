/**
 * The popup's layout: the size the user chose in the options page (core/device-settings.ts), or
 * `fluid` (`popup.html?layout=fluid`: fill the tab, for narrow windows and notification clicks
 * that open the popup in a tab).
 *
 * Chrome grows a toolbar popup to its content, up to 800×600, so the popup sets its own size in
 * px; a size relative to the viewport would collapse it.
 */
import { popupSizeFromMirror, type PopupSize } from '../core/device-settings.js';

export type PopupLayout = PopupSize | 'fluid';

/** Tailwind classes of the popup's root for each layout (literal, so Tailwind generates them). */
export const POPUP_LAYOUT_CLASS: Readonly<Record<PopupLayout, string>> = {
  wide: 'h-[580px] w-[760px]',
  compact: 'h-[580px] w-[400px]',
  fluid: 'h-screen w-full',
};

/**
 * The layout to paint first: `?layout=fluid` wins, then the size mirrored into `localStorage`
 * (readable synchronously, before the first paint), then the default (wide).
 */
export function initialPopupLayout(search: string, mirror: string | null): PopupLayout {
  if (new URLSearchParams(search).get('layout') === 'fluid') return 'fluid';
  return popupSizeFromMirror(mirror) ?? 'wide';
}
