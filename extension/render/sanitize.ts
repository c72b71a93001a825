/**
 * The HTML sanitizer for message bodies. Mail HTML is hostile input and the popup runs with the
 * extension's privileges, so (SECURITY.md):
 *
 * - **Same engine as the renderer.** DOMPurify runs in the popup on Chromium's own HTML parser
 *   (DOMParser), and the result renders in a Chromium iframe; CSS is parsed with Chromium's CSS
 *   parser (CSSOM). No second parser, so no parser differential (the SnappyMail/DOMPurify mXSS
 *   family). The input is parsed in no-quirks mode because the srcdoc frame always renders in
 *   no-quirks mode (HTML §4.8.5: an iframe srcdoc document is never in quirks mode), so `<table>`
 *   inside `<p>` builds the same tree in both.
 * - **Sanitize last.** Every transformation — URL rewriting, remote-image blocking, cid: inlining,
 *   CSS cleaning, `rel` on links — happens in DOMPurify hooks, on the DOM. Nothing edits HTML as
 *   a string afterwards (Roundcube 2024: string edits after sanitizing reintroduced XSS):
 *   frame-document.ts copies the sanitised nodes into the frame's document as they are, with no
 *   serialisation in between.
 * - **HTML only.** No SVG, no MathML (the usual webmail XSS route: `svg use href=data:`,
 *   `animate` with padded attribute names, `feImage`), no forms, inputs, buttons, media, frames,
 *   objects, templates, `base`/`meta`/`link`. Event handler attributes never pass DOMPurify.
 * - **Links**: only absolute `https:`, `http:`, `mailto:` hrefs without credentials survive
 *   (linkify.ts safeLinkUrl: the URL standard's parser, so `jav&#x09;ascript:` and friends are
 *   judged exactly as the browser would navigate); `target` is removed and
 *   `rel="noopener noreferrer"` set.
 * - **Remote content is blocked by default**: `src`, `background`, `srcset`, CSS `url()`,
 *   `image-set()`, `@import` and `@font-face` never reach the network; each blocked remote URL is
 *   counted so the popup can offer "Show images". Blocked images that would take up room keep
 *   their box and get `data-tidings-blocked` so the frame can draw a placeholder; tracking pixels
 *   (1×1, hidden, or unsized without alt text) get none, so they stay invisible. With remote content allowed,
 *   only http(s) images load (the frame's CSP also allows only those).
 * - **`cid:` images** are replaced by `data:` URLs the caller loaded (png/jpeg/gif/webp only).
 *   Raster `data:image/*;base64` images already in the mail are kept too: they are inert in an
 *   `<img>`, and keeping them is what makes the sanitizer idempotent on its own output.
 * - **Idempotent**: sanitize(serialize(sanitize(x))) serialises to the same string (tested in
 *   real Chromium, test/e2e/security-sanitizer.test.ts).
 *
 * CSS: `<style>` elements and `style` attributes are kept — newsletters depend on them — but
 * checked on what Chromium's CSS parser made of them (the CSSOM), with an allowlist of rule types
 * (style, @media, @supports, @keyframes); `@import`, `@font-face`, `@namespace` and every other
 * at-rule are dropped, and so is any declaration using `var()`, `env()`, `attr()`, `image-set()`,
 * `image()`, `cross-fade()`, `element()`, `paint()`, `src()` or a custom property (they can smuggle
 * a URL past a check or build one at computed-value time). Remaining `url()`s go through the image
 * URL policy. Style elements are re-serialised from the CSSOM; a style attribute is too, unless
 * nothing in it was dropped or rewritten: then its own text is kept, since the frame's parser (the
 * same one, in the same no-quirks mode) makes the same declarations of it. The result never
 * contains `<` followed by a tag-name character, so nothing in a style element can close it when
 * the frame re-parses the document.
 *
 * Parsing happens in a hidden, script-less sandboxed frame's window (inert-realm.ts), not the
 * popup's: in the popup's own documents Chromium checks the page CSP for every `on*` attribute
 * the mail carries and logs a violation (issue 12). The returned root belongs to that window.
 *
 * Needs a DOM: call it in the popup (or any page), never in the service worker or Node.
 *
 * Over 400 lines on purpose: the policy above and the hooks that enforce it share one run state
 * and one security argument; keeping them in one file keeps that argument reviewable at once.
 */
