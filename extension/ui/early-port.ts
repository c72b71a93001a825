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
 * Until then what the background sends is kept, in order, and a drop is kept with it. The page
 * gets all of it once the code that took the Port has run to its end (a microtask), never inside
 * `addListener`: the page opens its channel and then, in the same run, registers the listeners
 * the messages are for (the popup's push listeners, for the outbox count). Not a later task: the
 * page's first rows then come in the task that evaluates its modules, before the browser lays
 * out and paints an empty page (issue 10: ~8 ms of a warm open). A dropped Port is then reported
 * after the messages it carried, and TidingsUi reconnects as it does for any dropped Port. The
 * Port is taken once; a page without the early script (the options page) finds none and
 * connects itself.
 *
 * The early script may also send the page's first request right away (the popup: the first
 * list's cached rows), so that the background's answer travels while the modules load, not after
 * (issue 10: one round trip, 10-15 ms of a warm open). The Port it hands over says what it sent
 * (`sentEarly`); TidingsUi gives the reply to the page's first request if it is the same one.
 */
import type { PortLike } from '../ui-protocol/port.js';

/** A request the early script sent, with the id its reply will carry. */
export interface SentEarly {
  id: string;
  body: object;
}

/** The early Port as the page takes it over: a Port, and the requests already sent on it. */
export interface EarlyPort extends PortLike {
  readonly sentEarly: readonly SentEarly[];
}

/** The global the early script leaves the Port under (a classic script and a module share it). */
const EARLY_PORT_KEY = '__tidingsEarlyPort';
/** Marks the Port's disconnect among the messages kept before the page took it. */
const DROPPED = Symbol('dropped');

interface EarlyPortSlot {
  take(): EarlyPort;
}
type Host = { [EARLY_PORT_KEY]?: EarlyPortSlot };

/**
 * Opens the Port now, sends `requests` on it (ids `early-1`, `early-2`, …), and keeps what
 * arrives until it is taken (takeEarlyPort). A failing `connect` (the extension was reloaded under
 * the page) leaves nothing: the page then connects, and reports the failure, itself.
 */
export function openEarlyPort(
  connect: () => PortLike,
  requests: readonly object[] = [],
  host: object = globalThis,
): void {
  const slot = host as Host;
  if (slot[EARLY_PORT_KEY]) return;
  let port: PortLike;
  try {
    port = connect();
  } catch {
    return;
  }
  /** What arrived before the page took the Port over: messages, and `DROPPED` for a disconnect. */
  const early: unknown[] = [];
  let onMessage: ((message: unknown) => void) | null = null;
  let onDisconnect: (() => void) | null = null;
  /** Set once the page has been handed what came early; from then on events go straight through. */
  let live = false;
  port.onMessage.addListener((message) => {
    if (live) onMessage?.(message);
    else early.push(message);
  });
  port.onDisconnect.addListener(() => {
    if (live) onDisconnect?.();
    else early.push(DROPPED);
  });
  const sentEarly: SentEarly[] = [];
  for (const body of requests) {
    const id = `early-${sentEarly.length + 1}`;
    try {
      port.postMessage({ ...body, id });
    } catch {
      break; // the Port is already gone: its drop is reported, and the page asks itself
    }
    sentEarly.push({ id, body });
  }
  slot[EARLY_PORT_KEY] = {
    take: () => {
      queueMicrotask(() => {
        live = true;
        for (const event of early.splice(0)) {
          // As a Port's dispatch does: a listener that throws is reported and the rest still come.
          try {
            if (event === DROPPED) onDisconnect?.();
            else onMessage?.(event);
          } catch (error) {
            queueMicrotask(() => {
              throw error;
            });
          }
        }
      });
      return {
        name: port.name,
        sentEarly,
        postMessage: (message) => port.postMessage(message),
        disconnect: () => port.disconnect(),
        onMessage: {
          addListener(listener) {
            if (onMessage) throw new Error('the early Port takes one message listener');
            onMessage = listener;
          },
        },
        onDisconnect: {
          addListener(listener) {
            if (onDisconnect) throw new Error('the early Port takes one disconnect listener');
            onDisconnect = listener;
          },
        },
      };
    },
  };
}

/** The Port the early script opened, once; null on a page without one or when already taken. */
export function takeEarlyPort(host: object = globalThis): EarlyPort | null {
  const slot = host as Host;
  const early = slot[EARLY_PORT_KEY];
  if (!early) return null;
  delete slot[EARLY_PORT_KEY];
  return early.take();
}
