// Issue 7: test-only hooks do not ship in the production worker. `npm test` builds both
// (`npm run build` and `npm run build:test`) before the suites run.
import { readdirSync, readFileSync } from 'node:fs';
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

  // Chromium sizes a toolbar popup to its content by laying it out at its smallest and largest
  // widths (25 and ~800 px) on every update. A media query on the viewport's size flips between
  // those passes, and each flip restyled and laid out the whole popup again: 2 extra full layouts
  // per update, 4-20 ms each, which put the first painted rows of a warm open ~40-75 ms later
  // (issue 10). Layout that depends on width uses container queries (`@min-[40rem]:`) instead.
  it('has no media query on the viewport size in the stylesheet (the popup sizes itself)', () => {
    const assets = join(repoRoot, '.output', 'chrome-mv3', 'assets');
    const css = readdirSync(assets).filter((name) => name.endsWith('.css'));
    expect(css.length).toBeGreaterThan(0);
    const queries = css.flatMap((name) => readFileSync(join(assets, name), 'utf8').match(/@media[^{]*/g) ?? []);
    expect(queries.length).toBeGreaterThan(0);
    expect(queries.filter((q) => /width|height|aspect-ratio|orientation/.test(q))).toEqual([]);
  });
});
