/**
 * Text from a message (subjects, display names, addresses, attachment file names, folder names)
 * is inserted as text only — Svelte text nodes, never markup. Text alone can still lie: Unicode
 * bidirectional *overrides*, *embeddings* and *isolates* reorder what follows them, so a file
 * named `invoice\u202Efdp.exe` displays as "invoiceexe.pdf" (the classic RLO trick, CVE-2014-…
 * family; Unicode TR #9 §2). These helpers replace those controls with a visible U+FFFD, so the
 * reader sees that something odd is there and the real order of the letters. Callers also wrap
 * the result in `<bdi>` so a right-to-left name cannot reorder the text around it.
 *
 * Kept: LRM/RLM/ALM (U+200E, U+200F, U+061C). They are zero-width marks that only steer
 * neutral characters next to them, cannot reverse a run of letters, and occur in real
 * Arabic/Hebrew names.
 */

/** LRE, RLE, PDF, LRO, RLO (U+202A–U+202E) and LRI, RLI, FSI, PDI (U+2066–U+2069). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;
/** C0 and C1 controls and DEL; a header value has no business carrying them. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
const LINE_BREAKS = /[\t\r\n\u2028\u2029]+/g;

/** The replacement shown in place of a bidi control or a control character. */
export const REPLACEMENT = '\uFFFD';

/** True when `text` holds a bidi override/embedding/isolate (used to show a warning). */
export function hasBidiControls(text: string): boolean {
  return new RegExp(BIDI_CONTROLS.source).test(text);
}

/**
 * One line of untrusted text, safe to show: bidi controls and control characters become U+FFFD,
 * tabs and line breaks a single space. Everything else — including `<`, `&` and quotes — is
 * left alone, because the caller inserts it as text.
 *
 * @example safeLine('invoice\u202Efdp.exe') // 'invoice\uFFFDfdp.exe'
 */
export function safeLine(text: string): string {
  return text.replace(LINE_BREAKS, ' ').replace(BIDI_CONTROLS, REPLACEMENT).replace(CONTROLS, REPLACEMENT);
}

/** Multi-line untrusted text (a plain-text body): like safeLine, but keeps tabs and line breaks. */
export function safeMultiline(text: string): string {
  return text.replace(BIDI_CONTROLS, REPLACEMENT).replace(CONTROLS, REPLACEMENT);
}
