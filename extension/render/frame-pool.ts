/**
 * One message frame kept ready: an iframe with the frame's sandbox whose shell (frame-document.ts
 * frameShell) is already loaded, parked hidden in the popup until the next message view takes it
 * (issue 10). Creating the iframe and navigating it to its srcdoc while a message opens cost the
 * open twice: the iframe and its window were made in the keypress task, and the shell's navigation
 * held up the relay's answer (traces: the body reached the popup ~80 ms later). A parked frame is
 * moved into the message view with `Element.moveBefore`, which keeps its document (no reload).
 *
 * The parked frame holds no mail and runs nothing (sandbox without allow-scripts, CSP first in its
 * head); MessageFrame checks its CSP before showing anything in it (showInFrame fails closed).
 */
import { FRAME_SANDBOX, frameShell } from './frame-document.js';

interface Parked {
  iframe: HTMLIFrameElement;
  remoteAllowed: boolean;
  loaded: boolean;
}

let parked: Parked | null = null;
let parking: HTMLElement | null = null;

/** A new message frame loading the shell; the caller inserts it. */
export function createMessageFrame(remoteAllowed: boolean): HTMLIFrameElement {
  const iframe = document.createElement('iframe');
  // The sandbox is set before the srcdoc and before insertion: the shell never loads without it.
  iframe.setAttribute('sandbox', FRAME_SANDBOX);
  iframe.setAttribute('referrerpolicy', 'no-referrer');
  iframe.srcdoc = frameShell(remoteAllowed);
  return iframe;
}

/** Parks a frame loading the shell (remote images blocked, the default), unless one is waiting. */
export function prewarmMessageFrame(): void {
  if (parked?.iframe.isConnected) return;
  if (!parking?.isConnected) {
    parking = document.createElement('div');
    parking.hidden = true;
    parking.dataset['tidingsParkedFrame'] = '';
    (document.body ?? document.documentElement).append(parking);
  }
  const entry: Parked = { iframe: createMessageFrame(false), remoteAllowed: false, loaded: false };
  entry.iframe.addEventListener('load', () => (entry.loaded = true), { once: true });
  parking.append(entry.iframe);
  parked = entry;
}

/**
 * The parked frame, when its shell has loaded with the CSP for `remoteAllowed`; null otherwise
 * (the caller then creates one). The caller must move it with `moveBefore` to keep its document.
 */
export function takeMessageFrame(remoteAllowed: boolean): HTMLIFrameElement | null {
  const entry = parked;
  if (!entry?.loaded || !entry.iframe.isConnected || entry.remoteAllowed !== remoteAllowed) return null;
  parked = null;
  return entry.iframe;
}
