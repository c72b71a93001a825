import type { MessageStructureObject } from 'imapflow';
import { Limits, type Attachment } from '../../../shared/index.js';

/**
 * Reading imapflow's parsed BODYSTRUCTURE (RFC 3501 §7.4.2): which part to show, which to preview,
 * which are attachments. Walks never go deeper than Limits.mimeMaxDepth (a hostile message can
 * nest thousands of multiparts) and never descend into an attached message/rfc822.
 */

export type BodyKind = 'html' | 'text';

export interface TextPart {
  /** IMAP part id ("1" for a single-part message). */
  partId: string;
  kind: BodyKind;
  node: MessageStructureObject;
}

/** The IMAP part id of a node; the root of a single-part message is "1" (RFC 3501 §6.4.5). */
export function partIdOf(node: MessageStructureObject): string {
  return node.part ?? '1';
}

function type(node: MessageStructureObject): string {
  return (node.type ?? '').toLowerCase();
}

/** message/rfc822 nodes also carry childNodes (the attached message); they are files, not containers. */
function isMultipart(node: MessageStructureObject): boolean {
  return type(node).startsWith('multipart/');
}

function disposition(node: MessageStructureObject): string {
  return (node.disposition ?? '').toLowerCase();
}

function rawFilename(node: MessageStructureObject): string | undefined {
  return node.dispositionParameters?.filename ?? node.parameters?.name;
}

/** text/plain or text/html that is the message's own text, not a file attached to it. */
function bodyTextKind(node: MessageStructureObject): BodyKind | null {
  if (disposition(node) === 'attachment') return null;
  const t = type(node);
  if (t === 'text/html') return 'html';
  if (t === 'text/plain' && rawFilename(node) === undefined) return 'text';
  if (t === 'text/plain' && disposition(node) === 'inline') return 'text';
  return null;
}

/**
 * The part to show: HTML preferred, else plain text (RFC 2046 §5.1.4: within
 * multipart/alternative the richer version comes last, so the last HTML wins). In
 * multipart/related the root part (the first, or the `start` parameter's) holds the text; in other
 * multiparts the first displayable non-attachment part. Null when the message has no text part.
 */
export function bestTextPart(root: MessageStructureObject): TextPart | null {
  const visit = (node: MessageStructureObject, depth: number): TextPart | null => {
    if (depth > Limits.mimeMaxDepth) return null;
    const children = node.childNodes ?? [];
    if (isMultipart(node)) {
      const t = type(node);
      if (t === 'multipart/alternative') {
        let html: TextPart | null = null;
        let text: TextPart | null = null;
        for (const child of children) {
          const found = visit(child, depth + 1);
          if (found?.kind === 'html') html = found;
          else if (found?.kind === 'text' && !text) text = found;
        }
        return html ?? text;
      }
      if (t === 'multipart/related') {
        const start = node.parameters?.start;
        const rootChild = (start && children.find((c) => c.id === start)) || children[0];
        return rootChild ? visit(rootChild, depth + 1) : null;
      }
      for (const child of children) {
        if (disposition(child) === 'attachment') continue;
        const found = visit(child, depth + 1);
        if (found) return found;
      }
      return null;
    }
    const kind = bodyTextKind(node);
    return kind ? { partId: partIdOf(node), kind, node } : null;
  };
  return visit(root, 0);
}

/**
 * Every text part a reader sees, in document order: the displayable leaves of multipart/mixed
 * (and other non-alternative multiparts), with one best part per multipart/alternative or
 * multipart/related. A multipart/mixed with inline text parts in several charsets showed only the
 * first, and the others were neither shown nor listed as attachments (issue 12).
 */
export function displayTextParts(root: MessageStructureObject): TextPart[] {
  const out: TextPart[] = [];
  const visit = (node: MessageStructureObject, depth: number): void => {
    if (depth > Limits.mimeMaxDepth || out.length > Limits.inlineTextPartsMax) return;
    if (isMultipart(node)) {
      const t = type(node);
      if (t === 'multipart/alternative' || t === 'multipart/related') {
        const best = bestTextPart(node);
        if (best) out.push(best);
        return;
      }
      for (const child of node.childNodes ?? []) {
        if (disposition(child) === 'attachment') continue;
        visit(child, depth + 1);
      }
      return;
    }
    const kind = bodyTextKind(node);
    if (kind) out.push({ partId: partIdOf(node), kind, node });
  };
  visit(root, 0);
  return out;
}

