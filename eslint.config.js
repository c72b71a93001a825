// ESLint flat config. Beyond the recommended sets, the rules below encode the architecture
// (ARCHITECTURE.md, CONVENTIONS.md): extension and relay never import each other, only shared/;
// shared/ uses no Node or DOM APIs; Svelte components never touch browser.*/chrome.*;
// untrusted text is never inserted as markup.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

const noMarkup = [
  {
    selector: 'AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]',
    message: 'Never assign markup: insert text with textContent, or go through the sanitizer module.',
  },
  {
    selector: "CallExpression[callee.property.name='insertAdjacentHTML']",
    message: 'Never insert markup: insert text with textContent, or go through the sanitizer module.',
  },
];

// One way of writing schemas: zod/mini's functions and checks. Its schemas carry no methods, so
// the popup and the worker, which build theirs on every open and wake-up, construct them faster.
const zodMini = {
  regex: '^zod(?!/mini$)(/.*)?$',
  message: "Write schemas with zod/mini: import { z } from 'zod/mini'.",
};
const noRelay = { group: ['**/relay/**'], message: 'The extension imports only shared/, never relay/.' };
const noBackground = {
  group: ['**/background/**'],
  message: 'Pages and their code never import the service worker: talk to it through ui-protocol/ (the Port).',
};
const noExtensionApi = (message) => [
  { name: 'browser', message },
  { name: 'chrome', message },
];

export default ts.config(
  { ignores: ['node_modules', '.output', 'dist', '**/.wxt', 'data', 'test/.tmp', 'coverage'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', ...noMarkup],
      'no-restricted-imports': ['error', { patterns: [zodMini] }],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] },
      globals: { ...globals.browser },
    },
  },
  // The extension's layout by runtime (extension/README.md; the full table is enforced by
  // test/conventions/extension-layout.test.ts). ESLint flags the worst crossings while you type.
  // Flat config replaces a rule per matching block, so each block restates the relay and zod patterns.
  {
    files: ['extension/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.webextensions } },
    rules: { 'no-restricted-imports': ['error', { patterns: [zodMini, noRelay] }] },
  },
  {
    files: ['extension/{ui,popup,options}/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [zodMini, noRelay, noBackground] }] },
  },
  {
    files: ['extension/{render,core,ui-protocol}/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...noExtensionApi('render/, core/ and ui-protocol/ run without extension APIs.'),
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'wxt/browser', message: 'render/, core/ and ui-protocol/ run without extension APIs.' }],
          patterns: [zodMini, noRelay, noBackground],
        },
      ],
    },
  },
  {
    files: ['extension/components/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        ...noExtensionApi(
          'Components are presentational: pass data in and callbacks out; state classes call browser.*.',
        ),
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'wxt/browser', message: 'Components never call extension APIs.' }],
          patterns: [zodMini, noRelay, noBackground],
        },
      ],
    },
  },
  {
    files: ['relay/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            zodMini,
            { group: ['**/extension/**'], message: 'The relay imports only shared/, never extension/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            zodMini,
            {
              group: ['node:*', '**/relay/**', '**/extension/**'],
              message: 'shared/ is the wire protocol: no Node APIs, no relay or extension code.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'process', 'Buffer', 'window', 'document', 'browser', 'chrome'],
    },
  },
  {
    files: ['relay/src/**'],
    ignores: ['relay/src/main.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only relay/src/main.ts reads process.env; pass values in.' },
      ],
    },
  },
);
