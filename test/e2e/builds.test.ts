// Issue 7: test-only hooks do not ship in the production worker. `npm test` builds both
// (`npm run build` and `npm run build:test`) before the suites run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTENSION_DIR } from '../harness/chromium.js';
import { repoRoot } from '../harness/paths.js';

const worker = (dir: string) => readFileSync(join(dir, 'background.js'), 'utf8');

describe('extension builds', () => {
  it('leaves the test hooks out of the production worker', () => {
    expect(worker(join(repoRoot, '.output', 'chrome-mv3'))).not.toContain('tidingsDiagnostics');
  });

  it('has them in the test build the e2e suites load', () => {
    expect(DEFAULT_EXTENSION_DIR).toBe(join(repoRoot, '.output', 'chrome-mv3-test'));
    expect(worker(DEFAULT_EXTENSION_DIR)).toContain('tidingsDiagnostics');
  });
});
