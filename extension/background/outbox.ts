/**
 * The durable outbox of mail actions. Every `messages.action` is written to storage before it is
 * sent and removed only when the relay answered, so an action survives the MV3 worker being
 * stopped or the relay being down; after a reconnect (or a worker restart) the queue is replayed
 * in order with the same `actionId`, and the relay answers a repeat with the first outcome
 * instead of acting twice (shared/protocol.ts, messages.action).
 *
 * Failures:
 * - not connected, socket lost, TIMEOUT, RATE_LIMITED, UNREACHABLE: kept, retried on the next
 *   connection or after a short delay (the user sees how many are waiting);
 * - IMAP_ERROR, INTERNAL: retried up to `Limits.outboxMaxAttempts` times, then failed;
 * - any other code (NOT_FOUND, STALE_UIDVALIDITY, BAD_REQUEST, …): failed at once.
 * A failed action is removed and reported, so the UI and the cache roll it back.
 *
 * "Mark all read" for a whole folder (`mailbox.markAllRead`, issue 13) goes through the same
 * queue as an entry of its own kind, with the same replay, retry and failure rules; its `done`
 * result carries the relay's answer (`marked`: the UIDs, for undo) and no per-message outcomes.
 */
import { z } from 'zod/mini';
import {
  Limits,
  mailActionSchema,
  messageIdSchema,
  TidingsError,
  type ErrorCode,
  type RequestParams,
  type RequestResult,
} from '../../shared/index.js';
import type { ActionResult } from '../ui-protocol/data-messages.js';
import type { Logger } from '../core/log.js';
import type { SetTimer } from '../core/timer.js';
import type { KeyValueStore } from './stored-state.js';

/** storage.local key of the queue; bump the suffix on an incompatible change. */
export const OUTBOX_KEY = 'tidings.outbox.v1';

/** Delay before retrying after a transient failure while the socket stays open. */
const RETRY_DELAY_MS = 5_000;

const entryBase = {
  actionId: z.string().check(z.minLength(8), z.maxLength(64)),
  createdAt: z.number(),
  /** Answers with a retryable relay error so far (transport failures do not count). */
  attempts: z.int().check(z.nonnegative()),
};
const actionEntrySchema = z.object({
  ...entryBase,
  ids: z.array(messageIdSchema).check(z.minLength(1), z.maxLength(500)),
  action: mailActionSchema,
});
const markAllReadEntrySchema = z.object({
  ...entryBase,
  kind: z.literal('markAllRead'),
  accountId: messageIdSchema.shape.accountId,
  mailbox: messageIdSchema.shape.mailbox,
});
/** Entries stored before mark-all-read existed have no `kind`: they are message actions. */
const entrySchema = z.union([markAllReadEntrySchema, actionEntrySchema]);
export type ActionEntry = z.infer<typeof actionEntrySchema>;
export type MarkAllReadEntry = z.infer<typeof markAllReadEntrySchema>;
export type OutboxEntry = ActionEntry | MarkAllReadEntry;
export type ActionParams = RequestParams<'messages.action'>;
export type MarkAllReadParams = RequestParams<'mailbox.markAllRead'>;

/** True for a message action (not a mark-all-read of a folder). */
export function isActionEntry(entry: OutboxEntry): entry is ActionEntry {
  return !('kind' in entry);
}

/** Codes after which the action stays queued without counting an attempt. */
const TRANSIENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['UNREACHABLE', 'TIMEOUT', 'RATE_LIMITED']);
/** Codes the relay may answer differently later; retried a few times. */
const RETRY_A_FEW: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['IMAP_ERROR', 'INTERNAL']);

export interface OutboxOptions {
  store: KeyValueStore;
  /** Sends messages.action to the relay; rejects with a TidingsError. */
  send: (params: ActionParams) => Promise<RequestResult<'messages.action'>>;
  /** Sends mailbox.markAllRead to the relay; rejects with a TidingsError. */
  sendMarkAllRead: (params: MarkAllReadParams) => Promise<RequestResult<'mailbox.markAllRead'>>;
  isOpen: () => boolean;
  /** Every settled action (done or failed), whether or not a caller still waits for it. */
  onSettled: (entry: OutboxEntry, result: Exclude<ActionResult, { status: 'queued' }>) => void;
  /** The number of waiting actions changed. */
  onPending?: (pending: number) => void;
  now: () => number;
  setTimer: SetTimer;
  log: Logger;
}

