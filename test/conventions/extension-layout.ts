/**
 * The extension's layout by runtime (extension/README.md), as data, and a checker that reports
 * every file outside the layout and every import across a boundary. The convention test runs it
 * on the real tree; its unit test feeds it misplaced files to show that it fails.
 *
 * A folder says where its code runs and what it may import. `shared/` (the wire protocol) may be
 * imported from anywhere; a folder may always import itself.
 */

/** Folders of extension/ holding source modules, with the folders each may import. */
export const LAYOUT = {
  entrypoints: {
    runs: 'WXT entry points: only wiring of the modules below to the browser',
    imports: ['*'],
  },
  background: {
    runs: 'the MV3 service worker: relay client, mail service, outbox, cache, badge, notifications, UI port server',
    imports: ['ui-protocol', 'core', 'i18n'],
  },
  'ui-protocol': {
    runs: 'both ends of the typed Port between the background and the pages (schemas and types)',
    imports: ['core'],
  },
  core: {
    runs: 'anywhere: pure logic with no browser.* and no DOM (lists, relay URLs, text safety, timers)',
    imports: ['i18n', { folder: 'ui-protocol', typeOnly: true }],
  },
  i18n: { runs: 'anywhere: translation through browser.i18n, locale files, error texts', imports: [] },
  render: {
    runs: 'the popup page, DOM only: sanitiser, message frame document, linkify (no browser.*)',
    imports: ['core'],
  },
  ui: {
    runs: 'the popup and options pages: the Port client and the view model both pages share',
    imports: ['ui-protocol', 'core', 'i18n'],
  },
  popup: {
    runs: 'the popup page: its state and controllers',
    imports: ['ui', 'ui-protocol', 'core', 'i18n', 'render'],
  },
  options: { runs: 'the options page: its state classes', imports: ['ui', 'ui-protocol', 'core', 'i18n'] },
  'components/common': {
    runs: 'presentational Svelte components used by both pages',
    imports: COMPONENT_IMPORTS(),
  },
  'components/popup': { runs: 'presentational Svelte components of the popup', imports: COMPONENT_IMPORTS() },
  'components/options': { runs: 'presentational Svelte components of the options page', imports: COMPONENT_IMPORTS() },
  'components/message': {
    runs: 'presentational Svelte components of the message view',
    imports: COMPONENT_IMPORTS(),
  },
  testing: { runs: 'unit-test fakes; imported only by *.test.ts files', imports: ['*'] },
} as const satisfies Record<string, { runs: string; imports: readonly Rule[] }>;

type Rule = string | { folder: string; typeOnly: true };

/**
 * Components are presentational: pure helpers of their page (view models, constants) yes; state
 * classes (`*.svelte.ts`, the only UI-side callers of messaging) only as types, passed in as props.
 */
function COMPONENT_IMPORTS(): Rule[] {
  return [
    'components/common',
    'components/popup',
    'components/options',
    'components/message',
    'render',
    'core',
    'i18n',
    'ui',
    'popup',
    'options',
    { folder: 'ui-protocol', typeOnly: true },
  ];
}

/** Folders and root files that hold no modules of the runtime layout (assets, build scripts). */
export const NON_SOURCE = ['assets/', 'locales/', 'public/', 'scripts/', '.wxt/'];
export const ROOT_FILES = ['wxt.config.ts', 'tsconfig.json', 'README.md'];

/** Folders whose code must not touch the extension APIs (`browser.*`, `chrome.*`, `wxt/browser`). */
const NO_EXTENSION_API = ['render', 'core', 'ui-protocol', 'components/'];

export type LayoutFolder = keyof typeof LAYOUT;

export interface SourceFile {
  /** Path relative to extension/, with forward slashes. */
  path: string;
  source: string;
}

/** The layout folder a path belongs to, or null when it is outside the layout. */
export function folderOf(path: string): LayoutFolder | null {
  const folders = Object.keys(LAYOUT) as LayoutFolder[];
  // Longest first, so components/popup wins over a hypothetical components.
  return folders.sort((a, b) => b.length - a.length).find((f) => path.startsWith(`${f}/`)) ?? null;
}

interface ImportRef {
  spec: string;
  typeOnly: boolean;
}

