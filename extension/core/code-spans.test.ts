import { describe, expect, it } from 'vitest';
import { codeSpans } from './code-spans.js';

describe('codeSpans', () => {
  it('marks backticked commands as code and keeps the rest as text', () => {
    expect(codeSpans('Run `npm run relay -- pair` for a new one.')).toEqual([
      { text: 'Run ', code: false },
      { text: 'npm run relay -- pair', code: true },
      { text: ' for a new one.', code: false },
    ]);
    expect(codeSpans('`a` and `b`')).toEqual([
      { text: 'a', code: true },
      { text: ' and ', code: false },
      { text: 'b', code: true },
    ]);
  });

  it('leaves text without a matched pair alone, markup included', () => {
    expect(codeSpans('no code here')).toEqual([{ text: 'no code here', code: false }]);
    expect(codeSpans('one ` tick <b>')).toEqual([{ text: 'one ` tick <b>', code: false }]);
    expect(codeSpans('')).toEqual([]);
  });
});
