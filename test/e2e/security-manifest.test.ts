// SECURITY.md "manifest" suite: the BUILT manifest (what a browser loads, not wxt.config.ts) is
// MV3 for Chrome 116+, asks for no host access and no content scripts, loads no remote code,
// keeps the default extension-page CSP (or a stricter one), and asks only for the permissions
// the features use — each listed below with its reason and checked against the source.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod/mini';
import { repoRoot } from '../harness/paths.js';

/** Every permission the extension may hold, why, and an API use that must exist in its source. */
const PERMISSIONS: Record<string, { reason: string; used: RegExp }> = {
  storage: { reason: 'relay URL, device token, cached counts and settings', used: /\.storage\.(local|session|sync)\b/ },
  alarms: { reason: 'wakes the service worker to reconnect to the relay', used: /\.alarms\.(create|onAlarm)\b/ },
  downloads: { reason: 'attachments stream to disk through the download manager', used: /\.downloads\.download\b/ },
  notifications: { reason: 'new-mail notifications with Mark as read / Archive', used: /\.notifications\.create\b/ },
  identity: {
    reason: '"Sign in with Google": launchWebAuthFlow opens the provider and hands the code back (issue 9)',
    used: /\.identity\.launchWebAuthFlow\b/,
  },
};

const manifestSchema = z.looseObject({
  manifest_version: z.number(),
  minimum_chrome_version: z.optional(z.string()),
  permissions: z._default(z.array(z.string()), []),
  optional_permissions: z._default(z.array(z.string()), []),
  host_permissions: z._default(z.array(z.string()), []),
  optional_host_permissions: z._default(z.array(z.string()), []),
  content_scripts: z.optional(z.array(z.unknown())),
  content_security_policy: z.optional(z.unknown()),
  externally_connectable: z.optional(z.unknown()),
  web_accessible_resources: z.optional(z.array(z.unknown())),
  background: z.optional(z.object({ service_worker: z.string(), type: z.optional(z.string()) })),
});

// The production build (what ships), not the e2e build in chrome-mv3-test with its test hooks.
const dir = join(repoRoot, '.output', 'chrome-mv3');
let raw: string;
let manifest: z.infer<typeof manifestSchema>;

function files(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

beforeAll(() => {
  if (!existsSync(join(dir, 'manifest.json'))) {
    // `npm test` builds first; a lone run of this file builds here.
    const build = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, stdio: 'inherit', timeout: 300_000 });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  raw = readFileSync(join(dir, 'manifest.json'), 'utf8');
  manifest = manifestSchema.parse(JSON.parse(raw));
});

describe('built manifest', () => {
  it('is MV3 for Chrome 116 or later', () => {
    expect(manifest.manifest_version).toBe(3);
    expect(Number(manifest.minimum_chrome_version)).toBeGreaterThanOrEqual(116);
    expect(manifest.background?.service_worker).toBe('background.js');
  });

  it('asks for no host access, <all_urls> nowhere, no content scripts, no outside messaging', () => {
    expect(raw).not.toContain('<all_urls>');
    expect(raw).not.toMatch(/"\*:\/\/|https?:\/\/\*/);
    expect(manifest.host_permissions).toEqual([]);
    expect(manifest.optional_host_permissions).toEqual([]);
    expect(manifest.content_scripts ?? []).toEqual([]);
    expect(manifest.externally_connectable).toBeUndefined();
    expect(manifest.web_accessible_resources ?? []).toEqual([]);
  });

  it('asks only for the permissions the features use, each used in the source', () => {
    expect(manifest.optional_permissions).toEqual([]);
    for (const p of manifest.permissions) expect(Object.keys(PERMISSIONS), `unexpected permission ${p}`).toContain(p);
    const source = files(join(repoRoot, 'extension'))
      .filter((f) => /\.(ts|svelte)$/.test(f) && !f.includes('.test.') && !f.includes(`${join('extension', '.wxt')}`))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const p of manifest.permissions) {
      expect(PERMISSIONS[p]!.used.test(source), `${p} (${PERMISSIONS[p]!.reason}) is not used`).toBe(true);
    }
  });

  it('keeps the default extension-page CSP or a stricter one', () => {
    const csp = manifest.content_security_policy;
    if (csp === undefined) return; // Chrome's MV3 default: script-src 'self' 'wasm-unsafe-eval'; object-src 'self'
    const pages = z.object({ extension_pages: z.optional(z.string()), sandbox: z.optional(z.string()) }).parse(csp);
    for (const policy of [pages.extension_pages, pages.sandbox]) {
      if (policy === undefined) continue;
      expect(policy).not.toMatch(/'unsafe-eval'|'unsafe-inline'|https?:|\*|data:|blob:/);
    }
  });

  it('loads no remote code: every script is a file of the extension', () => {
    const built = files(dir);
    for (const file of built.filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(file, 'utf8');
      for (const m of html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']?([^"'\s>]+)/gi)) {
        expect(m[1], relative(dir, file)).toMatch(/^(\/|\.\/|\.\.\/)?[\w./-]+\.js$/);
        expect(m[1]).not.toMatch(/^(https?:)?\/\//);
      }
      expect(html).not.toMatch(/<link\b[^>]*rel=["']?(modulepreload|preload)[^>]*href=["']?https?:/i);
    }
    for (const file of built.filter((f) => f.endsWith('.js'))) {
      const js = readFileSync(file, 'utf8');
      expect(js, relative(dir, file)).not.toMatch(
        /\bimport\s*\(\s*["'`]https?:|\bimportScripts\s*\(|from\s*["']https?:/,
      );
      expect(js, relative(dir, file)).not.toMatch(/\bnew Function\s*\(|\beval\s*\(/);
    }
  });
});
