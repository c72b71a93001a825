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

export default ts.config(
  { ignores: ['node_modules', '.output', '**/.wxt', 'data', 'test/.tmp', 'coverage'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', ...noMarkup],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] },
      globals: { ...globals.browser },
    },
  },
  {
    files: ['extension/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.webextensions } },
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/relay/**'], message: 'The extension imports only shared/, never relay/.' }] },
      ],
    },
  },
  {
    files: ['extension/components/**'],
    rules: {
      'no-restricted-globals': [
        'error',
        {
          name: 'browser',
          message: 'Components are presentational: pass data in and callbacks out; state classes call browser.*.',
        },
        {
          name: 'chrome',
          message: 'Components are presentational: pass data in and callbacks out; state classes call browser.*.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'wxt/browser', message: 'Components never call extension APIs.' }],
          patterns: [{ group: ['**/relay/**'] }],
        },
      ],
    },
  },
  {
    files: ['relay/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/extension/**'], message: 'The relay imports only shared/, never extension/.' }] },
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