import DOMPurify, { type Config, type DOMPurify as Purifier, type UponSanitizeAttributeHookEvent } from 'dompurify';
import { inertWindow } from './inert-realm.js';
import { safeLinkUrl } from './linkify.js';

/** Image types the popup turns into `data:` URLs (cid: parts, attachment previews). */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** Marks an element whose remote image was blocked (the frame draws a placeholder box). */
export const BLOCKED_ATTRIBUTE = 'data-tidings-blocked';

export interface SanitizeOptions {
  /** Let http(s) images load ("Show images"). Fonts and `@import` stay blocked either way. */
  remoteAllowed: boolean;
  /** Loaded inline parts: normalised Content-ID (see normalizeContentId) → `data:` URL. */
  inlineImages: ReadonlyMap<string, string>;
}

export interface SanitizedHtml {
  /** The sanitised `<html>` element, in a document of the inert window (inert-realm.ts): nothing loads or runs. */
  root: HTMLElement;
  /** Remote URLs that were blocked (0 when remote content is allowed). */
  remoteBlocked: number;
  /** Normalised Content-IDs the body refers to with `cid:` (to load the matching parts). */
  contentIds: ReadonlySet<string>;
}

/**
 * Tags removed on top of DOMPurify's HTML profile (which already drops script, iframe, object,
 * embed, base, meta, link, frame…): listed anyway so a future default change cannot let one in.
 */
const FORBID_TAGS = [
  'script',
  'noscript',
  'template',
  'slot',
  'shadow',
  'content',
  'element',
  'decorator',
  'base',
  'meta',
  'link',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'portal',
  'fencedframe',
  'form',
  'input',
  'button',
  'select',
  'option',
  'optgroup',
  'textarea',
  'datalist',
  'output',
  'selectedcontent',
  'audio',
  'video',
  'source',
  'track',
  'canvas',
  'map',
  'area',
  'svg',
  'math',
  'dialog',
  'xmp',
  'plaintext',
  'listing',
  'noembed',
  'noframes',
];

/** Forbidden tags whose content is dropped too (not unwrapped into text). */
const ADD_FORBID_CONTENTS = ['object', 'embed', 'applet', 'portal', 'frameset', 'canvas', 'select', 'datalist'];

const FORBID_ATTR = [
  'action',
  'formaction',
  'srcset',
  'sizes',
  'poster',
  'ping',
  'download',
  'usemap',
  'ismap',
  'integrity',
  'nonce',
  'crossorigin',
  'autoplay',
  'autofocus',
  'controls',
  'tabindex',
  'popover',
  'popovertarget',
  'popovertargetaction',
  'command',
  'commandfor',
  'target',
  'is',
  'xmlns:xlink',
  'xlink:href',
];

/** Everything else is treated as a possible URL by DOMPurify's own check; ours runs first. */
const ALLOWED_URI_REGEXP = /^(?:(?:https?|mailto|cid):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i;

const CONFIG: Config & { RETURN_DOM: true } = {
  USE_PROFILES: { html: true },
  // The result is a DOM, never a string for an HTML sink, and extension pages enforce no Trusted
  // Types: without a policy DOMPurify skips a getAttributeType call per attribute (~2 ms a newsletter).
  TRUSTED_TYPES_POLICY: null,
  WHOLE_DOCUMENT: true,
  RETURN_DOM: true,
  FORBID_TAGS,
  ADD_FORBID_CONTENTS,
  FORBID_ATTR,
  ALLOWED_URI_REGEXP,
  ALLOW_UNKNOWN_PROTOCOLS: false,
  // Removes id/name values that would clobber document or form properties the parent reads.
  SANITIZE_DOM: true,
  SAFE_FOR_XML: true,
  KEEP_CONTENT: true,
};

const RASTER_DATA_URL = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/\s]*={0,2})$/i;

