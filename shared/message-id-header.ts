/**
 * The Message-ID header as the wire carries it (`message.get`'s `messageId`): `<left@right>`, one
 * id of printable ASCII without spaces, angle brackets or quotes inside, at most
 * MESSAGE_ID_MAX_LENGTH characters. The relay cleans what the server's ENVELOPE says with
 * `cleanMessageId` and sends null for anything else, so the extension never builds a URL (Open in
 * webmail) from header text a sender shaped to break out of it.
 */
import { z } from 'zod/mini';

/** RFC 5322 allows 998 characters per line; a longer id is not one. */
export const MESSAGE_ID_MAX_LENGTH = 998;

/** `<` printable ASCII except `<`, `>`, `"`, `\` and space `>`. */
const MESSAGE_ID = /^<[\x21\x23-\x3b\x3d\x3f-\x5b\x5d-\x7e]+>$/;

export const messageIdHeaderSchema = z.string().check(z.maxLength(MESSAGE_ID_MAX_LENGTH), z.regex(MESSAGE_ID));

/**
 * The first id of a Message-ID header value, normalised to `<id>`; null when there is none or it
 * holds characters no real id has (controls, spaces, non-ASCII, quotes).
 *
 * @example cleanMessageId(' <a.b@example.org> ') // '<a.b@example.org>'
 * @example cleanMessageId('a.b@example.org') // '<a.b@example.org>'
 * @example cleanMessageId('<a b@x>') // null
 */
export function cleanMessageId(raw: unknown): string | null {
  if (typeof raw !== 'string' || raw.length > MESSAGE_ID_MAX_LENGTH * 2) return null;
  const trimmed = raw.trim();
  const bracketed = trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
  return bracketed.length <= MESSAGE_ID_MAX_LENGTH && MESSAGE_ID.test(bracketed) ? bracketed : null;
}
