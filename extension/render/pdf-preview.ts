/**
 * PDF preview: the attachment's bytes in a new tab, as a `blob:` URL this page (the popup, an
 * extension page) creates, shown by the browser's own PDF viewer — no PDF.js in the bundle.
 *
 * The blob gets `type: application/pdf` only when the bytes start with `%PDF-`: the type is what
 * makes the browser hand the tab to its viewer, so a file that only claims to be a PDF (an HTML
 * or SVG page named "invoice.pdf") is never opened here — it would render as a document of the
 * extension's origin. Anything else returns false and the caller downloads it, as before.
 * The URL is revoked after a minute: the new tab has it by then, and the bytes do not stay in
 * memory for the popup's whole life.
 */

/** The PDF signature (ISO 32000: the file begins with the header `%PDF-`). */
const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d];

/** How long the blob URL stays valid after the tab was opened. */
export const PDF_URL_LIFETIME_MS = 60_000;

/** True when `bytes` start with `%PDF-`. */
export function isPdf(bytes: Uint8Array): boolean {
  return bytes.length >= PDF_MAGIC.length && PDF_MAGIC.every((b, i) => bytes[i] === b);
}

/**
 * Opens `bytes` in a new tab when they are a PDF; false (nothing opened) otherwise.
 *
 * @example
 * if (!openPdfPreview(bytes)) await download(attachment);
 */
export function openPdfPreview(bytes: Uint8Array<ArrayBuffer>): boolean {
  if (!isPdf(bytes)) return false;
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/pdf' }));
  // noopener: the tab (same origin as the popup: the extension's) gets no handle on this page.
  window.open(url, '_blank', 'noopener');
  setTimeout(() => URL.revokeObjectURL(url), PDF_URL_LIFETIME_MS);
  return true;
}
