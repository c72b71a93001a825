import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (beside the code, no processes), `integration` (real Dovecot + relay),
 * `e2e` (real Dovecot + relay + built extension in headless Chromium). `npm test` runs all three.
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/harness/summary-reporter.ts'],
    projects: [
      {
        // Compiles `*.svelte.ts` state classes (runes) so their logic is unit-tested as shipped.
        plugins: [svelte({ configFile: false })],
        test: {
          name: 'unit',
          include: [
            'shared/**/*.test.ts',
            'relay/**/*.test.ts',
            'extension/**/*.test.ts',
            'test/conventions/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**', '**/.output/**'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          globalSetup: ['test/harness/global-setup.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          globalSetup: ['test/harness/global-setup.ts'],
        },
      },
    ],
  },
});
