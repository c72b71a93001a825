/**
 * One frame document for a message with several inline text parts (a multipart/mixed note in one
 * charset, a signature in another, an HTML part after a plain one): every part in order, one
 * after another, as Thunderbird shows them (issue 12).
 *
 * Each HTML part is sanitised on its own with the same sanitiser and options as a single body
 * (sanitize.ts), so one part's markup can never swallow the next (an unclosed `<textarea>` or
 * comment ends with its part); its `<style>` elements go into the one `<head>`, its body's
 * children into a `<div class="tidings-part">`. A plain-text part becomes text nodes and `<a>`
 * elements built here from render/linkify.ts segments — never an HTML string — inside a
 * `<pre class="tidings-text">`, like PlainTextBody. The result is shown like any frame document
 * (frame-document.ts showInFrame: in the frame shell with the CSP, referrer and base style).
 */
import type { MessageBody } from '../../shared/index.js';
import { safeMultiline } from '../core/safe-text.js';
import type { FrameDocument } from './frame-document.js';
import { linkify } from './linkify.js';
import { sanitizeHtml, type SanitizeOptions } from './sanitize.js';

/**
 * @example
 * const content = buildPartsFrameDocument([message.body, ...message.inlineParts], { remoteAllowed: false, inlineImages: new Map() });
 */
export function buildPartsFrameDocument(parts: readonly MessageBody[], options: SanitizeOptions): FrameDocument {
  const base = sanitizeHtml('', options);
  const doc = base.root.ownerDocument;
  let head = base.root.querySelector(':scope > head');
  if (!head) {
    head = doc.createElement('head');
    base.root.prepend(head);
  }
  let body = base.root.querySelector(':scope > body');
  if (!body) {
    body = doc.createElement('body');
    base.root.append(body);
  }
  let remoteBlocked = 0;
  const contentIds = new Set<string>();
  parts.forEach((part, index) => {
    if (part.kind === 'none') return;
    const section = doc.createElement('div');
    section.className = 'tidings-part';
    section.dataset['part'] = String(index);
    if (part.kind === 'text') {
      section.append(textPart(doc, part.content));
    } else {
      const sanitized = sanitizeHtml(part.content, options);
      remoteBlocked += sanitized.remoteBlocked;
      for (const id of sanitized.contentIds) contentIds.add(id);
      const partHead = sanitized.root.querySelector(':scope > head');
      for (const style of partHead?.querySelectorAll(':scope > style') ?? []) head.append(doc.adoptNode(style));
      const partBody = sanitized.root.querySelector(':scope > body');
      if (partBody) section.append(...[...partBody.childNodes].map((node) => doc.adoptNode(node)));
    }
    body.append(section);
  });
  return { root: base.root, remoteAllowed: options.remoteAllowed, remoteBlocked, contentIds };
}

/** A plain-text part as a `<pre>` of text nodes and links (allowlisted URLs only, see linkify.ts). */
function textPart(doc: Document, text: string): HTMLElement {
  const pre = doc.createElement('pre');
  pre.className = 'tidings-text';
  for (const segment of linkify(safeMultiline(text))) {
    if (segment.kind === 'text') {
      pre.append(doc.createTextNode(segment.text));
      continue;
    }
    const a = doc.createElement('a');
    a.setAttribute('href', segment.url);
    a.setAttribute('rel', 'noopener noreferrer');
    a.textContent = segment.text;
    pre.append(a);
  }
  return pre;
}
