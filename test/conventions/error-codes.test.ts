// CONVENTIONS.md 8: every error code is documented in one line (README "Error codes"), and the
// retryable marker there matches the declared retryable subset.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES, isRetryable } from '../../shared/index.js';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md'), 'utf8');

describe('error codes', () => {
  it.each(ALL_ERROR_CODES)('%s has one documented line with the right retryable marker', (code) => {
    const rows = readme.split('\n').filter((l) => l.startsWith(`| \`${code}\``));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.includes('↻')).toBe(isRetryable(code));
    expect(rows[0]!.split('|')[2]!.trim().length).toBeGreaterThan(10);
  });
});
