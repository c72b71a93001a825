/** The logging surface injected into background services; tests pass a recorder. */
export interface Logger {
  debug(message: string, details?: unknown): void;
  info(message: string, details?: unknown): void;
  warn(message: string, details?: unknown): void;
  error(message: string, details?: unknown): void;
}

/** Console logger with a `[tidings:<scope>]` prefix. */
export function consoleLogger(scope: string): Logger {
  const prefix = `[tidings:${scope}]`;
  const out =
    (fn: (...args: unknown[]) => void) =>
    (message: string, details?: unknown): void => {
      if (details === undefined) fn(prefix, message);
      else fn(prefix, message, details);
    };
  return {
    debug: out(console.debug),
    info: out(console.info),
    warn: out(console.warn),
    error: out(console.error),
  };
}

/** Discards everything; for tests that do not assert on logs. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