/**
 * The part a list row's preview comes from: the first text part in document order (plain text
 * usually comes first in multipart/alternative, and is cheaper to turn into a line than HTML).
 */
export function previewPart(root: MessageStructureObject): TextPart | null {
  const visit = (node: MessageStructureObject, depth: number): TextPart | null => {
    if (depth > Limits.mimeMaxDepth) return null;
    if (isMultipart(node)) {
      for (const child of node.childNodes ?? []) {
        if (disposition(child) === 'attachment') continue;
        const found = visit(child, depth + 1);
        if (found) return found;
      }
      return null;
    }
    const kind = bodyTextKind(node);
    return kind ? { partId: partIdOf(node), kind, node } : null;
  };
  return visit(root, 0);
}

/** A leaf that is a file rather than the message's text: attachments and inline (cid:) images. */
function isFilePart(node: MessageStructureObject): boolean {
  if (isMultipart(node)) return false;
  if (disposition(node) === 'attachment') return true;
  return bodyTextKind(node) === null;
}

function contentIdOf(node: MessageStructureObject): string | null {
  const id = node.id?.trim();
  if (!id) return null;
  return id.replace(/^<|>$/g, '').slice(0, 998);
}

/** Decoded bytes estimated from the encoded size BODYSTRUCTURE reports (base64: 76 chars + CRLF per 57 bytes). */
export function decodedSizeEstimate(node: MessageStructureObject): number {
  const size = node.size ?? 0;
  if ((node.encoding ?? '').toLowerCase() === 'base64') return Math.floor((size * 57) / 78);
  return size;
}

const EXTENSION_BY_TYPE: Record<string, string> = {
  'message/rfc822': 'eml',
  'text/calendar': 'ics',
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'application/pdf': 'pdf',
};

/** Attachment metadata of one leaf (also names downloads of parts that are not listed, e.g. a body part). */
export function attachmentOf(node: MessageStructureObject): Attachment {
  const partId = partIdOf(node);
  const contentType = type(node).slice(0, 255) || 'application/octet-stream';
  const contentId = contentIdOf(node);
  const ext = EXTENSION_BY_TYPE[contentType];
  return {
    partId,
    // imapflow has already decoded RFC 2231 continuations/charsets and RFC 2047 encoded-words.
    filename: rawFilename(node)?.trim() || `part-${partId}${ext ? `.${ext}` : ''}`,
    contentType,
    size: decodedSizeEstimate(node),
    inline: contentId !== null && disposition(node) !== 'attachment',
    contentId,
  };
}

/**
 * Attachment metadata: every file-like leaf (attachments, inline cid: images, attached messages —
 * which are not descended into), in document order, depth-limited.
 */
export function attachmentsOf(root: MessageStructureObject): Attachment[] {
  const out: Attachment[] = [];
  const visit = (node: MessageStructureObject, depth: number): void => {
    if (depth > Limits.mimeMaxDepth) return;
    if (isMultipart(node)) {
      for (const child of node.childNodes ?? []) visit(child, depth + 1);
      return;
    }
    if (isFilePart(node)) out.push(attachmentOf(node));
  };
  visit(root, 0);
  return out;
}

/** True when the message carries a file the user would call an attachment (inline cid: images are not). */
export function hasAttachments(root: MessageStructureObject): boolean {
  return attachmentsOf(root).some((a) => !a.inline);
}

/** The node with this part id, or null (depth-limited). */
export function findPart(root: MessageStructureObject, partId: string): MessageStructureObject | null {
  const visit = (node: MessageStructureObject, depth: number): MessageStructureObject | null => {
    if (depth > Limits.mimeMaxDepth) return null;
    if (partIdOf(node) === partId && !(node === root && isMultipart(node))) return node;
    if (!isMultipart(node)) return null;
    for (const child of node.childNodes ?? []) {
      const found = visit(child, depth + 1);
      if (found) return found;
    }
    return null;
  };
  return visit(root, 0);
}

/** True for a leaf that can be fetched on its own (not a multipart container). */
export function isLeaf(node: MessageStructureObject): boolean {
  return !isMultipart(node);
}
