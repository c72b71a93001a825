import { ErrorCode, TidingsError } from '../../../shared/index.js';

/**
 * The error of a missed IMAP deadline: TIMEOUT, with a message that says what did not answer and
 * for how long (not imapflow's "CONNECT_TIMEOUT" after a minute and a half). `frozen` marks it so
 * the account's health can tell "the server stopped answering" from "could not connect".
 */
export class DeadlineError extends TidingsError {
  readonly frozen = true;
  readonly limitMs: number;
  constructor(what: string, limitMs: number) {
    super(
      ErrorCode.TIMEOUT,
      `The mail server did not answer ${what} within ${formatLimit(limitMs)}; the connection was closed and will be replaced.`,
    );
    this.name = 'DeadlineError';
    this.limitMs = limitMs;
  }
}

/** 20000 → "20 s", 2500 → "2.5 s", 300 → "300 ms". */
export function formatLimit(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}

export function isDeadlineError(err: unknown): err is DeadlineError {
  return err instanceof DeadlineError;
}

/**
 * Settles like `work`, or rejects with a DeadlineError after `ms` and calls `onExpire` (which
 * destroys the connection the work runs on, so nothing is left waiting on a frozen socket).
 *
 * @example await withDeadline(client.noop(), { ms: 10_000, what: 'NOOP', onExpire: () => client.close() });
 */
export function withDeadline<T>(
  work: Promise<T>,
  options: { ms: number; what: string; onExpire?: (err: DeadlineError) => void },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const err = new DeadlineError(options.what, options.ms);
      reject(err);
      options.onExpire?.(err);
    }, options.ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
