import { browser } from 'wxt/browser';
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { openEarlyPort } from '../ui/early-port.js';
import { UI_PORT_NAME } from '../ui-protocol/port.js';

/**
 * Loaded by popup.html's `<head>` as a classic script, before the popup's modules: opens the Port
 * to the background at once, so a stopped worker starts while the modules load (ui/early-port.ts).
 * Imports nothing heavy: it runs on the page's critical path.
 */
export default defineUnlistedScript(() => {
  openEarlyPort(() => browser.runtime.connect({ name: UI_PORT_NAME }));
});
