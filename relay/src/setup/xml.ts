/**
 * A small, strict XML parser for autoconfig files (Mozilla config-v1.1.xml), which are fetched
 * from servers the user does not control. It understands exactly what such files use: one root
 * element, attributes, text, comments, CDATA, processing instructions, the five predefined
 * entities and numeric character references.
 *
 * Safe by construction rather than by configuration:
 * - any `<!DOCTYPE …>` is refused, so there is no DTD, no external entity (XXE) and no entity
 *   expansion ("billion laughs");
 * - an unknown entity reference is an error, never a lookup;
 * - input size and nesting depth are capped (Limits.autoconfigMaxBytes, Limits.xmlMaxDepth);
 * - the parser is a single linear pass with no regex backtracking over the whole input.
 *
 * @example
 * const root = parseXml('<a x="1"><b>hi</b></a>');
 * root.children[0]?.text; // "hi"
 */
import { Limits } from '../../../shared/index.js';

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (not its children), untrimmed. */
  text: string;
}

export class XmlError extends Error {
  constructor(message: string, position: number) {
    super(`${message} at offset ${position}`);
    this.name = 'XmlError';
  }
}

const NAME = /[A-Za-z_][A-Za-z0-9_.:-]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parseXml(input: string, options: { maxBytes?: number; maxDepth?: number } = {}): XmlElement {
  const maxBytes = options.maxBytes ?? Limits.autoconfigMaxBytes;
  const maxDepth = options.maxDepth ?? Limits.xmlMaxDepth;
  if (input.length > maxBytes) throw new XmlError(`document larger than ${maxBytes} bytes`, maxBytes);
  let pos = input.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;

  const fail = (message: string): never => {
    throw new XmlError(message, pos);
  };
  const startsWith = (s: string) => input.startsWith(s, pos);
  const skipTo = (end: string, what: string) => {
    const at = input.indexOf(end, pos);
    if (at < 0) fail(`unterminated ${what}`);
    const body = input.slice(pos, at);
    pos = at + end.length;
    return body;
  };
  const readName = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(input);
    if (!m) return fail('expected a name');
    pos += m[0].length;
    return m[0];
  };
  const skipSpace = () => {
    while (pos < input.length && /[ \t\r\n]/.test(input[pos]!)) pos++;
  };

  while (pos < input.length) {
    if (startsWith('<?')) {
      // XML declaration or processing instruction: nothing in them matters to us.
      skipTo('?>', 'processing instruction');
    } else if (startsWith('<!--')) {
      pos += 4;
      skipTo('-->', 'comment');
    } else if (startsWith('<![CDATA[')) {
      pos += 9;
      const data = skipTo(']]>', 'CDATA section');
      const top = stack.at(-1);
      if (!top) fail('character data outside the root element');
      else top.text += data;
    } else if (startsWith('<!')) {
      // DOCTYPE, ENTITY, ELEMENT…: a DTD is the door to XXE and entity bombs; autoconfig never needs one.
      fail('DTDs and declarations are not allowed');
    } else if (startsWith('</')) {
      pos += 2;
      const name = readName();
      skipSpace();
      if (input[pos] !== '>') fail('expected ">"');
      pos++;
      const open = stack.pop();
      if (!open || open.name !== name) fail(`end tag </${name}> does not match <${open?.name ?? ''}>`);
    } else if (input[pos] === '<') {
      pos++;
      const element: XmlElement = {
        name: readName(),
        attributes: Object.create(null) as Record<string, string>,
        children: [],
        text: '',
      };
      for (;;) {
        const before = pos;
        skipSpace();
        if (startsWith('/>') || input[pos] === '>') break;
        if (pos === before) fail('expected whitespace before an attribute');
        const attr = readName();
        skipSpace();
        if (input[pos] !== '=') fail('expected "=" after an attribute name');
        pos++;
        skipSpace();
        const quote = input[pos];
        if (quote !== '"' && quote !== "'") return fail('expected a quoted attribute value');
        pos++;
        const raw = skipTo(quote, 'attribute value');
        if (raw.includes('<')) fail('"<" in an attribute value');
        if (Object.hasOwn(element.attributes, attr)) fail(`duplicate attribute ${attr}`);
        element.attributes[attr] = decodeEntities(raw, pos);
      }
      const selfClosing = startsWith('/>');
      pos += selfClosing ? 2 : 1;
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) fail('more than one root element');
      else root = element;
      if (!selfClosing) {
        if (stack.length >= maxDepth) fail(`nesting deeper than ${maxDepth}`);
        stack.push(element);
      }
    } else {
      const next = input.indexOf('<', pos);
      const end = next < 0 ? input.length : next;
      const raw = input.slice(pos, end);
      const top = stack.at(-1);
      if (top) top.text += decodeEntities(raw, pos);
      else if (raw.trim() !== '') fail('character data outside the root element');
      pos = end;
    }
  }
  if (stack.length > 0) fail(`unclosed element <${stack.at(-1)?.name ?? ''}>`);
  if (!root) return fail('no root element');
  return root;
}

function decodeEntities(raw: string, position: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]{0,10});?/g, (match, name: string) => {
    if (!match.endsWith(';')) throw new XmlError('"&" must start an entity reference', position);
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const num = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (num) {
      const code = num[1] !== undefined ? parseInt(num[1], 16) : Number(num[2]);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
        throw new XmlError(`invalid character reference &${name};`, position);
      return String.fromCodePoint(code);
    }
    throw new XmlError(`unknown entity &${name};`, position);
  });
}

/** Direct children named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** Trimmed text of the first direct child named `name`, or null. */
export function childText(element: XmlElement, name: string): string | null {
  const child = element.children.find((c) => c.name === name);
  return child ? child.text.trim() : null;
}