type FirstAttempt = (result: ActionResult) => void;

/**
 * @example
 * const outbox = new Outbox({ store, send: (p) => relay.request('messages.action', p), isOpen, ... });
 * await outbox.start();
 * const result = await outbox.submit({ actionId, ids, action: { kind: 'archive' } });
 * // result.status: 'done' | 'queued' | 'failed'
 */
export class Outbox {
  #entries: OutboxEntry[] = [];
  #loaded: Promise<void> | null = null;
  #draining = false;
  #again = false;
  #cancelRetry: (() => void) | null = null;
  #writes: Promise<void> = Promise.resolve();
  /** Callers of `submit` waiting for the first attempt, by actionId. */
  readonly #waiting = new Map<string, FirstAttempt>();
  readonly #o: OutboxOptions;

  constructor(options: OutboxOptions) {
    this.#o = options;
  }

  /** Loads the stored queue. Idempotent. */
  start(): Promise<void> {
    this.#loaded ??= this.#load();
    return this.#loaded;
  }

  /** Actions not yet answered by the relay, oldest first. */
  get entries(): readonly OutboxEntry[] {
    return this.#entries;
  }

  /**
   * Queues an action durably, then sends it if connected. Resolves after the first attempt:
   * `done` (with per-message outcomes), `failed`, or `queued` (it will be replayed; `onSettled`
   * reports the end). A repeated actionId is not queued twice.
   */
  async submit(params: ActionParams): Promise<ActionResult> {
    return await this.#submit({ ...params, createdAt: this.#o.now(), attempts: 0 });
  }

  /** Queues a mark-all-read of one folder, like `submit`; `done` carries the relay's `marked` answer. */
  async submitMarkAllRead(params: MarkAllReadParams): Promise<ActionResult> {
    return await this.#submit({ kind: 'markAllRead', ...params, createdAt: this.#o.now(), attempts: 0 });
  }

