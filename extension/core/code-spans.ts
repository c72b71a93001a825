/**
 * Splits a UI message on Markdown-style backticks, so "Run `npm start`" can show the command in
 * code style without any markup in the message files: the parts are rendered as text nodes, a
 * code part inside `<code>`. An unmatched backtick stays as text.
 *
 * @example codeSpans('Run `npm start` first') // [{text:'Run ',code:false},{text:'npm start',code:true},{text:' first',code:false}]
 */
export function codeSpans(message: string): { text: string; code: boolean }[] {
  const parts: { text: string; code: boolean }[] = [];
  const re = /`([^`\n]+)`/g;
  let last = 0;
  for (const match of message.matchAll(re)) {
    if (match.index > last) parts.push({ text: message.slice(last, match.index), code: false });
    parts.push({ text: match[1] ?? '', code: true });
    last = match.index + match[0].length;
  }
  if (last < message.length) parts.push({ text: message.slice(last), code: false });
  return parts;
}