/** Static, re-export and dynamic imports of a module or a Svelte component's scripts. */
export function importsOf(source: string): ImportRef[] {
  const refs: ImportRef[] = [];
  const staticRe = /(?:^|[\s;>])(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
  for (const m of source.matchAll(staticRe)) {
    const clause = m[3] ?? '';
    // `import { type A, type B } from` is type-only too.
    const allTypes =
      /^\{[^}]*\}$/.test(clause.trim()) &&
      clause.split(',').every((p) => /^\s*\{?\s*type\s/.test(p) || /^\s*\}?\s*$/.test(p));
    refs.push({ spec: m[4] ?? '', typeOnly: Boolean(m[2]) || allTypes });
  }
  for (const m of source.matchAll(/(?:^|[\s;>])import\s*['"]([^'"]+)['"]/g))
    refs.push({ spec: m[1] ?? '', typeOnly: false });
  for (const m of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g))
    refs.push({ spec: m[1] ?? '', typeOnly: false });
  return refs;
}

/** Joins a relative import to the importing file's folder (both relative to extension/). */
function resolveRelative(fromPath: string, spec: string): string {
  const parts = fromPath.split('/').slice(0, -1);
  for (const seg of spec.split('/')) {
    if (seg === '.' || seg === '') continue;
    if (seg === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

function allowed(from: LayoutFolder, to: string, typeOnly: boolean): boolean {
  if (from === to) return true;
  return (LAYOUT[from].imports as readonly Rule[]).some((rule) =>
    rule === '*' ? true : typeof rule === 'string' ? rule === to : rule.folder === to && typeOnly,
  );
}

/**
 * Every violation of the layout in `files`, as one readable line each; empty when all is well.
 *
 * @example checkExtensionLayout([{ path: 'popup/x.ts', source: "import '../background/badge.js'" }])
 *   // → ['popup/x.ts imports background/badge.js: popup may import ui, ui-protocol, …']
 */
export function checkExtensionLayout(files: readonly SourceFile[]): string[] {
  const problems: string[] = [];
  for (const file of files) {
    const { path, source } = file;
    if (ROOT_FILES.includes(path) || NON_SOURCE.some((p) => path.startsWith(p))) continue;
    const from = folderOf(path);
    if (!from) {
      problems.push(`${path} is outside the layout: put it in one of ${Object.keys(LAYOUT).join(', ')}`);
      continue;
    }
    const isTest = /\.test\.ts$/.test(path);
    for (const { spec, typeOnly } of importsOf(source)) {
      if (spec === 'wxt/browser' && NO_EXTENSION_API.some((f) => path.startsWith(f)))
        problems.push(`${path} imports wxt/browser: ${from} code must not call extension APIs`);
      if (!spec.startsWith('.')) continue;
      const target = resolveRelative(path, spec);
      if (target.startsWith('../')) {
        if (!target.startsWith('../shared/'))
          problems.push(`${path} imports ${target}: extension code imports only shared/ outside extension/`);
        continue;
      }
      const to = folderOf(target);
      if (!to) {
        if (!ROOT_FILES.includes(target) && !NON_SOURCE.some((p) => target.startsWith(p)))
          problems.push(`${path} imports ${target}, which is outside the layout`);
        continue;
      }
      if (from.startsWith('components/') && /\.svelte\.js$/.test(target) && !typeOnly && !isTest)
        problems.push(
          `${path} imports ${target}: components get state classes as props and may import only their types`,
        );
      else if (to === 'testing' && !isTest && from !== 'testing')
        problems.push(`${path} imports ${target}: testing/ is for *.test.ts files only`);
      else if (!isTest && !allowed(from, to, typeOnly))
        problems.push(
          `${path} imports ${target}: ${from} may import ${
            (LAYOUT[from].imports as readonly Rule[])
              .map((r) => (typeof r === 'string' ? r : `${r.folder} (types only)`))
              .join(', ') || 'nothing else in extension/'
          }`,
        );
    }
    if (NO_EXTENSION_API.some((f) => path.startsWith(f)) && !isTest) {
      const code = source.replace(/\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '');
      if (/\b(browser|chrome)\.[a-zA-Z]/.test(code))
        problems.push(`${path} calls browser.*/chrome.*: ${from} code must not call extension APIs`);
    }
  }
  return problems;
}
