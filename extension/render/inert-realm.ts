/**
 * A window in which hostile HTML can be parsed without the popup ever seeing its event handlers.
 *
 * Chromium checks the page's Content-Security-Policy the moment an `on*` attribute is set on an
 * element whose document belongs to the popup's window — and every document the popup creates
 * does: `DOMParser` output, `document.implementation.createHTMLDocument('')`, `<template>`
 * content, `Document.parseHTMLUnsafe`. Nothing runs (the extension CSP blocks it), but each
 * handler in a mail logged "Executing inline event handler violates the following Content
 * Security Policy directive" against the popup, from inside DOMPurify's parse (issue 12).
 *
 * An `about:blank` iframe with `sandbox="allow-same-origin"` (no `allow-scripts`) is a window
 * that cannot run script at all, so Chromium creates no handler for an `on*` attribute in any
 * document of that window and checks no policy. allow-same-origin only lets the popup reach its
 * `contentWindow` (the frame has no code of its own to use an origin); the frame is hidden,
 * never navigated and never shown. Its DOMParser, documents and node constructors are what the
 * sanitizer uses (sanitize.ts), so hostile markup is only ever parsed in this window.
 *
 * What remains: Chromium notes each refused handler in the console as "Blocked script execution
 * in 'about:blank' because the document's frame is sandboxed" — the sandbox saying no, not a CSP
 * report. A detached iframe's window would be silent, but it loses its constructors and keeps
 * parsing only through references taken before it was detached (unspecified behaviour), so this
 * module does not rely on it.
 */

let frame: HTMLIFrameElement | null = null;

/**
 * The inert window, created on first use (synchronously: an inserted iframe has its initial
 * `about:blank` document at once) and again if something removed it from the page.
 */
export function inertWindow(): Window & typeof globalThis {
  let win = frame?.isConnected ? frame.contentWindow : null;
  if (!win) {
    frame?.remove();
    frame = document.createElement('iframe');
    frame.setAttribute('sandbox', 'allow-same-origin');
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    frame.hidden = true;
    frame.dataset['tidingsInert'] = '';
    (document.body ?? document.documentElement).append(frame);
    win = frame.contentWindow;
    if (!win) throw new Error('the inert parsing frame has no window');
  }
  return win as Window & typeof globalThis;
}
