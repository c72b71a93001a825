import { describe, expect, it } from 'vitest';
import { linkify, safeLinkUrl, type Segment } from './linkify.js';

const links = (segments: Segment[]) => segments.filter((s) => s.kind === 'link');
const joined = (segments: Segment[]) => segments.map((s) => s.text).join('');

describe('linkify', () => {
  it('returns the text unchanged when there is no link', () => {
    expect(linkify('hello <b>world</b> & friends')).toEqual([{ kind: 'text', text: 'hello <b>world</b> & friends' }]);
    expect(linkify('')).toEqual([]);
  });

  it('finds http(s) URLs and trims sentence punctuation', () => {
    const segments = linkify('Read https://example.com/a?b=1&c=2. Or (http://example.org/x).');
    expect(links(segments)).toEqual([
      { kind: 'link', text: 'https://example.com/a?b=1&c=2', url: 'https://example.com/a?b=1&c=2' },
      { kind: 'link', text: 'http://example.org/x', url: 'http://example.org/x' },
    ]);
    expect(joined(segments)).toBe('Read https://example.com/a?b=1&c=2. Or (http://example.org/x).');
  });

  it('keeps balanced parentheses inside a URL', () => {
    expect(links(linkify('https://en.wikipedia.org/wiki/Foo_(bar)'))[0]?.text).toBe(
      'https://en.wikipedia.org/wiki/Foo_(bar)',
    );
  });

  it('opens www. hosts over https and bare addresses as mailto', () => {
    expect(links(linkify('www.example.com and ada@example.com'))).toEqual([
      { kind: 'link', text: 'www.example.com', url: 'https://www.example.com/' },
      { kind: 'link', text: 'ada@example.com', url: 'mailto:ada@example.com' },
    ]);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'smb://attacker.test/share',
    'ms-msdt:/id PCWDiagnostic',
    'vbscript:msgbox(1)',
    'chrome://settings',
  ])('leaves %s as text', (raw) => {
    const segments = linkify(`click ${raw} now`);
    expect(links(segments)).toEqual([]);
    expect(joined(segments)).toBe(`click ${raw} now`);
  });

  it('never lets a link run into markup-looking text or across a bidi override', () => {
    const segments = linkify('https://good.test/<img src=x onerror=alert(1)>');
    expect(links(segments)).toEqual([{ kind: 'link', text: 'https://good.test/', url: 'https://good.test/' }]);
    const rlo = linkify('https://good.test/\u202Egnp.exe');
    expect(links(rlo)[0]?.text).toBe('https://good.test/');
    expect(joined(rlo)).toBe('https://good.test/\u202Egnp.exe');
  });

  it('does not link URLs with credentials (they exist to mislead)', () => {
    expect(links(linkify('https://bank.example@evil.test/login'))).toEqual([]);
  });

  it('handles a 2 MB body quickly enough to be linear', () => {
    const big = 'word https://example.com/path '.repeat(70_000);
    const segments = linkify(big);
    expect(links(segments)).toHaveLength(70_000);
    expect(joined(segments)).toBe(big);
  });
});

describe('safeLinkUrl', () => {
  it.each([
    ['https://example.com', 'https://example.com/'],
    ['HTTP://EXAMPLE.COM/A', 'http://example.com/A'],
    ['mailto:ada@example.com?subject=hi', 'mailto:ada@example.com?subject=hi'],
  ])('allows %s', (raw, href) => {
    expect(safeLinkUrl(raw)).toBe(href);
  });

  it.each([
    'javascript:alert(1)',
    ' javascript:alert(1)',
    'jav\tascript:alert(1)',
    'java\nscript:alert(1)',
    '\u0001javascript:alert(1)',
    'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
    'vbscript:msgbox',
    'file:///C:/Windows/system32/calc.exe',
    'smb://evil.test/x',
    'ms-msdt:/id PCWDiagnostic',
    'search-ms:query=x',
    'chrome-extension://abc/popup.html',
    '/relative/path',
    '//evil.test/protocol-relative',
    '#fragment',
    'https://user:pass@example.com/',
    'https://',
  ])('refuses %j', (raw) => {
    expect(safeLinkUrl(raw)).toBeNull();
  });
});
