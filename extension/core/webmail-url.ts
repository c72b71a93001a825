/**
 * "Open in webmail": the provider's web page for an open message, from the provider table
 * (shared/providers.ts `webmail`). Gmail opens the message itself by its Message-ID (search
 * operator `rfc822msgid:`); providers without a documented Message-ID link open their inbox; an
 * account on an unknown server has none (the button is hidden).
 *
 * Every value put into a template is percent-encoded (encodeURIComponent, keeping `@`, which
 * Gmail's `/u/<address>/` expects as is), so a Message-ID or address cannot add a path segment,
 * a query or another fragment. The Message-ID must be the cleaned `<id>` the relay sends
 * (shared/message-id-header.ts); the result is checked to stay on the template's origin.
 */
import { cleanMessageId, knownProvider, providerOfHost } from '../../shared/index.js';

export interface WebmailInput {
  /** The account's IMAP host (AccountSummary.host). */
  host: string;
  /** The account's login, usually its address (AccountSummary.username). */
  username: string;
  /** `message.get`'s `messageId` (`<id>`), or null/undefined when unknown. */
  messageId: string | null | undefined;
}

const encode = (value: string): string => encodeURIComponent(value).replace(/%40/g, '@');

/** Fills `{name}` placeholders with encoded values; null when one is missing. */
function fill(template: string, values: Record<string, string | null>): string | null {
  let missing = false;
  const url = template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === null || value === undefined) {
      missing = true;
      return '';
    }
    return encode(value);
  });
  return missing ? null : url;
}

/** True when `url` is https on the same origin as `template` (nothing a value added moved it). */
function sameOrigin(url: string, template: string): boolean {
  try {
    const a = new URL(url);
    return a.protocol === 'https:' && a.origin === new URL(template.replace(/\{\w+\}/g, 'x')).origin;
  } catch {
    return false;
  }
}

/**
 * @example
 * webmailUrl({ host: 'imap.gmail.com', username: 'ana@gmail.com', messageId: '<a+b@mail.gmail.com>' })
 * // 'https://mail.google.com/mail/u/ana@gmail.com/#search/rfc822msgid:a%2Bb@mail.gmail.com'
 * webmailUrl({ host: 'mail.example.org', username: 'ana', messageId: null }) // null
 */
export function webmailUrl(input: WebmailInput): string | null {
  const id = providerOfHost(input.host);
  if (!id) return null;
  const { webmail } = knownProvider(id);
  const address = /^[^@\s]+@[^@\s]+$/.test(input.username) ? input.username : null;
  const messageId = cleanMessageId(input.messageId)?.slice(1, -1) ?? null;
  const candidates = [webmail.message, webmail.inbox].filter((t): t is string => t !== undefined);
  for (const template of candidates) {
    // Without an address, Gmail's first signed-in account (/u/0/) is the best guess.
    const url = fill(template, { address: address ?? '0', messageId });
    if (url && sameOrigin(url, template)) return url;
  }
  return null;
}
