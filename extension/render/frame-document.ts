/**
 * The message frame's document. The frame loads a fixed shell by `srcdoc` (frameShell): a
 * Content-Security-Policy `<meta>` as the first child of `<head>`, a no-referrer `<meta>` and the
 * frame's base style, and an empty body. The mail's HTML body is sanitised (sanitize.ts) into a DOM
 * in the inert window, and showInFrame copies those nodes into the loaded shell. The shell can load
 * while the body is still on its way from the relay, and the mail is never serialised and parsed
 * again after DOMPurify checked it (issue 10: the srcdoc navigation, context creation and second
 * parse were half of the time to open a 60 KB newsletter).
 *
 * The frame contract (checked by test/e2e/security-frame.test.ts):
 * - `sandbox="allow-same-origin"` and nothing else: no `allow-scripts`, `allow-popups`,
 *   `allow-top-navigation*`, `allow-forms`, `allow-modals`. See MessageFrame.svelte for why
 *   allow-same-origin is safe without allow-scripts and why it is there.
 * - CSP (meta, parsed before anything else and in force for the document's whole life, so also for
 *   the mail's nodes inserted later): `default-src 'none'` — no script,
 *   frame, object, media, fetch, font or stylesheet loads; `img-src data: cid:` (plus `https:
 *   http:` only once the user chose "Show images"); `style-src 'unsafe-inline'` for the mail's own
 *   `<style>`/`style=` (already cleaned); `form-action 'none'`; `base-uri 'none'`.
 *
 * Dark mode: the frame is a light "paper" surface (the mail's own colours on white,
 * `color-scheme: light`) inside the dark popup, as most mail clients do. Mail HTML is designed
 * against white; inverting it breaks logos, brand colours and contrast in ways nobody can check.
 */
import { BLOCKED_ATTRIBUTE, sanitizeHtml, type SanitizeOptions } from './sanitize.js';

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
  /** The sanitised `<html>`, in a document of the inert window (sanitize.ts): what the frame shows. */
  root: HTMLElement;
  /** Whether it was sanitised with remote images allowed; the frame's CSP must say the same. */
  remoteAllowed: boolean;
  /** Remote URLs blocked (drives the "Show images" bar). */
  remoteBlocked: number;
  /** Normalised Content-IDs referenced by `cid:` (parts to load). */
  contentIds: ReadonlySet<string>;
}

/**
 * The `srcdoc` of the message frame: an empty document whose `<head>` starts with the CSP
 * `<meta>`, then the no-referrer `<meta>` and the base style. It holds nothing from the mail, so
 * it can load while the body is still on its way; showInFrame puts the sanitised mail in it.
 */
export function frameShell(remoteAllowed: boolean): string {
  const csp = frameContentSecurityPolicy(remoteAllowed);
  return `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}"><meta name="referrer" content="no-referrer"><style>${BASE_STYLE}</style></head><body></body></html>`;
}

/** The shell's own `<head>` children (frameShell): the CSP, the referrer policy, the base style. */
const SHELL_HEAD_NODES = 3;

/**
 * Sanitises `html` for the sandboxed frame.
 *
 * @example
 * const content = buildFrameDocument(message.body.content, { remoteAllowed: false, inlineImages: new Map() });
 */
export function buildFrameDocument(html: string, options: SanitizeOptions): FrameDocument {
  return { ...sanitizeHtml(html, options), remoteAllowed: options.remoteAllowed };
}

/**
 * Shows sanitised mail in a loaded frame shell (frameShell), replacing what it showed before: the
 * mail's `<html>` attributes, its `<head>` nodes after the shell's own, and its `<body>`. The nodes
 * are copied (importNode) from the inert window's sanitised tree into the frame's document — no
 * HTML string in between, so nothing is parsed a second time and nothing can change between what
 * DOMPurify checked and what the frame shows (no serialise/re-parse differential at all).
 *
 * Fails closed: throws unless the document's first `<head>` child is the CSP this content needs
 * (a CSP `<meta>` can only ever tighten a document's policy, so a shell built for "remote images
 * allowed" is never reused for content sanitised without them, nor the other way round).
 */
export function showInFrame(doc: Document, content: FrameDocument): void {
  const head = doc.head;
  const csp = head?.firstElementChild;
  if (
    !head ||
    !doc.body ||
    csp?.localName !== 'meta' ||
    csp.getAttribute('http-equiv') !== 'Content-Security-Policy' ||
    csp.getAttribute('content') !== frameContentSecurityPolicy(content.remoteAllowed)
  ) {
    throw new Error('the message frame is not a shell with the CSP for this content');
  }
  const html = doc.documentElement;
  for (const name of html.getAttributeNames()) html.removeAttribute(name);
  for (const attr of Array.from(content.root.attributes)) html.setAttribute(attr.name, attr.value);
  while (head.childNodes.length > SHELL_HEAD_NODES) head.lastChild?.remove();
  const mailHead = content.root.querySelector(':scope > head');
  if (mailHead) head.append(...Array.from(mailHead.childNodes, (node) => doc.importNode(node, true)));
  const mailBody = content.root.querySelector(':scope > body');
  doc.body.replaceWith(mailBody ? doc.importNode(mailBody, true) : doc.createElement('body'));
}
