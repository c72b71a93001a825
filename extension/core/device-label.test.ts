import { describe, expect, it } from 'vitest';
import { testTranslator } from '../testing/translator.js';
import { deviceLabel } from './device-label.js';

describe('deviceLabel', () => {
  it('names the browser and its OS in the UI language', () => {
    expect(deviceLabel('Chrome', 'linux', testTranslator('en'))).toBe('Chrome on Linux');
    expect(deviceLabel('Chrome', 'mac', testTranslator('es'))).toBe('Chrome en macOS');
    expect(deviceLabel('Firefox', 'haiku', testTranslator('en'))).toBe('Firefox on haiku');
  });
});
