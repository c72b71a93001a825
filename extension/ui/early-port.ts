/**
 * The popup's Port to the background, opened before the popup's modules load (issue 10).
 *
 * A stopped MV3 worker only starts when a page connects, and the popup's modules connect once
 * they are fetched, compiled and evaluated: ~60 ms after the HTML is parsed, plus their own
 * ~50 ms of evaluation. The worker's start (~100 ms) then begins only after all that. A small
 * classic script in the popup's `<head>` (entrypoints/popup-early.ts) opens the Port while the
 * HTML is parsed instead, so the worker starts (or, when it runs, answers with the snapshot)
 * while the modules load; TidingsUi takes that Port over when it opens its channel.
 *
 * Until then the messages the background sends are kept, in order, and handed to the first
 * message listener; a Port that dropped meanwhile reports it to the first disconnect listener,
 * and TidingsUi reconnects as it does for any dropped Port. The Port is taken once; a page
 * without the early script (the options page) finds none and connects itself.
 */
import type { PortLike } from '../ui-protocol/port.js';

/** The global the early script leaves the Port under (a classic script and a module share it). */
const EARLY_PORT_KEY = '__tidingsEarlyPort';

interface EarlyPortSlot {
  take(): PortLike;
}
type Host = { [EARLY_PORT_KEY]?: EarlyPortSlot };

/**
 * Opens the Port now and keeps what arrives until it is taken (takeEarlyPort). A failing
 * `connect` (the extension was reloaded under the page) leaves nothing: the page then connects,
 * and reports the failure, itself.
 */
export function openEarlyPort(connect: () => PortLike, host: object = globalThis): void {
  const slot = host as Host;
  if (slot[EARLY_PORT_KEY]) return;
  let port: PortLike;
  try {
    port = connect();
  } catch {
    return;
  }
  const buffered: unknown[] = [];
  let onMessage: ((message: unknown) => void) | null = null;
  let onDisconnect: (() => void) | null = null;
  let disconnected = false;
  port.onMessage.addListener((message) => {
    if (onMessage) onMessage(message);
    else buffered.push(message);
  });
  port.onDisconnect.addListener(() => {
    disconnected = true;
    onDisconnect?.();
  });
  slot[EARLY_PORT_KEY] = {
    take: () => ({
      name: port.name,
      postMessage: (message) => port.postMessage(message),
      disconnect: () => port.disconnect(),
      onMessage: {
        addListener(listener) {
          if (onMessage) throw new Error('the early Port takes one message listener');
          onMessage = listener;
          for (const message of buffered.splice(0)) listener(message);
        },
      },
      onDisconnect: {
        addListener(listener) {
          if (onDisconnect) throw new Error('the early Port takes one disconnect listener');
          onDisconnect = listener;
          // Dropped before the page took it: report it now, after the caller's own setup.
          if (disconnected) queueMicrotask(listener);
        },
      },
    }),
  };
}

/** The Port the early script opened, once; null on a page without one or when already taken. */
export function takeEarlyPort(host: object = globalThis): PortLike | null {
  const slot = host as Host;
  const early = slot[EARLY_PORT_KEY];
  if (!early) return null;
  delete slot[EARLY_PORT_KEY];
  return early.take();
}
