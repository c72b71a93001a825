import { ErrorCode, Limits, TidingsError } from '../../../shared/index.js';
import type { JournalRecord, Store } from '../store/types.js';

/** Where journal rows live: the store (durable, the relay's default) or memory (unit tests). */
export interface JournalBacking {
  get(actionId: string): JournalRecord | null;
  /** Inserts a 'pending' row; false when the id is already there. */
  begin(actionId: string, fingerprint: string, at: number): boolean;
  setIntent(actionId: string, intent: unknown): void;
  finish(actionId: string, outcome: unknown): void;
  forget(actionId: string): void;
  prune(olderThan: number, keep: number): void;
  size(): number;
}

/** The account's rows in the store: they survive a crash (`kill -9`) of the relay. */
export function storeBacking(store: Store, accountId: string): JournalBacking {
  return {
    get: (actionId) => store.getJournal(accountId, actionId),
    begin: (actionId, fingerprint, at) => store.beginJournal({ accountId, actionId, fingerprint, at }),
    setIntent: (actionId, intent) => store.setJournalIntent(accountId, actionId, intent),
    finish: (actionId, outcome) => store.finishJournal(accountId, actionId, outcome),
    forget: (actionId) => store.deleteJournal(accountId, actionId),
    prune: (olderThan, keep) => store.pruneJournal(accountId, olderThan, keep),
    size: () => store.countJournal(accountId),
  };
}

/** Rows in a Map, in insertion order; for unit tests and tools that need no durability. */
export function memoryBacking(): JournalBacking {
  const rows = new Map<string, JournalRecord>();
  return {
    get: (actionId) => rows.get(actionId) ?? null,
    begin: (actionId, fingerprint, at) => {
      if (rows.has(actionId)) return false;
      rows.set(actionId, { actionId, fingerprint, state: 'pending', intent: null, outcome: null, createdAt: at });
      return true;
    },
    setIntent: (actionId, intent) => {
      const row = rows.get(actionId);
      if (row) row.intent = intent;
    },
    finish: (actionId, outcome) => {
      const row = rows.get(actionId);
      if (row) Object.assign(row, { state: 'done', outcome });
    },
    forget: (actionId) => void rows.delete(actionId),
    prune: (olderThan, keep) => {
      for (const [id, row] of rows) if (row.createdAt < olderThan) rows.delete(id);
      const excess = rows.size - keep;
      if (excess > 0) [...rows.keys()].slice(0, excess).forEach((id) => rows.delete(id));
    },
    size: () => rows.size,
  };
}

/** What a run gets besides its work: whether it resumes a crashed run, and how to record intent. */
export interface JournalAttempt {
  /** True when an earlier run of this id started (its row is 'pending') but never finished. */
  recovering: boolean;
  /** The intent the earlier run recorded before its IMAP commands (unknown: parse it), or null. */
  intent: unknown;
  /**
   * Records what this run is about to do, before doing it. From then on a failure keeps the row
   * pending, so a replay recovers (checks what was applied) instead of acting blindly.
   */
  recordIntent(intent: unknown): void;
}

/**
 * Remembers `messages.action` ids and their outcomes, so a replay (the extension's outbox resends
 * after a reconnect, not knowing whether the first send arrived) gets the first outcome instead
 * of acting twice — also after a relay crash, since the rows live in the store (issue 8). Bounded
 * by count and age (Limits.actionJournalMax / actionJournalTtlMs). A replay that arrives while the
 * first is still running waits for it. A run that failed before recording an intent (nothing was
 * attempted, e.g. the server was unreachable) is forgotten, so a retry runs afresh; one that
 * failed or crashed after it stays pending and the replay runs in recovery mode.
 *
 * @example
 * const outcomes = await journal.run(actionId, JSON.stringify(params), (attempt) => applyAction(..., attempt));
 */
export class ActionJournal<T> {
  readonly #inflight = new Map<string, { fingerprint: string; outcome: Promise<T> }>();
  readonly #backing: JournalBacking;
  /** Turns a stored outcome back into T, or null when it does not parse (then the run recovers). */
  readonly #parse: (value: unknown) => T | null;
  readonly #max: number;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(
    options: {
      backing?: JournalBacking;
      parse?: (value: unknown) => T | null;
      max?: number;
      ttlMs?: number;
      now?: () => number;
    } = {},
  ) {
    this.#backing = options.backing ?? memoryBacking();
    // The memory backing holds the T values it was given; the store backing must pass a parser.
    this.#parse = options.parse ?? ((value) => value as T);
    this.#max = options.max ?? Limits.actionJournalMax;
    this.#ttlMs = options.ttlMs ?? Limits.actionJournalTtlMs;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#backing.size();
  }

  run(id: string, fingerprint: string, act: (attempt: JournalAttempt) => Promise<T>): Promise<T> {
    const reused = () =>
      Promise.reject(
        new TidingsError(ErrorCode.BAD_REQUEST, 'this actionId was already used for another action: use a new id'),
      );
    const running = this.#inflight.get(id);
    if (running) return running.fingerprint === fingerprint ? running.outcome : reused();
    const row = this.#backing.get(id);
    // Room for the row about to be added: at most `max` after it.
    if (!row) this.#backing.prune(this.#now() - this.#ttlMs, Math.max(0, this.#max - 1));
    if (row && row.fingerprint !== fingerprint) return reused();
    if (row?.state === 'done') {
      const stored = this.#parse(row.outcome);
      if (stored !== null) return Promise.resolve(stored);
    }
    if (!row) this.#backing.begin(id, fingerprint, this.#now());
    let intended = row?.intent !== null && row?.intent !== undefined;
    const attempt: JournalAttempt = {
      recovering: row !== null,
      intent: row?.intent ?? null,
      recordIntent: (intent) => {
        intended = true;
        this.#backing.setIntent(id, intent);
      },
    };
    const outcome = act(attempt).then(
      (value) => {
        this.#backing.finish(id, value);
        return value;
      },
      (err: unknown) => {
        if (!intended) this.#backing.forget(id);
        throw err;
      },
    );
    const entry = { fingerprint, outcome };
    this.#inflight.set(id, entry);
    const done = () => {
      if (this.#inflight.get(id) === entry) this.#inflight.delete(id);
    };
    outcome.then(done, done);
    return outcome;
  }
}
