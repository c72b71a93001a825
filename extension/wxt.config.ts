import { readFileSync } from 'node:fs';
import tailwindcss from '@tailwindcss/vite';
import { defineConfig } from 'wxt';
import { loadLocale, SUPPORTED_LOCALES } from './i18n/locales.js';
import { z } from 'zod/mini';

/** WXT reads the version from extension/package.json, which does not exist: use the repo's. */
const { version } = z
  .object({ version: z.string() })
  .parse(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')));

/**
 * The test build (`wxt build --mode test`: e2e suites and benchmarks) must be the production build
 * plus the worker's test hooks, nothing else. WXT sets NODE_ENV to the mode, which would compile
 * Svelte in dev mode (ownership checks, source locations: ~30 % more code on every page) and
 * resolve its runtime for development: the suites and benchmarks would measure a slower build
 * than users get. Only `wxt` dev mode (NODE_ENV=development) compiles for development.
 */
const productionLike = process.env.NODE_ENV !== 'development';

/**
 * WXT project root is `extension/` (the CLI is run as `wxt build extension` from the repo root).
 * The build lands in the repo root's `.output/chrome-mv3`, where `npm start` and the e2e suite
 * look for it.
 */
export default defineConfig({
  modules: ['@wxt-dev/module-svelte'],
  // Explicit imports everywhere: the same modules then run unchanged under vitest (no WXT plugin)
  // and a reader can see where `browser` and `defineBackground` come from.
  imports: false,
  outDir: '../.output',
  // `npm run zip`: .output/tidings-<package.json version>-chrome.zip (WXT's {{name}}/{{version}}
  // would come from extension/package.json, which does not exist).
  zip: { artifactTemplate: `tidings-${version}-{{browser}}.zip` },
  svelte: { vite: { compilerOptions: { dev: !productionLike } } },
  vite: (env) => ({
    plugins: [tailwindcss()],
    ...(productionLike && env.mode !== 'production'
      ? {
          resolve: { conditions: ['production'] },
          define: { 'process.env.NODE_ENV': JSON.stringify('production') },
        }
      : {}),
  }),
  hooks: {
    // Merge extension/locales/<lang>/*.json into the _locales/<lang>/messages.json Chrome reads.
    'build:publicAssets': (wxt, files) => {
      const localesDir = new URL('./locales', import.meta.url).pathname;
      for (const lang of SUPPORTED_LOCALES) {
        files.push({
          relativeDest: `_locales/${lang}/messages.json`,
          contents: JSON.stringify(loadLocale(localesDir, lang)),
        });
      }
      // The options page's "Sign-in apps" links the OAuth2 guide; shipped as text so the browser
      // shows it (a .md would be downloaded), the same text as the repository's docs/oauth.md.
      files.push({
        relativeDest: 'docs/oauth.txt',
        contents: readFileSync(new URL('../docs/oauth.md', import.meta.url), 'utf8'),
      });
    },
  },
  manifest: {
    name: '__MSG_extName__',
    version,
    description: '__MSG_extDescription__',
    default_locale: 'en',
    minimum_chrome_version: '116',
    // storage: relay URL, device token and cached counts. alarms: wakes the worker to reconnect.
    // No host permissions: the relay answers CORS for extension origins and WebSockets need none.
    // downloads: attachments are fetched by the browser's download manager from the relay's
    // attachment route with the device token in an Authorization header, streamed to disk and
    // never held in extension memory (a fetch + blob would need the whole file in RAM).
    // notifications: a desktop notification for new mail (text only), with Mark as read and
    // Archive buttons; the relay decides which messages notify (per account, quiet hours).
    // identity: launchWebAuthFlow for "Sign in with Google" (issue 9); it opens the provider's page
    // in a window and hands back the redirect to https://<extension-id>.chromiumapp.org/.
    permissions: ['storage', 'alarms', 'downloads', 'notifications', 'identity'],
    // The PUBLIC half of the project's key pins the extension id (oihelfjcondonnbdjhopoammfceepnjd)
    // for every unpacked install, so the Google redirect URI a user registers
    // (https://oihelfjcondonnbdjhopoammfceepnjd.chromiumapp.org/) never changes. The private key
    // is not kept: it is only needed to sign a .crx, and stores sign with their own.
    key: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAosdNHOITMjHDOi4bRC2wBdWQeJm21yTinl1GTyULvlsVtbepZkb7MWRD2MsWYYFP7oLhkWiqjlZw49SGbxQog8a71RnWM32thnS29rXdvVSicH9f9JLoJeV55qxRe30z43GAzNqBBSPuulQ7o3DMWiNMtW5puFxPGfcE4r4GJeeuDl/YjkZVC7fxO6p7Bf3AswRrIOZMtRA7Xpy6Fi40ICh5tkWc7UHwqAGKp2bLY9zGif3g39vVSVTXFbolDs1++lI6BbKuTD5UWMiy266SaqiMzDmr35JqPQTmdjNDxdC8UvqJLwl2Sl0fOVm6fJv6+3NdoSC3wfAericlG6V8cQIDAQAB',
    action: { default_title: 'Tidings' },
    icons: {
      16: 'icon/16.png',
      32: 'icon/32.png',
      48: 'icon/48.png',
      128: 'icon/128.png',
    },
  },
});
