/**
 * The popup's search box syntax, turned into the relay's SearchQuery (messages.search):
 *
 *   free words              text (server-side IMAP TEXT search: headers and body)
 *   from:ada  from:"Ada L"  from
 *   subject:invoice         subject
 *   is:unread  is:flagged   unread / flagged
 *
 * Anything else is free text, so a stray colon never loses what the user typed.
 */
import type { SearchQuery } from '../../shared/index.js';

const TOKEN = /(\w+):(?:"([^"]*)"|(\S+))|"([^"]*)"|(\S+)/g;

/** Parses the search box; null when there is nothing to search for. */
export function parseSearch(input: string): SearchQuery | null {
  const text: string[] = [];
  const from: string[] = [];
  const subject: string[] = [];
  let unread: boolean | undefined;
  let flagged: boolean | undefined;
  for (const m of input.matchAll(TOKEN)) {
    const [whole, key, quoted, bare, phrase, word] = m;
    if (key !== undefined) {
      const value = (quoted ?? bare ?? '').trim();
      const k = key.toLowerCase();
      if (k === 'from' && value) from.push(value);
      else if (k === 'subject' && value) subject.push(value);
      else if (k === 'is' && value.toLowerCase() === 'unread') unread = true;
      else if (k === 'is' && value.toLowerCase() === 'flagged') flagged = true;
      else text.push(whole);
    } else if (phrase !== undefined) {
      if (phrase.trim()) text.push(phrase.trim());
    } else if (word !== undefined) {
      text.push(word);
    }
  }
  const query: SearchQuery = {};
  if (text.length) query.text = text.join(' ').slice(0, 500);
  if (from.length) query.from = from.join(' ').slice(0, 500);
  if (subject.length) query.subject = subject.join(' ').slice(0, 500);
  if (unread) query.unread = true;
  if (flagged) query.flagged = true;
  return Object.keys(query).length > 0 ? query : null;
}
