// SECURITY.md "sanitizer" and "remote content", unit level, in real Chromium: the extension's own
// sanitizer (extension/render/sanitize.ts + frame-document.ts, bundled with test/fixtures/hostile/
// lab.js for the test only) runs on every hostile fixture in a page of the same browser the
// extension runs in, and the production srcdoc renders in an iframe with the production sandbox
// while a browser-wide CDP recorder watches the network. security-popup.test.ts then proves the
// same through the real popup, relay and IMAP server.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchExtension,
  recordBrowserNetwork,
  type ExtensionBrowser,
  type NetworkRecorder,
} from '../harness/chromium.js';
import { sanitizerBundle } from '../fixtures/hostile/bundle.js';
import { FORBIDDEN_HOSTS, htmlCases, linkCases, remoteCases, type HostileCase } from '../fixtures/hostile/index.js';

/** What test/fixtures/hostile/lab.js returns (it runs in the page). */
interface Lab {
  inspect(html: string): {
    problems: string[];
    remoteBlocked: number;
    idempotent: boolean;
    idempotentRemote: boolean;
    output: string;
  };
  render(html: string): Promise<{ pwned: unknown[]; frameScripts: boolean }>;
  control(name: string): Promise<{ pwned: unknown }>;
  frameHead(remoteAllowed: boolean): Promise<Record<string, unknown>>;
  inlineImages(): Record<string, unknown>;
  remoteToggle(): { off: { blocked: number; html: string }; on: { blocked: number; html: string } };
  placeholders(): Record<string, boolean>;
  newsletter(): { css: string; body: string | null; td: string; hero: string; link: string; table: string | null };
}

let browser: ExtensionBrowser;
let page: Page;
let network: NetworkRecorder;

beforeAll(async () => {
  browser = await launchExtension();
  network = await recordBrowserNetwork(browser);
  page = await browser.context.newPage();
  await page.setContent('<!DOCTYPE html><title>sanitizer lab</title><body></body>');
  await page.addScriptTag({ content: await sanitizerBundle() });
});

afterAll(async () => {
  await network?.stop();
  await browser?.close();
});

/** Calls one lab function in the page. */
async function lab<K extends keyof Lab>(fn: K, ...args: Parameters<Lab[K]>): Promise<Awaited<ReturnType<Lab[K]>>> {
  return (await page.evaluate(
    ({ fn, args }) => {
      const api = (globalThis as unknown as { __tidingsLab: Record<string, (...a: unknown[]) => unknown> })
        .__tidingsLab;
      return api[fn]!(...args);
    },
    { fn, args: args as unknown[] },
  )) as Awaited<ReturnType<Lab[K]>>;
}

const withHtml = (cases: HostileCase[]) =>
  cases.filter((c): c is HostileCase & { html: string } => c.html !== undefined).map((c) => [c.name, c] as const);

describe('the sanitizer on hostile HTML (in Chromium)', () => {
  it.each(withHtml([...htmlCases, ...linkCases]))(
    '%s: leaves nothing that runs or fetches, idempotently',
    async (_name, hostile) => {
      const report = await lab('inspect', hostile.html);
      expect(report.problems, report.output).toEqual([]);
      expect(report.idempotent, report.output).toBe(true);
      expect(report.idempotentRemote).toBe(true);
    },
  );

  it.each(withHtml(remoteCases))('%s: blocks every remote URL, idempotently', async (_name, hostile) => {
    const report = await lab('inspect', hostile.html);
    expect(report.problems, report.output).toEqual([]);
    expect(report.idempotent, report.output).toBe(true);
    expect(report.idempotentRemote).toBe(true);
    // Visible remote content is counted, so the popup can offer "Show images".
    if (hostile.expectBlocked) expect(report.remoteBlocked).toBeGreaterThan(0);
  });
});

