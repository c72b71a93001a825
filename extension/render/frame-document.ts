/**
 * Builds the `srcdoc` of the message frame from a mail's HTML body: sanitise (sanitize.ts), then
 * prepend — on the DOM, before the one serialisation — a Content-Security-Policy `<meta>` as the
 * first child of `<head>`, a no-referrer `<meta>` and the frame's base style.
 *
 * The frame contract (checked by test/e2e/security-frame.test.ts):
 * - `sandbox="allow-same-origin"` and nothing else: no `allow-scripts`, `allow-popups`,
 *   `allow-top-navigation*`, `allow-forms`, `allow-modals`. See MessageFrame.svelte for why
 *   allow-same-origin is safe without allow-scripts and why it is there.
 * - CSP (meta, so it applies to everything parsed after it): `default-src 'none'` — no script,
 *   frame, object, media, fetch, font or stylesheet loads; `img-src data: cid:` (plus `https:
 *   http:` only once the user chose "Show images"); `style-src 'unsafe-inline'` for the mail's own
 *   `<style>`/`style=` (already cleaned); `form-action 'none'`; `base-uri 'none'`.
 *
 * Dark mode: the frame is a light "paper" surface (the mail's own colours on white,
 * `color-scheme: light`) inside the dark popup, as most mail clients do. Mail HTML is designed
 * against white; inverting it breaks logos, brand colours and contrast in ways nobody can check.
 */
import { BLOCKED_ATTRIBUTE, sanitizeHtml, type SanitizedHtml, type SanitizeOptions } from './sanitize.js';

/** The frame's Content-Security-Policy, exactly as written into the `<meta>`. */
export function frameContentSecurityPolicy(remoteAllowed: boolean): string {
  const images = remoteAllowed ? 'img-src data: cid: https: http:' : 'img-src data: cid:';
  return [
    "default-src 'none'",
    images,
    "style-src 'unsafe-inline'",
    "font-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** The sandbox tokens of the message frame (see MessageFrame.svelte). */
export const FRAME_SANDBOX = 'allow-same-origin';

/**
 * Base style of the paper surface. The mail's own styles come after it and win. No url(), no
 * fonts: nothing here fetches.
 */
const BASE_STYLE = `
:root{color-scheme:light}
html{background:#fff;overflow-y:hidden;overflow-x:auto}
body{margin:0;padding:12px 14px;color:#18181b;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:break-word}
img{max-width:100%;height:auto}
img[${BLOCKED_ATTRIBUTE}]{display:inline-block;min-width:20px;min-height:20px;background:repeating-linear-gradient(45deg,#f4f4f5 0 6px,#e4e4e7 6px 12px);outline:1px dashed #a1a1aa;outline-offset:-1px}
pre{white-space:pre-wrap}
blockquote{margin:0 0 0 6px;padding-left:10px;border-left:2px solid #d4d4d8}
.tidings-part+.tidings-part{margin-top:12px;padding-top:12px;border-top:1px solid #e4e4e7}
.tidings-text{white-space:pre-wrap;font:inherit;margin:0}
a{color:#1d4ed8}
a:focus-visible{outline:2px solid #2563eb;outline-offset:2px}
`;

export interface FrameDocument {
  /** The whole document for the iframe's `srcdoc`. */
  srcdoc: string;
  /** Remote URLs blocked (drives the "Show images" bar). */
  remoteBlocked: number;
  /** Normalised Content-IDs referenced by `cid:` (parts to load). */
  contentIds: ReadonlySet<string>;
}

/**
 * Sanitises `html` and wraps it for the sandboxed frame.
 *
 * @example
 * const { srcdoc } = buildFrameDocument(message.body.content, { remoteAllowed: false, inlineImages: new Map() });
 */
export function buildFrameDocument(html: string, options: SanitizeOptions): FrameDocument {
  return wrapFrameDocument(sanitizeHtml(html, options), options.remoteAllowed);
}

/**
 * Adds the CSP, referrer and base style to an already sanitised document and serialises it once
 * (frame-parts.ts builds one from several parts).
 */
export function wrapFrameDocument(sanitized: SanitizedHtml, remoteAllowed: boolean): FrameDocument {
  const { root, remoteBlocked, contentIds } = sanitized;
  const doc = root.ownerDocument;
  let head = root.querySelector(':scope > head');
  if (!head) {
    head = doc.createElement('head');
    root.prepend(head);
  }
  const csp = doc.createElement('meta');
  csp.setAttribute('http-equiv', 'Content-Security-Policy');
  csp.setAttribute('content', frameContentSecurityPolicy(remoteAllowed));
  const referrer = doc.createElement('meta');
  referrer.setAttribute('name', 'referrer');
  referrer.setAttribute('content', 'no-referrer');
  const style = doc.createElement('style');
  style.textContent = BASE_STYLE;
  head.prepend(csp, referrer, style);
  // The only serialisation after sanitising; the doctype keeps the frame in no-quirks mode
  // (srcdoc documents are anyway) and matches how the sanitizer parsed.
  return { srcdoc: `<!DOCTYPE html>${root.outerHTML}`, remoteBlocked, contentIds };
}
