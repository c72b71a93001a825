// First, before any module builds a zod schema (see core/zod-config.ts).
import '../../core/zod-config.js';
import { mount } from 'svelte';
import { browser } from 'wxt/browser';
import '../../assets/app.css';
import { DEVICE_SETTINGS_KEY, POPUP_SIZE_MIRROR_KEY, parseDeviceSettings } from '../../core/device-settings.js';
import { initialPopupLayout, POPUP_LAYOUT_CLASS } from '../../popup/popup-layout.js';
import { PopupState } from '../../popup/popup-state.svelte.js';
import { createTidingsUi } from '../../ui/ui-state.svelte.js';
import App from './App.svelte';

/**
 * The longest the page stays empty (at its size and background colour) waiting for its first
 * content before it shows the skeleton (PopupState.firstContent). A warm open has its content
 * within ~10 ms of the scripts running; a worker that is starting takes 200-400 ms.
 */
const FIRST_CONTENT_WAIT_MS = 100;

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
const ui = createTidingsUi();
ui.open();
const popup = new PopupState(ui);
// The first list's requests go out before the page is built: the background's cache read
// overlaps the mount instead of following it.
popup.start();
// The size the user chose in options (compact or wide), read synchronously from the mirror the
// options page keeps so the first paint already has it; see popup/popup-layout.ts.
const mirror = readMirror();
const layout = initialPopupLayout(location.search, mirror);
// The empty page already has the popup's size, so the browser opens the popup at its final size.
target.className = POPUP_LAYOUT_CLASS[layout];
void popup.firstContent(FIRST_CONTENT_WAIT_MS).then(() => {
  mount(App, { target, props: { popup, layout } });
});

// storage.local is the source of truth: repair a missing or stale mirror, and re-open at the
// right size if the first paint used the wrong one (once: the mirror then matches).
if (layout !== 'fluid') {
  void browser.storage.local.get(DEVICE_SETTINGS_KEY).then((stored) => {
    const { popupSize } = parseDeviceSettings(stored[DEVICE_SETTINGS_KEY]);
    if (popupSize === mirror) return;
    try {
      localStorage.setItem(POPUP_SIZE_MIRROR_KEY, popupSize);
    } catch {
      return;
    }
    if (popupSize !== layout) location.reload();
  });
}

function readMirror(): string | null {
  try {
    return localStorage.getItem(POPUP_SIZE_MIRROR_KEY);
  } catch {
    return null;
  }
}
