// What the extension keeps in the browser profile, read from one of its own pages (same origin
// as the service worker): every chrome.storage area and every IndexedDB database, as JSON text,
// for tests that check what must not be there (issue 12 secrets, issue 13 "keep no mail").
import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from '../harness/chromium.js';

export interface ProfileDump {
  /** `chrome.storage.<area>.get(null)`, and the extension origin's `localStorage`, JSON. */
  storage: { local: string; session: string; sync: string; localStorage: string };
  /** `<database>/<object store>` → every value and key in it, JSON. */
  indexedDb: Record<string, string>;
}

/**
 * Page-side source: opens each database at its current version (so nothing is created or
 * upgraded under the worker), reads every store, and closes it again at once.
 */
const DUMP = `async () => {
  const request = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
  const storage = {};
  for (const area of ['local', 'session', 'sync']) storage[area] = JSON.stringify(await chrome.storage[area].get(null));
  storage.localStorage = JSON.stringify(Object.entries(localStorage));
  const indexedDb = {};
  for (const { name, version } of await indexedDB.databases()) {
    if (!name) continue;
    const db = await request(indexedDB.open(name, version));
    try {
      for (const store of Array.from(db.objectStoreNames)) {
        const tx = db.transaction(store, 'readonly');
        const values = await request(tx.objectStore(store).getAll());
        const keys = await request(tx.objectStore(store).getAllKeys());
        indexedDb[name + '/' + store] = JSON.stringify({ keys, values });
      }
    } finally {
      db.close();
    }
  }
  return { storage, indexedDb };
}`;

/** Reads the profile through `page` (an extension page), or a fresh options tab closed after. */
export async function dumpProfile(browser: ExtensionBrowser, page?: Page): Promise<ProfileDump> {
  const target = page ?? (await browser.openPage('options.html'));
  try {
    return (await target.evaluate(`(${DUMP})()`)) as ProfileDump;
  } finally {
    if (!page) await target.close();
  }
}

/** Every place in `dump` whose text contains `needle` (empty when it is nowhere). */
export function placesHolding(dump: ProfileDump, needle: string): string[] {
  const places: [string, string][] = [
    ...Object.entries(dump.storage).map(([area, text]): [string, string] => [`storage.${area}`, text]),
    ...Object.entries(dump.indexedDb).map(([store, text]): [string, string] => [`indexedDB ${store}`, text]),
  ];
  return places.filter(([, text]) => text.includes(needle)).map(([where]) => where);
}
