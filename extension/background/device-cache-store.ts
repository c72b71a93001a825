/**
 * The mail cache's storage under "Keep no mail on this device" (issue 13, core/device-settings.ts):
 * a `CacheStore` that sends every operation to IndexedDB normally and to a store in the worker's
 * memory while the setting is on, so lists and bodies never touch the disk and are gone when the
 * worker stops.
 *
 * Switching on wipes IndexedDB at once, after every IndexedDB operation already started has
 * landed (so none lands after the wipe); later operations go to memory. Switching off drops the
 * memory copy and goes back to IndexedDB, which starts empty. Until the stored setting has been
 * read (`ready`), operations wait, so nothing reaches IndexedDB before the worker knows.
 */
import type { Logger } from '../core/log.js';
import { memoryCacheStore, type CacheStore } from './mail-cache.js';

export interface DeviceCacheStoreOptions {
  /** IndexedDB (mail-cache-idb.ts). */
  persistent: CacheStore;
  /** Resolves to the stored setting at worker start. */
  memoryOnly: Promise<boolean>;
  log: Logger;
}

export interface DeviceCacheStore extends CacheStore {
  /** Follows a change of the setting; resolves once IndexedDB is wiped (switching on). */
  setMemoryOnly(on: boolean): Promise<void>;
  /** Where operations go now (for tests and diagnostics). */
  mode(): 'persistent' | 'memory';
}

/**
 * @example
 * const store = deviceCacheStore({ persistent: idbCacheStore(indexedDB), memoryOnly: readSetting(), log });
 * const cache = new MailCache({ store, now: Date.now, log });
 */
export function deviceCacheStore(options: DeviceCacheStoreOptions): DeviceCacheStore {
  let memory: CacheStore | null = null;
  /** IndexedDB operations in flight, so a wipe can wait for them. */
  const inFlight = new Set<Promise<unknown>>();
  // Opening IndexedDB overlaps reading the setting: on a worker woken by the popup, the first
  // cached list waits for both. An opened (or newly created, empty) database holds no mail; only
  // a write would, and writes wait for the setting below.
  options.persistent.prepare?.();
  const ready = options.memoryOnly.then(
    (on) => {
      if (on) memory ??= memoryCacheStore();
    },
    (error: unknown) => {
      // Not knowing the setting must not put mail on the disk of a shared computer.
      options.log.warn('reading "keep no mail on this device" failed; keeping mail in memory', error);
      memory ??= memoryCacheStore();
    },
  );

  async function route<T>(op: (store: CacheStore) => Promise<T>): Promise<T> {
    await ready;
    if (memory) return op(memory);
    const pending = op(options.persistent);
    inFlight.add(pending);
    try {
      return await pending;
    } finally {
      inFlight.delete(pending);
    }
  }

  return {
    get: (area, key) => route((s) => s.get(area, key)),
    put: (area, key, value) => route((s) => s.put(area, key, value)),
    delete: (area, key) => route((s) => s.delete(area, key)),
    values: (area) => route((s) => s.values(area)),
    clear: () => route((s) => s.clear()),
    async setMemoryOnly(on) {
      await ready;
      if (!on) {
        memory = null;
        return;
      }
      memory ??= memoryCacheStore();
      await Promise.allSettled([...inFlight]);
      await options.persistent.clear();
    },
    mode: () => (memory ? 'memory' : 'persistent'),
  };
}
