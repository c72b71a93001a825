/**
 * Schedules `fn` after `ms` and returns a cancel function. Injected (setTimeout in the browser,
 * a fake clock in tests) so timing logic is testable without real waits.
 */
export type SetTimer = (fn: () => void, ms: number) => () => void;