  async #submit(entry: OutboxEntry): Promise<ActionResult> {
    const params = entry;
    await this.start();
    if (!this.#entries.some((e) => e.actionId === params.actionId)) {
      if (this.#entries.length >= Limits.outboxMaxEntries) {
        return {
          status: 'failed',
          error: {
            code: 'RATE_LIMITED',
            message: `${this.#entries.length} changes are still waiting for the relay; try again once it is reachable.`,
          },
        };
      }
      this.#entries.push(entry);
      // Durable before it is sent: a worker stopped right after the send still replays it.
      await this.#persist();
      this.#o.onPending?.(this.#entries.length);
    }
    const first = new Promise<ActionResult>((resolve) => this.#waiting.set(params.actionId, resolve));
    if (!this.#o.isOpen()) this.#resolveFirst(params.actionId, { status: 'queued' });
    else this.drain();
    return await first;
  }

  /** Sends every queued action in order; call when the relay socket opens. Single-flight. */
  drain(): void {
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#cancelRetry?.();
    this.#cancelRetry = null;
    this.#draining = true;
    void this.#drainLoop().finally(() => {
      this.#draining = false;
      if (this.#again) {
        this.#again = false;
        this.drain();
      }
    });
  }

  /** Forgets every queued action (unpaired: they can never be sent). */
  async clear(): Promise<void> {
    this.#cancelRetry?.();
    this.#cancelRetry = null;
    this.#entries = [];
    for (const id of [...this.#waiting.keys()]) {
      this.#resolveFirst(id, { status: 'failed', error: { code: 'UNAUTHORIZED', message: 'not paired' } });
    }
    await this.#persist();
    this.#o.onPending?.(0);
  }

  /** Resolves when every write so far has landed. */
  flush(): Promise<void> {
    return this.#writes;
  }

  // ------------------------------------------------------------ internals

  async #drainLoop(): Promise<void> {
    await this.start();
    for (;;) {
      const entry = this.#entries[0];
      if (!entry) return;
      if (!this.#o.isOpen()) {
        this.#queueAll();
        return;
      }
      let result: Exclude<ActionResult, { status: 'queued' | 'failed' }>;
      try {
        result = isActionEntry(entry)
          ? {
              status: 'done',
              outcomes: (await this.#o.send({ actionId: entry.actionId, ids: entry.ids, action: entry.action }))
                .outcomes,
            }
          : {
              status: 'done',
              outcomes: [],
              marked: await this.#o.sendMarkAllRead({
                actionId: entry.actionId,
                accountId: entry.accountId,
                mailbox: entry.mailbox,
              }),
            };
      } catch (error) {
        const code: ErrorCode = error instanceof TidingsError ? error.code : 'INTERNAL';
        const message = error instanceof Error ? error.message : String(error);
        if (TRANSIENT.has(code)) {
          this.#o.log.info(`action ${entry.actionId} stays queued: ${code} ${message}`);
          this.#queueAll();
          this.#scheduleRetry();
          return;
        }
        if (RETRY_A_FEW.has(code) && entry.attempts + 1 < Limits.outboxMaxAttempts) {
          entry.attempts += 1;
          await this.#persist();
          this.#o.log.info(`action ${entry.actionId} failed with ${code} (attempt ${entry.attempts}); retrying`);
          this.#queueAll();
          this.#scheduleRetry();
          return;
        }
        this.#o.log.warn(`action ${entry.actionId} failed: ${code} ${message}`);
        await this.#settle(entry, { status: 'failed', error: { code, message } });
        continue;
      }
      await this.#settle(entry, result);
    }
  }

  async #settle(entry: OutboxEntry, result: Exclude<ActionResult, { status: 'queued' }>): Promise<void> {
    this.#entries = this.#entries.filter((e) => e.actionId !== entry.actionId);
    await this.#persist();
    this.#o.onPending?.(this.#entries.length);
    this.#resolveFirst(entry.actionId, result);
    try {
      this.#o.onSettled(entry, result);
    } catch (error) {
      this.#o.log.error('outbox onSettled threw', error);
    }
  }

  /** Tells every caller still waiting that its action is queued. */
  #queueAll(): void {
    for (const id of [...this.#waiting.keys()]) this.#resolveFirst(id, { status: 'queued' });
  }

  #resolveFirst(actionId: string, result: ActionResult): void {
    const resolve = this.#waiting.get(actionId);
    this.#waiting.delete(actionId);
    resolve?.(result);
  }

  #scheduleRetry(): void {
    this.#cancelRetry?.();
    this.#cancelRetry = this.#o.setTimer(() => {
      this.#cancelRetry = null;
      if (this.#o.isOpen()) this.drain();
    }, RETRY_DELAY_MS);
  }

  async #load(): Promise<void> {
    let raw: unknown;
    try {
      raw = await this.#o.store.get(OUTBOX_KEY);
    } catch (error) {
      this.#o.log.error('reading the outbox failed; starting with an empty queue', error);
    }
    if (raw === undefined) return;
    const parsed = z.array(z.unknown()).safeParse(raw);
    if (!parsed.success) {
      this.#o.log.error('the stored outbox is not a list; dropped');
      return;
    }
    for (const item of parsed.data) {
      const entry = entrySchema.safeParse(item);
      if (entry.success) this.#entries.push(entry.data);
      else this.#o.log.error('dropped an invalid queued action');
    }
    if (this.#entries.length > 0) this.#o.log.info(`${this.#entries.length} queued action(s) to replay`);
    this.#o.onPending?.(this.#entries.length);
  }

  #persist(): Promise<void> {
    const value = this.#entries.map((e) => ({ ...e }));
    this.#writes = this.#writes
      .then(() => this.#o.store.set(OUTBOX_KEY, value))
      .catch((error: unknown) => this.#o.log.error('saving the outbox failed', error));
    return this.#writes;
  }
}
