// First, before any module builds a zod schema (see core/zod-config.ts).
import '../../core/zod-config.js';
import { mount } from 'svelte';
import { browser } from 'wxt/browser';
import '../../assets/app.css';
import { DEVICE_SETTINGS_KEY, POPUP_SIZE_MIRROR_KEY } from '../../core/device-settings.js';
import { t, uiLanguage } from '../../i18n/i18n.js';
import { DeviceSettingsState } from '../../options/device-settings.svelte.js';
import { OptionsState } from '../../options/options-state.svelte.js';
import { createTidingsUi } from '../../ui/ui-state.svelte.js';
import { parseOptionsTarget } from '../../ui-protocol/open-target.js';
import App from './App.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('#app is missing from index.html');
document.documentElement.lang = uiLanguage();
document.title = t('opt_pageTitle');
const ui = createTidingsUi();
ui.open();
const browserTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const options = new OptionsState({
  // Relay requests go through the background's proxy; the page never talks to the relay itself.
  call: async (type, params) => {
    const reply = await ui.relay(type, params);
    return reply.ok
      ? { ok: true, result: reply.value }
      : { ok: false, error: { message: reply.error.message, ...(reply.error.code ? { code: reply.error.code } : {}) } };
  },
  subscribe: (listener) =>
    ui.onPush((push) => {
      if (push.type === 'event') listener(push.event);
    }),
  t,
  timeZone: () => browserTimeZone,
  now: () => Date.now(),
  // Google sign-in (issue 9): the provider's page in a browser window; the redirect to
  // https://<extension-id>.chromiumapp.org/ carries the code, which goes to the relay.
  identity: {
    launchWebAuthFlow: async (url) => {
      const redirected = await browser.identity.launchWebAuthFlow({ url, interactive: true });
      if (!redirected) throw new Error('the sign-in window returned nothing');
      return redirected;
    },
    redirectUrl: () => browser.identity.getRedirectURL(),
  },
});
options.open();
// A health notification opens the page at an account (and its "Sign in again"): read once.
const focus = parseOptionsTarget(location.search);
// Settings of this browser only (issue 13): storage.local, plus the popup's synchronous mirror.
const device = new DeviceSettingsState({
  read: async () => (await browser.storage.local.get(DEVICE_SETTINGS_KEY))[DEVICE_SETTINGS_KEY],
  write: (settings) => browser.storage.local.set({ [DEVICE_SETTINGS_KEY]: settings }),
  mirrorPopupSize: (size) => localStorage.setItem(POPUP_SIZE_MIRROR_KEY, size),
});
void device.load();
mount(App, { target, props: { ui, options, device, browserTimeZone, now: () => Date.now(), focus } });
