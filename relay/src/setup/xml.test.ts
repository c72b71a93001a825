import { describe, expect, it } from 'vitest';
import { parseXml, XmlError } from './xml.js';

describe('parseXml', () => {
  it('reads elements, attributes, text, CDATA, comments and entities', () => {
    const root = parseXml(
      `\uFEFF<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<a x="1" y='two &amp; three'>
  <b>hi &lt;there&gt; &#65;&#x42;</b><c/><d><![CDATA[<raw> & stuff]]></d>
</a>`,
    );
    expect(root.name).toBe('a');
    expect(root.attributes).toEqual({ x: '1', y: 'two & three' });
    expect(root.children.map((c) => c.name)).toEqual(['b', 'c', 'd']);
    expect(root.children[0]?.text).toBe('hi <there> AB');
    expect(root.children[2]?.text).toBe('<raw> & stuff');
  });

  it('refuses any DTD, so external entities (XXE) and entity bombs cannot happen', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`;
    expect(() => parseXml(xxe)).toThrow(/DTD/);
    const bomb = `<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><r>&lol2;</r>`;
    expect(() => parseXml(bomb)).toThrow(XmlError);
  });

  it('refuses unknown entities instead of looking them up', () => {
    expect(() => parseXml('<r>&nbsp;</r>')).toThrow(/unknown entity/);
    expect(() => parseXml('<r>a & b</r>')).toThrow(/entity reference/);
  });

  it('refuses malformed documents', () => {
    for (const bad of [
      '',
      'text',
      '<a>',
      '<a></b>',
      '<a></a><b></b>',
      '<a x=1></a>',
      '<a x="1" x="2"/>',
      '<a>&#0;</a>',
    ])
      expect(() => parseXml(bad), bad).toThrow(XmlError);
  });

  it('caps size and depth', () => {
    expect(() => parseXml(`<a>${'x'.repeat(100)}</a>`, { maxBytes: 50 })).toThrow(/larger/);
    expect(() => parseXml('<a>'.repeat(20) + '</a>'.repeat(20), { maxDepth: 16 })).toThrow(/nesting/);
    expect(parseXml('<a>'.repeat(16) + '</a>'.repeat(16), { maxDepth: 16 }).name).toBe('a');
  });

  it('does not let attribute names reach the prototype', () => {
    const root = parseXml('<a __proto__="x" constructor="y"/>');
    expect(Object.getPrototypeOf(root.attributes)).toBeNull();
    expect(root.attributes['__proto__']).toBe('x');
  });
});
