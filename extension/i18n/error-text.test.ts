import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES } from '../../shared/index.js';
import { errorHint, errorLabel } from './error-text.js';
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
