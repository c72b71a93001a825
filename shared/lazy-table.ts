/**
 * A table whose entries are built the first time they are read, then kept: protocol.ts's
 * `requests` and `events`. The extension's worker and popup start in a fresh JavaScript context
 * on every wake-up and open, and building every request's and event's schemas there, most of
 * which that context never uses, cost more than a quarter of protocol.ts's load (8 of 30 ms in
 * Node). Reads, `Object.keys` and `Object.hasOwn` behave as on a plain object; an entry cannot be
 * replaced.
 *
 * @example
 * const events = lazyTable({ counts: () => z.object({ unread: z.number() }) });
 * events.counts.parse(payload); // built here, on first read
 */
export function lazyTable<T extends Record<string, () => unknown>>(
  build: T,
): { readonly [K in keyof T]: ReturnType<T[K]> } {
  const table = {} as { [K in keyof T]: ReturnType<T[K]> };
  for (const key of Object.keys(build) as (keyof T & string)[]) {
    Object.defineProperty(table, key, {
      enumerable: true,
      configurable: true,
      get: () => {
        const value = build[key]!();
        Object.defineProperty(table, key, { value, enumerable: true, writable: false, configurable: false });
        return value;
      },
    });
  }
  return table;
}