/** `<cid>`, `cid:%3Cx%3E`, `X@Y` all name the same part (RFC 2392: cid URLs are URL-encoded). */
export function normalizeContentId(raw: string): string {
  let id = raw.trim().replace(/^cid:/i, '');
  try {
    id = decodeURIComponent(id);
  } catch {
    // Keep the raw form; a bad escape just will not match any part.
  }
  return id.replace(/^<|>$/g, '').trim().toLowerCase();
}

/** `data:` URL for a loaded part, or null when the type is not an inline raster or data is not base64. */
export function inlineImageDataUrl(contentType: string, dataBase64: string): string | null {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!INLINE_IMAGE_TYPES.has(type)) return null;
  const data = dataBase64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) return null;
  return `data:${type};base64,${data}`;
}

type ImageVerdict = { kind: 'keep'; value: string } | { kind: 'blocked' } | { kind: 'drop' };

interface Run {
  options: SanitizeOptions;
  remoteBlocked: number;
  contentIds: Set<string>;
  blockedElements: WeakSet<Element>;
  /** Inert element whose `style` parses style attributes with Chromium's CSS parser. */
  scratch: HTMLElement;
  /** style attribute value → cleaned value and the remote URLs it blocked. */
  styleCache: Map<string, { text: string; blocked: number }>;
}

let run: Run | null = null;
/** DOMPurify bound to the inert window it parses in (inert-realm.ts); rebuilt if that window changes. */
let purifier: { instance: Purifier; realm: Window } | null = null;

/** Nodes come from the inert window, so `instanceof Element` (this window's Element) is false. */
function isElement(node: Node): node is Element {
  return node.nodeType === 1;
}

