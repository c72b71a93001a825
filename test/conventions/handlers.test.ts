// CONVENTIONS.md 1 and 13: one relay handler per file, every file registered, and every request
// type exercised by an integration test against the real relay.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REQUEST_TYPES } from '../../shared/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const handlersDir = join(root, 'relay', 'src', 'ws', 'handlers');

describe('relay handlers', () => {
  const files = readdirSync(handlersDir).filter(
    (f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.test.ts'),
  );
  const index = readFileSync(join(handlersDir, 'index.ts'), 'utf8');

  it('has one file per request type, named after it', () => {
    const expected = REQUEST_TYPES.map((t) => `${t.replace(/\./g, '-')}.ts`).sort();
    expect(files.sort()).toEqual(expected);
  });

  it('registers every handler file in the registry', () => {
    for (const f of files)
      expect(index, `${f} is not imported by handlers/index.ts`).toContain(`./${f.replace(/\.ts$/, '.js')}`);
  });

  it('exercises every request type in an integration test', () => {
    const tests = readdirSync(join(root, 'test', 'integration'))
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(join(root, 'test', 'integration', f), 'utf8'))
      .join('\n');
    for (const type of REQUEST_TYPES)
      expect(tests, `no integration test sends '${type}'`).toMatch(
        new RegExp(`request\\('${type.replace('.', '\\.')}'`),
      );
  });
});