describe('the production frame document in a sandboxed iframe', () => {
  it('(control) the probes do see a payload that runs and a request that leaves', async () => {
    expect((await lab('control', 'probe-control')).pwned).toBe('probe-control');
    await expect
      .poll(() => network.entries().some((e) => e.url.includes('remote.invalid/probe-control/')), { timeout: 5_000 })
      .toBe(true);
  });

  it('runs no hostile payload and fetches nothing, for every case', async () => {
    const cases = withHtml([...htmlCases, ...remoteCases, ...linkCases]);
    const leaks: string[] = [];
    for (const [name, hostile] of cases) {
      const result = await lab('render', hostile.html);
      if (result.pwned.length > 0) leaks.push(`${name}: sentinel ran (${result.pwned.join(', ')})`);
      if (result.frameScripts) leaks.push(`${name}: the frame ran an event handler`);
    }
    expect(leaks).toEqual([]);
    const hostile = network
      .entries()
      .filter((e) => FORBIDDEN_HOSTS.some((h) => e.url.includes(h)) && !e.url.includes('/probe-control/'));
    expect(hostile.map((e) => e.url)).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it("keeps the exact CSP as the first child of the frame's <head>, whatever the mail put there", async () => {
    const off = await lab('frameHead', false);
    expect(off).toEqual({
      firstTag: 'meta',
      httpEquiv: 'Content-Security-Policy',
      content:
        "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; font-src 'none'; form-action 'none'; base-uri 'none'",
      cspMetas: 1,
      referrer: 'no-referrer',
      mailStyleKept: true,
      startsWith: '<!DOCTYPE html><html><head><meta http-eq',
      policy:
        "default-src 'none'; img-src data: cid:; style-src 'unsafe-inline'; font-src 'none'; form-action 'none'; base-uri 'none'",
    });
    const on = await lab('frameHead', true);
    expect(on['content']).toBe(
      "default-src 'none'; img-src data: cid: https: http:; style-src 'unsafe-inline'; font-src 'none'; form-action 'none'; base-uri 'none'",
    );
  });

  it('inlines cid: images from loaded parts and keeps only raster data: URLs', async () => {
    expect(await lab('inlineImages')).toEqual({
      a: 'data:image/png;base64,iVBORw0KGgo=',
      b: 'data:image/png;base64,iVBORw0KGgo=',
      c: null,
      d: null,
      e: 'data:image/png;base64,iVBORw0KGgo=',
      f: null,
      ids: ['logo@example', 'missing@x'],
    });
  });

  it('lets http(s) images through only when remote content is allowed', async () => {
    const { off, on } = await lab('remoteToggle');
    expect(off.blocked).toBe(2);
    expect(off.html).not.toContain('img.example');
    expect(on.blocked).toBe(0);
    expect(on.html).toContain('src="https://img.example/a.png"');
    // Nothing dropped from the style: the mail's own text is kept (it parses to what was checked).
    expect(on.html).toContain('style="background:url(http://img.example/b.png)"');
    expect(on.html).not.toContain('ftp:');
  });

  it('draws a placeholder only for blocked images with a real size, not for tracking pixels', async () => {
    expect(await lab('placeholders')).toEqual({
      banner: true,
      styled: true,
      'alt-only': true,
      pixel: false,
      'pixel-px': false,
      invisible: false,
      bare: false,
    });
  });

  it('keeps ordinary newsletter HTML and CSS', async () => {
    const result = await lab('newsletter');
    expect(result.css).toContain('@media (max-width: 600px)');
    expect(result.css).toContain('.btn{');
    expect(result.css).toContain('background-color: rgb(10, 102, 194)');
    expect(result.body).toBe('#f4f4f4');
    // A style attribute from which nothing was dropped keeps its own text; one that lost a
    // declaration is re-serialised from what the CSS parser kept.
    expect(result.td).toBe('font-family:Arial,sans-serif;color:#333');
    expect(result.hero).toBe('color: rgb(51, 51, 51);');
    expect(result.link).toBe(
      '<a class="btn" href="https://news.example/read?id=1" rel="noopener noreferrer">Read more</a>',
    );
    expect(result.table).toBe('600');
  });
});