/** What an image-like URL (img src, background attribute, CSS url()) becomes. */
function imageVerdict(raw: string, current: Run): ImageVerdict {
  const value = raw.trim();
  if (/^cid:/i.test(value)) {
    const id = normalizeContentId(value);
    if (id === '') return { kind: 'drop' };
    current.contentIds.add(id);
    const dataUrl = current.options.inlineImages.get(id);
    return dataUrl ? { kind: 'keep', value: dataUrl } : { kind: 'drop' };
  }
  const raster = RASTER_DATA_URL.exec(value);
  if (raster)
    return { kind: 'keep', value: `data:${raster[1]!.toLowerCase()};base64,${raster[2]!.replace(/\s+/g, '')}` };
  let url: URL;
  try {
    // No base: relative URLs would resolve to the extension's own origin.
    url = new URL(value);
  } catch {
    return { kind: 'drop' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { kind: 'drop' };
  if (!current.options.remoteAllowed) {
    current.remoteBlocked++;
    return { kind: 'blocked' };
  }
  return { kind: 'keep', value: url.href };
}

// ---- CSS

/** Functions that fetch, or compute a value (and so a URL) after our check. */
const FORBIDDEN_CSS_FUNCTION =
  /(?:^|[^a-z0-9_-])(?:var|env|attr|image-set|-webkit-image-set|image|cross-fade|-webkit-cross-fade|element|-moz-element|paint|src|expression)\(/i;
/** A serialised CSSOM url: Chromium always writes `url("…")`. */
const CSS_URL = /url\(\s*"((?:[^"\\]|\\[\s\S])*)"\s*\)/gi;
/** `<` that could start a tag (or `\<`, its identifier escape): only these can end a <style>. */
const TAG_OPEN = /\\?<(?=[/!?A-Za-z0-9_])/g;

function cssString(value: string): string {
  return `"${value.replace(/[\\"\n\r\f]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;
}

function unescapeCssString(body: string): string {
  return body.replace(/\\([0-9a-fA-F]{1,6}\s?|[\s\S])/g, (_, esc: string) =>
    /^[0-9a-fA-F]/.test(esc) ? String.fromCodePoint(Number.parseInt(esc.trim(), 16) || 0xfffd) : esc,
  );
}

/** One declaration value with its url()s rewritten, or null to drop the declaration. */
function cleanCssValue(property: string, value: string, current: Run): string | null {
  if (property.startsWith('--') || FORBIDDEN_CSS_FUNCTION.test(value)) {
    // Dropped either way; counted when it names a remote URL, so "Show images" is offered.
    if (/https?:|\/\//i.test(value) && !current.options.remoteAllowed) current.remoteBlocked++;
    return null;
  }
  if (!/url\(/i.test(value)) return value;
  let ok = true;
  const rewritten = value.replace(CSS_URL, (_, body: string) => {
    const verdict = imageVerdict(unescapeCssString(body), current);
    if (verdict.kind !== 'keep') {
      ok = false;
      return '';
    }
    return `url(${cssString(verdict.value)})`;
  });
  // A url( that is not in the canonical serialised form: fail closed.
  const leftover = rewritten.replace(/url\("(?:[^"\\]|\\[\s\S])*"\)/gi, '');
  if (!ok || /url\(/i.test(leftover)) return null;
  return rewritten;
}

/** A cleaned declaration block: its serialisation, and whether cleaning removed or rewrote anything. */
interface CleanBlock {
  text: string;
  changed: boolean;
}

/**
 * Cleans a declaration block in place and returns its serialisation (shorthands recombined by
 * the browser). Longhands pending `var()` substitution read as '' and are removed, since their
 * shorthand would otherwise serialise the var() back.
 */
function cleanDeclarations(style: CSSStyleDeclaration, current: Run): CleanBlock {
  const properties: string[] = [];
  for (let i = 0; i < style.length; i++) properties.push(style.item(i));
  let changed = false;
  for (const property of properties) {
    const value = style.getPropertyValue(property);
    const clean = value === '' ? null : cleanCssValue(property, value, current);
    if (clean === null) style.removeProperty(property);
    else if (clean !== value) style.setProperty(property, clean, style.getPropertyPriority(property));
    if (clean !== value) changed = true;
  }
  const text = style.cssText;
  // Final fail-closed check on what will actually be written.
  if (FORBIDDEN_CSS_FUNCTION.test(text)) return { text: '', changed: true };
  if (/url\(/i.test(text.replace(/url\("(?:data:image\/(?:png|jpeg|gif|webp);base64,|https?:)[^"\\]*"\)/gi, '')))
    return { text: '', changed: true };
  return { text, changed };
}

function cleanRules(rules: CSSRuleList, current: Run, depth: number): string {
  // Nesting deeper than this is not real mail; stop rather than recurse without bound.
  if (depth > 16) return '';
  let out = '';
  for (const rule of Array.from(rules)) {
    if (rule instanceof CSSStyleRule) {
      const body = cleanDeclarations(rule.style, current).text + cleanRules(rule.cssRules, current, depth + 1);
      if (body) out += `${rule.selectorText}{${body}}`;
    } else if (rule instanceof CSSMediaRule) {
      const body = cleanRules(rule.cssRules, current, depth + 1);
      if (body) out += `@media ${rule.media.mediaText}{${body}}`;
    } else if (rule instanceof CSSSupportsRule) {
      const body = cleanRules(rule.cssRules, current, depth + 1);
      if (body) out += `@supports ${rule.conditionText}{${body}}`;
    } else if (rule instanceof CSSKeyframesRule) {
      let frames = '';
      for (const frame of Array.from(rule.cssRules)) {
        if (frame instanceof CSSKeyframeRule)
          frames += `${frame.keyText}{${cleanDeclarations(frame.style, current).text}}`;
      }
      out += `@keyframes ${CSS.escape(rule.name)}{${frames}}`;
    } else if ('style' in rule && rule.constructor.name === 'CSSNestedDeclarations') {
      // Chrome 130+: declarations after a nested rule (CSS Nesting).
      out += cleanDeclarations((rule as CSSRule & { style: CSSStyleDeclaration }).style, current).text;
    } else if (/url\(/i.test(rule.cssText) && !current.options.remoteAllowed) {
      // @font-face, @import inside blocks, …: dropped; count what would have fetched.
      current.remoteBlocked++;
    }
  }
  return out;
}

/** A `<style>` element's text, re-serialised from Chromium's CSS parser. */
function cleanStylesheet(text: string, current: Run): string {
  // replaceSync ignores @import (it never fetches); count them for the "Show images" bar.
  if (!current.options.remoteAllowed) current.remoteBlocked += text.match(/@import/gi)?.length ?? 0;
  const sheet = new CSSStyleSheet();
  try {
    sheet.replaceSync(text);
  } catch {
    return '';
  }
  return cleanRules(sheet.cssRules, current, 0).replace(TAG_OPEN, '\\3c ');
}

/**
 * A `style` attribute's value, cleaned (see the file comment). Memoised per run: newsletters
 * repeat the same few style strings hundreds of times, and the result (and what it adds to the
 * blocked count) only depends on the value and the run's options.
 */
function cleanStyleAttribute(value: string, current: Run): string {
  const known = current.styleCache.get(value);
  if (known) {
    current.remoteBlocked += known.blocked;
    return known.text;
  }
  const blockedBefore = current.remoteBlocked;
  current.scratch.setAttribute('style', value);
  const block = cleanDeclarations(current.scratch.style, current);
  // Nothing removed or rewritten: the mail's own text parses to exactly the declarations just
  // checked (the same CSS parser, in the same no-quirks mode as the frame), so it is kept, and
  // writing it back spares the element a second CSS parse (a newsletter has hundreds of styles).
  const unchanged = !block.changed && block.text !== '' && !value.includes('<');
  const text = unchanged ? value : block.text.replace(TAG_OPEN, '\\3c ');
  current.scratch.removeAttribute('style');
  current.styleCache.set(value, { text, blocked: current.remoteBlocked - blockedBefore });
  return text;
}

// ---- hooks (installed once; they act only while `run` is set, i.e. inside sanitizeHtml)

function onElement(node: Node): void {
  const current = run;
  if (!current || !isElement(node)) return;
  if (node.localName === 'style' && node.namespaceURI === 'http://www.w3.org/1999/xhtml') {
    node.textContent = cleanStylesheet(node.textContent ?? '', current);
  }
}

/**
 * Keeps an attribute with a value this module produced (a normalised http(s)/mailto URL or a
 * raster data: URL). DOMPurify does not write a hook's value back when `forceKeepAttr` is set, so
 * it is written here; forceKeepAttr then stops DOMPurify's generic URI check from dropping a
 * `data:` value on attributes it does not expect one on (`background`).
 */
function keepOwnValue(node: Element, event: UponSanitizeAttributeHookEvent, value: string): void {
  if (node.getAttribute(event.attrName) !== value) node.setAttribute(event.attrName, value);
  event.attrValue = value;
  event.forceKeepAttr = true;
}

function onAttribute(node: Element, event: UponSanitizeAttributeHookEvent): void {
  const current = run;
  if (!current) return;
  const tag = node.localName;
  switch (event.attrName) {
    case 'style': {
      const clean = cleanStyleAttribute(event.attrValue, current);
      if (clean === '') event.keepAttr = false;
      else event.attrValue = clean;
      return;
    }
    case 'href': {
      const href = tag === 'a' ? safeLinkUrl(event.attrValue) : null;
      if (href === null) event.keepAttr = false;
      else keepOwnValue(node, event, href);
      return;
    }
    case 'src':
    case 'background': {
      if (event.attrName === 'src' && tag !== 'img') {
        event.keepAttr = false;
        return;
      }
      const verdict = imageVerdict(event.attrValue, current);
      if (verdict.kind === 'keep') {
        keepOwnValue(node, event, verdict.value);
        return;
      }
      if (verdict.kind === 'blocked') current.blockedElements.add(node);
      event.keepAttr = false;
      return;
    }
    case 'srcset':
    case 'poster':
    case 'lowsrc':
    case 'dynsrc': {
      // Removed by FORBID_ATTR after this hook; count the remote fetch it would have made.
      if (!current.options.remoteAllowed && /https?:|\/\//i.test(event.attrValue)) {
        current.remoteBlocked++;
        current.blockedElements.add(node);
      }
      event.keepAttr = false;
      return;
    }
    default:
      return;
  }
}

function afterAttributes(node: Node): void {
  const current = run;
  if (!current || !isElement(node)) return;
  if (node.localName === 'a') {
    node.removeAttribute('target');
    node.setAttribute('rel', 'noopener noreferrer');
  }
  if (current.blockedElements.has(node) && !isTrackingPixel(node)) node.setAttribute(BLOCKED_ATTRIBUTE, '');
}

/** A CSS length in px from a width/height attribute or an inline style declaration; null if none. */
function declaredPx(element: Element, property: 'width' | 'height'): number | null {
  const style = element.getAttribute('style') ?? '';
  const fromStyle = new RegExp(`(?:^|;)\\s*${property}\\s*:\\s*([\\d.]+)px`, 'i').exec(style)?.[1];
  const value = fromStyle ?? element.getAttribute(property)?.trim().replace(/px$/i, '');
  if (value === undefined || !/^\d+(?:\.\d+)?$/.test(value)) return null;
  return Number(value);
}

/**
 * An image that would not show anyway: declared 2 px or smaller in either direction, hidden by
 * its inline style, or with neither a declared size nor alt text. Its placeholder would only be a
 * hatched box where the sender meant nothing to be seen.
 */
function isTrackingPixel(element: Element): boolean {
  if (element.localName !== 'img') return false;
  const style = element.getAttribute('style') ?? '';
  if (/(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)/i.test(style)) return true;
  const width = declaredPx(element, 'width');
  const height = declaredPx(element, 'height');
  if ((width !== null && width <= 2) || (height !== null && height <= 2)) return true;
  return width === null && height === null && (element.getAttribute('alt') ?? '').trim() === '';
}

/**
 * DOMPurify on the inert window (inert-realm.ts), never on the popup's: its DOMParser, and so
 * every element of the mail, must belong to a window where an `on*` attribute compiles nothing
 * and checks no CSP (issue 12).
 */
function getPurifier(): Purifier {
  const realm = inertWindow();
  if (purifier?.realm === realm) return purifier.instance;
  const instance = DOMPurify(realm);
  if (!instance.isSupported) throw new Error('DOMPurify is not supported in this environment');
  instance.addHook('uponSanitizeElement', onElement);
  instance.addHook('uponSanitizeAttribute', onAttribute);
  instance.addHook('afterSanitizeAttributes', afterAttributes);
  purifier = { instance, realm };
  return instance;
}

/**
 * Sanitises a mail's HTML body into an inert DOM. Synchronous; ~ms for typical mail.
 *
 * @example
 * const { root, remoteBlocked } = sanitizeHtml(body.content, { remoteAllowed: false, inlineImages: new Map() });
 */
export function sanitizeHtml(html: string, options: SanitizeOptions): SanitizedHtml {
  const instance = getPurifier();
  const scratchDocument = inertWindow().document.implementation.createHTMLDocument('');
  const current: Run = {
    options,
    remoteBlocked: 0,
    contentIds: new Set(),
    blockedElements: new WeakSet(),
    scratch: scratchDocument.createElement('div'),
    styleCache: new Map(),
  };
  run = current;
  try {
    // The doctype puts DOMParser in no-quirks mode, like the srcdoc frame (see the file comment).
    const sanitized = instance.sanitize(`<!DOCTYPE html>${html}`, CONFIG);
    if (!isElement(sanitized) || sanitized.localName !== 'html') {
      throw new Error('sanitizer returned no document');
    }
    // An <html> element of the inert window (its HTMLElement, not this window's).
    const root = sanitized as HTMLElement;
    // A <frameset> document has no <body>; once the frameset is removed, give it an empty one so
    // the serialisation re-parses to the same tree (idempotency).
    if (!root.querySelector(':scope > body')) root.append(root.ownerDocument.createElement('body'));
    return { root, remoteBlocked: current.remoteBlocked, contentIds: current.contentIds };
  } finally {
    run = null;
  }
}

/** The sanitised document as HTML (for tests of idempotency and for the frame document). */
export function serializeSanitized(root: HTMLElement): string {
  return root.outerHTML;
}
