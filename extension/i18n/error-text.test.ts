import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES } from '../../shared/index.js';
import { errorHint, errorLabel, errorSentence } from './error-text.js';
import { testTranslator } from '../testing/translator.js';

describe('error text', () => {
  it.each(['en', 'es'] as const)('has a label and a hint for every wire error code in %s', (lang) => {
    const t = testTranslator(lang);
    for (const code of ALL_ERROR_CODES) {
      expect(errorLabel(code, t).length, code).toBeGreaterThan(0);
      expect(errorHint(code, t).length, code).toBeGreaterThan(10);
    }
  });

  it('speaks Spanish when the browser does', () => {
    expect(errorLabel('AUTH_FAILED', testTranslator('en'))).toBe('sign-in failed');
    expect(errorLabel('AUTH_FAILED', testTranslator('es'))).toBe('inicio de sesión fallido');
  });
});

describe('errorSentence', () => {
  const t = (key: string, subs?: string | string[]) =>
    subs === undefined ? key : `${key}(${[subs].flat().join('|')})`;

  it("uses the popup's sentence for the codes it has one for, else the generic one with the message", () => {
    expect(errorSentence({ code: 'TIMEOUT', message: 'slow' }, t)).toBe('popup_errTimeout');
    expect(errorSentence({ code: 'NOT_FOUND', message: 'gone' }, t)).toBe('popup_errNotFound');
    expect(errorSentence({ code: 'INTERNAL', message: 'boom' }, t)).toBe('popup_errGeneric(boom)');
    expect(errorSentence({ message: 'no code' }, t)).toBe('popup_errGeneric(no code)');
  });
});
