/**
 * `CacheStore` on IndexedDB (available in the MV3 service worker; storage.local would hold the
 * same data but re-serialises the whole key on every write). One database, one object store per
 * cache area, values stored by structured clone.
 */
import type { CacheArea, CacheStore } from './mail-cache.js';

const DB_NAME = 'tidings-cache';
/** Bump with an `onupgradeneeded` step when the layout changes. */
const DB_VERSION = 1;
const AREAS: readonly CacheArea[] = ['lists', 'bodies', 'meta'];

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

function openDb(factory: IDBFactory): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const area of AREAS) if (!db.objectStoreNames.contains(area)) db.createObjectStore(area);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('cannot open IndexedDB'));
    // Another context holds an older version open; it closes on `versionchange` below.
    request.onblocked = () => undefined;
  });
}

/**
 * @example const cache = new MailCache({ store: idbCacheStore(indexedDB), now: Date.now, log });
 */
export function idbCacheStore(factory: IDBFactory): CacheStore {
  let db: Promise<IDBDatabase> | null = null;
  const database = (): Promise<IDBDatabase> => {
    db ??= openDb(factory).then((opened) => {
      opened.onversionchange = () => {
        opened.close();
        db = null;
      };
      opened.onclose = () => {
        db = null;
      };
      return opened;
    });
    db.catch(() => {
      db = null;
    });
    return db;
  };
  return {
    async get(area, key) {
      const tx = (await database()).transaction(area, 'readonly');
      return await promised<unknown>(tx.objectStore(area).get(key));
    },
    async put(area, key, value) {
      const tx = (await database()).transaction(area, 'readwrite');
      tx.objectStore(area).put(value, key);
      await done(tx);
    },
    async delete(area, key) {
      const tx = (await database()).transaction(area, 'readwrite');
      tx.objectStore(area).delete(key);
      await done(tx);
    },
    async values(area) {
      const tx = (await database()).transaction(area, 'readonly');
      return await promised<unknown[]>(tx.objectStore(area).getAll());
    },
    prepare() {
      // A failed open is retried by the next operation, which reports it.
      database().catch(() => undefined);
    },
    async clear() {
      const tx = (await database()).transaction([...AREAS], 'readwrite');
      for (const area of AREAS) tx.objectStore(area).clear();
      await done(tx);
    },
  };
}
