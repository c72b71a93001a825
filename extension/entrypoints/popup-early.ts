import { browser } from 'wxt/browser';
import { defineUnlistedScript } from 'wxt/utils/define-unlisted-script';
import { FIRST_LIST_SCOPE } from '../popup/popup-view.js';
import { openEarlyPort } from '../ui/early-port.js';
import type { DataRequestBody } from '../ui/ui-state.svelte.js';
import { UI_PORT_NAME } from '../ui-protocol/port.js';

/**
 * Loaded by popup.html's `<head>` as a classic script, before the popup's modules: opens the Port
 * to the background at once, so a stopped worker starts while the modules load, and asks for the
 * first list's cached rows, so they are in when the page asks for them (ui/early-port.ts).
 * A notification's popup shows another list: the page then asks for that one itself.
 * Imports nothing heavy: it runs on the page's critical path.
 */
const FIRST_REQUESTS: readonly DataRequestBody[] = [{ type: 'cache.list', scope: FIRST_LIST_SCOPE }];

export default defineUnlistedScript(() => {
  openEarlyPort(() => browser.runtime.connect({ name: UI_PORT_NAME }), FIRST_REQUESTS);
});
