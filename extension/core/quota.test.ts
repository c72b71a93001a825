import { describe, expect, it } from 'vitest';
import { formatBytes, quotaView } from './quota.js';
import { testTranslator } from '../testing/translator.js';

const GB = 1024 ** 3;

describe('quota', () => {
  it('formats sizes with localized units', () => {
    expect(formatBytes(1.2 * GB, 'en')).toBe('1.2 GB');
    expect(formatBytes(1.2 * GB, 'es')).toBe('1,2 GB');
    expect(formatBytes(15 * GB, 'en')).toBe('15 GB');
    expect(formatBytes(512, 'en')).toBe('512 byte');
    expect(formatBytes(300 * 1024 ** 2, 'en')).toBe('300 MB');
  });

  it('says how much is used, and warns past 90 %', () => {
    const t = testTranslator('en');
    expect(quotaView({ usedBytes: 1.2 * GB, limitBytes: 15 * GB }, { t, locale: 'en' })).toMatchObject({
      text: '1.2 GB of 15 GB',
      percent: 8,
      level: 'ok',
      percentText: '8% used',
    });
    expect(quotaView({ usedBytes: 13.6 * GB, limitBytes: 15 * GB }, { t, locale: 'en' }).level).toBe('warning');
    expect(quotaView({ usedBytes: 16 * GB, limitBytes: 15 * GB }, { t, locale: 'en' })).toMatchObject({
      level: 'full',
      percent: 100,
    });
    expect(
      quotaView({ usedBytes: 1.2 * GB, limitBytes: 15 * GB }, { t: testTranslator('es'), locale: 'es' }).text,
    ).toBe('1,2 GB de 15 GB');
  });
});
