// axe-core (WCAG 2.1 A and AA) for the e2e suites: accessibility.test.ts runs it on every screen;
// feature suites run it on the states they add (a confirmation, a button only some accounts have).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/** Runs axe on `page` and returns its violations as readable lines (empty: none). */
export async function violations(page: Page): Promise<string[]> {
  // The extension's CSP (script-src 'self') refuses an injected <script>; CDP evaluation is not
  // subject to it, so axe is evaluated into the page instead of page.addScriptTag.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(`${axeSource}\n;0`);
  const found = await page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<unknown> } }).axe;
    const result = (await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: tags },
    })) as {
      violations: AxeViolation[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  }, TAGS);
  return found.flatMap((v) =>
    v.nodes.map(
      (n) => `${v.id} (${v.impact ?? '?'}): ${v.help}\n    at ${n.target.join(' ')}\n    ${n.failureSummary ?? ''}`,
    ),
  );
}

export async function expectNoViolations(page: Page, where: string): Promise<void> {
  const lines = await violations(page);
  expect(lines, `${where}:\n${lines.join('\n')}`).toEqual([]);
}
