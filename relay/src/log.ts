/**
 * The relay's structured logger: pino, one JSON line per entry on stderr (or a given sink).
 *
 * Secrets are redacted here, at any depth, so a careless call site cannot leak a password: any
 * field whose name looks like a secret (password, pass, accessToken, refreshToken, token,
 * authorization, cookie, clientSecret, …key) is replaced by "[redacted]", in objects, arrays and
 * errors alike. Errors keep their name, message, code, stack and `cause` chain.
 *
 * @example
 * const log = createLogger({ level: 'debug' });
 * log.child({ accountId }).info('account started', { host });
 * log.error('sync failed', { err }); // {"level":"error","err":{"type":"Error","message":…,"stack":…,"cause":…}}
 */
import pino from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
  isLevelEnabled(level: LogLevel): boolean;
}

/** Field names whose values are never logged. Matched against the whole key, case-insensitive. */
const SECRET_KEY = /pass|secret|token|authorization|cookie|credential|key$/i;
const REDACTED = '[redacted]';
/** Deeper structures are cut off: logs are for people, and a cycle must not hang the relay. */
const MAX_DEPTH = 8;

/** Deep copy of a log value with secret-named fields redacted, errors expanded, bigints as strings. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  if (seen.has(value)) return '[circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  seen.add(value);
  try {
    if (value instanceof Error) return serializeError(value, depth, seen);
    if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
    if (value instanceof Date) return value.toISOString();
    if (value instanceof Map) return redact(Object.fromEntries(value), depth, seen);
    if (value instanceof Set) return redact([...value], depth, seen);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}

function serializeError(err: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.name, message: err.message };
  if (err.stack) out.stack = err.stack;
  // Own properties (code, responseText, …) are kept, redacted like any other object's.
  for (const [k, v] of Object.entries(err)) {
    if (k === 'cause' || k === 'stack' || k === 'message') continue;
    out[k] = SECRET_KEY.test(k) ? REDACTED : redact(v, depth + 1, seen);
  }
  if (err.cause !== undefined) out.cause = redact(err.cause, depth + 1, seen);
  if (err instanceof AggregateError) out.errors = redact(err.errors, depth + 1, seen);
  return out;
}

function wrap(p: pino.Logger): Logger {
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      if (fields) p[level](fields, msg);
      else p[level](msg);
    };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    // pino's bindings formatter does not see child bindings; redact them here.
    child: (fields) => wrap(p.child(redact(fields) as Record<string, unknown>)),
    isLevelEnabled: (level) => p.isLevelEnabled(level),
  };
}

export function createLogger(
  options: {
    level?: LogLevel;
    /** Receives each entry as one JSON line without the newline; default stderr. */
    sink?: (line: string) => void;
    base?: Record<string, unknown>;
  } = {},
): Logger {
  const sink = options.sink;
  const destination: pino.DestinationStream = sink
    ? { write: (line: string) => sink(line.endsWith('\n') ? line.slice(0, -1) : line) }
    : // Synchronous: a relay that exits right after logging (fatal start-up error, SIGTERM) loses nothing.
      pino.destination({ fd: 2, sync: true });
  const p = pino(
    {
      level: options.level ?? 'info',
      base: null, // no pid/hostname: the service manager knows both
      timestamp: pino.stdTimeFunctions.isoTime,
      // pino's own `err` serializer joins the cause chain into one message; redact() keeps it structured.
      serializers: { err: (value: unknown) => value },
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redact(object) as Record<string, unknown>,
      },
    },
    destination,
  );
  const logger = wrap(p);
  return options.base ? logger.child(options.base) : logger;
}

/** A logger that drops everything; for tests that do not inspect logs. */
export const silentLogger: Logger = createLogger({ sink: () => {} });

type ImapflowLogMethod = (entry: unknown, ...rest: unknown[]) => void;
export interface ImapflowLogger {
  trace: ImapflowLogMethod;
  debug: ImapflowLogMethod;
  info: ImapflowLogMethod;
  warn: ImapflowLogMethod;
  error: ImapflowLogMethod;
  fatal: ImapflowLogMethod;
  /**
   * Asked by imapflow before it builds an expensive entry (every FETCH response line re-serialised
   * for its trace log, every command for its debug log). Without it imapflow counts every level
   * as enabled and pays that on each response line even though the entry is dropped here: on a
   * 50-row page that was ~2 ms of the relay's CPU (relay_overhead).
   */
  isLevelEnabled: (level: string) => boolean;
}

/**
 * imapflow's own log routed into ours, every entry at debug (imapflow's errors reach us as
 * rejected promises and 'error' events, which the relay logs at their real level). imapflow masks
 * LOGIN/AUTHENTICATE arguments in its command log itself; our redaction covers fields on top of
 * that, and the relay never sets `logRaw`, so raw socket bytes (trace) are never written.
 */
export function imapflowLogger(log: Logger): ImapflowLogger {
  const child = log.child({ component: 'imapflow' });
  const forward: ImapflowLogMethod = (entry, ...rest) => {
    if (!child.isLevelEnabled('debug')) return;
    if (typeof entry === 'string') {
      child.debug(entry);
      return;
    }
    if (entry === null || typeof entry !== 'object') return;
    const { msg, ...fields } = entry as Record<string, unknown>;
    const text = typeof msg === 'string' ? msg : typeof rest[0] === 'string' ? rest[0] : 'imapflow';
    child.debug(text, fields);
  };
  return {
    trace: () => {},
    debug: forward,
    info: forward,
    warn: forward,
    error: forward,
    fatal: forward,
    isLevelEnabled: (level) => level !== 'trace' && child.isLevelEnabled('debug'),
  };
}
