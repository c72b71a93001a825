// Issue 7 and CONVENTIONS.md 13/16: a file's folder says where it runs; imports across a
// boundary, and files outside the layout, fail `npm test`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../harness/paths.js';
import { checkExtensionLayout, LAYOUT, type SourceFile } from './extension-layout.js';

const extensionDir = join(repoRoot, 'extension');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === '.wxt') return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const sources: SourceFile[] = walk(extensionDir)
  .filter((p) => /\.(ts|svelte|js|mjs)$/.test(p))
  .map((p) => ({ path: relative(extensionDir, p).split('\\').join('/'), source: readFileSync(p, 'utf8') }));

describe('extension layout', () => {
  it('has every source file in a layout folder and no import across a boundary', () => {
    expect(checkExtensionLayout(sources)).toEqual([]);
  });

  it('documents every layout folder in extension/README.md', () => {
    const readme = readFileSync(join(extensionDir, 'README.md'), 'utf8');
    // The tree draws components/<x>/ as a nested line, so look for each folder's last segment.
    for (const folder of Object.keys(LAYOUT)) expect(readme, folder).toContain(`${folder.split('/').pop()}/ `);
  });

  it('keeps source files under about 400 lines unless their first comment says why', () => {
    const long = sources
      .filter((f) => f.source.split('\n').length > 420 && !/over 400 lines/i.test(f.source.split(/\nimport /)[0] ?? ''))
      .map((f) => `${f.path} (${f.source.split('\n').length} lines)`);
    expect(long).toEqual([]);
  });
});

describe('the layout checker', () => {
  const check = (path: string, source: string) => checkExtensionLayout([{ path, source }]);

  it('refuses a page importing the background', () => {
    expect(check('popup/list.ts', "import { Badge } from '../background/badge.js';")).toEqual([
      expect.stringMatching(/^popup\/list\.ts imports background\/badge\.js: popup may import/),
    ]);
    expect(check('options/x.svelte.ts', "const m = await import('../background/outbox.js');")).toHaveLength(1);
  });

  it('refuses extension APIs in render/, core/ and components', () => {
    expect(check('render/frame.ts', "import { browser } from 'wxt/browser';")).toHaveLength(1);
    expect(check('render/frame.ts', 'export const id = () => chrome.runtime.id;')).toHaveLength(1);
    expect(check('components/popup/Row.svelte', '<script>browser.tabs.create({});</script>')).toHaveLength(1);
    // Comments may name them.
    expect(check('core/x.ts', '// unlike browser.storage, this is pure\nexport const a = 1;')).toEqual([]);
  });

  it('lets components see state classes only as types', () => {
    expect(
      check(
        'components/options/A.svelte',
        "<script>import type { AccountEditor } from '../../options/account-editor.svelte.js';</script>",
      ),
    ).toEqual([]);
    expect(
      check(
        'components/options/A.svelte',
        "<script>import { AccountEditor } from '../../options/account-editor.svelte.js';</script>",
      ),
    ).toHaveLength(1);
    expect(
      check('components/popup/A.svelte', "<script>import { type View } from '../../popup/view.js';</script>"),
    ).toEqual([]);
  });

  it('refuses files outside the layout, relay imports, and test fakes in product code', () => {
    expect(check('lib/helpers.ts', 'export const a = 1;')).toEqual([expect.stringMatching(/outside the layout/)]);
    expect(check('background/x.ts', "import { a } from '../../relay/src/log.js';")).toHaveLength(1);
    expect(check('background/x.ts', "import { fakeClock } from '../testing/fakes.js';")).toHaveLength(1);
    expect(check('background/x.test.ts', "import { fakeClock } from '../testing/fakes.js';")).toEqual([]);
  });

  it('allows what the layout allows', () => {
    expect(
      check(
        'popup/list.ts',
        [
          "import { requests } from '../../shared/index.js';",
          "import { appendPage } from '../core/message-list.js';",
          "import type { Snapshot } from '../ui-protocol/snapshot.js';",
          "import { t } from '../i18n/i18n.js';",
        ].join('\n'),
      ),
    ).toEqual([]);
    expect(check('entrypoints/background.ts', "import { Badge } from '../background/badge.js';")).toEqual([]);
  });
});
