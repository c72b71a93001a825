/**
 * The life of one mail action the popup sent, as one union, and the pure steps of undoing it.
 *
 *   sent ──outcome──▶ settled ──Undo──▶ (gone; undo moves start as `undoing`)
 *     │                  └──toast replaced or gone──▶ (gone)
 *     └──Undo──▶ undo-requested ──outcome──▶ (gone; undo moves start as `undoing`)
 *   undoing ──outcome──▶ (gone; the restored rows take their new identities)
 *
 * Before this union the state was three fields (`result`, `undoRequested`, `restores`); every
 * reachable combination maps to one phase:
 * - result null or queued, no undo requested, no restores → `sent` (queued: the background's
 *   outbox holds it; the outcome comes later as a push, exactly like a reply still on its way);
 * - result done/failed, no undo requested → `settled` (kept only while its undo toast is up);
 * - result null or queued, undo requested → `undo-requested` (the rows are back on screen);
 * - result done/failed with undo requested → never kept: the undo runs at once and the action
 *   is forgotten;
 * - restores set → `undoing` until its outcome, then forgotten (an undo move is never in an undo
 *   toast, so it cannot be undone or requested to be).
 */
import { messageKey, type MailAction, type MessageId, type MessageRow } from '../../shared/index.js';
import type { ActionResult } from '../ui-protocol/data-messages.js';

/** An outcome that is final: the relay ran the action (done, maybe per message) or it failed. */
export type FinalResult = Exclude<ActionResult, { status: 'queued' }>;

export type Lifecycle =
  /** Sent to the background; its outcome is not known yet (maybe queued in the outbox). */
  | { phase: 'sent' }
  /** The outcome is known; Undo may still refer to it while its toast is up. */
  | { phase: 'settled'; result: FinalResult }
  /** Undo was pressed before the outcome: the rows are back, the move back waits for it. */
  | { phase: 'undo-requested' }
  /**
   * This action is itself an undo move; its outcome gives restored rows (old key → row) their new
   * ids. `group`: the unread count changes of the undo (counts-controller.ts) it settles.
   */
  | { phase: 'undoing'; restores: ReadonlyMap<string, MessageRow>; group: string };

export interface TrackedAction {
  actionId: string;
  ids: MessageId[];
  action: MailAction;
  /** The list as it was before the optimistic change, and which list it was (scopeKey). */
  before: readonly MessageRow[];
  scope: string;
  /** The rows acted on (for undo: they come back as they were). */
  rows: MessageRow[];
  /** The focused row when the action was made: an undo gives it the focus back. */
  focus: string | null;
  state: Lifecycle;
}

/** The messages whose part of the action failed. */
export function failedIds(ids: readonly MessageId[], result: FinalResult): MessageId[] {
  return result.status === 'failed' ? [...ids] : result.outcomes.filter((o) => !o.ok).map((o) => o.id);
}

/** One move back per (account, original mailbox): messages.action takes one target folder. */
export interface UndoMove {
  to: string;
  ids: MessageId[];
  /** New key (where the action moved it) → the row as it was. */
  restores: Map<string, MessageRow>;
}

/**
 * How to undo a done action: the moves back, by the identities its outcomes reported, and the
 * messages that cannot come back because the server did not say where they went (no UIDPLUS, or
 * deleted for good).
 */
export function planUndo(
  rows: readonly MessageRow[],
  result: Extract<FinalResult, { status: 'done' }>,
): { moves: UndoMove[]; lost: MessageId[] } {
  const lost = result.outcomes.filter((o) => o.ok && !o.movedTo).map((o) => o.id);
  const moves = new Map<string, UndoMove>();
  for (const outcome of result.outcomes) {
    const movedTo = outcome.movedTo;
    if (!outcome.ok || !movedTo) continue;
    const row = rows.find((r) => messageKey(r.id) === messageKey(outcome.id));
    const key = `${movedTo.accountId}\u0000${outcome.id.mailbox}`;
    const move: UndoMove = moves.get(key) ?? { to: outcome.id.mailbox, ids: [], restores: new Map() };
    move.ids.push(movedTo);
    if (row) move.restores.set(messageKey(movedTo), row);
    moves.set(key, move);
  }
  return { moves: [...moves.values()], lost };
}

/** Keys (as shown in the list) of restored rows whose move back failed: they are not back. */
export function unrestoredKeys(
  ids: readonly MessageId[],
  restores: ReadonlyMap<string, MessageRow>,
  result: FinalResult,
): Set<string> {
  const failed = new Set(failedIds(ids, result).map(messageKey));
  return new Set([...restores].filter(([k]) => failed.has(k)).map(([, row]) => messageKey(row.id)));
}

/**
 * The list after an undo move landed: each restored row takes its new identity (a new UID after
 * the move), or goes when a row with that identity is there already (message.new came first).
 * Returns the new key of the focused row when it was one of them, and old key → new key of
 * every restored row (a selection follows them).
 */
export function restoreIdentities(
  rows: readonly MessageRow[],
  restores: ReadonlyMap<string, MessageRow>,
  result: Extract<FinalResult, { status: 'done' }>,
  activeKey: string | null,
): { rows: MessageRow[]; activeKey: string | null; renamed: Map<string, string> } {
  let next = [...rows];
  let active = activeKey;
  const renamed = new Map<string, string>();
  for (const outcome of result.outcomes) {
    if (!outcome.ok) continue;
    const original = restores.get(messageKey(outcome.id));
    if (!original) continue;
    const oldKey = messageKey(original.id);
    const newId = outcome.movedTo;
    // Without a new identity the row stays as it is.
    if (newId === null) continue;
    const newKey = messageKey(newId);
    const present = next.some((r) => messageKey(r.id) === newKey);
    next = present
      ? next.filter((r) => messageKey(r.id) !== oldKey)
      : next.map((r) => (messageKey(r.id) === oldKey ? { ...r, id: newId } : r));
    if (active === oldKey) active = newKey;
    renamed.set(oldKey, newKey);
  }
  return { rows: next, activeKey: active, renamed };
}

/** Keys of rows an undo put back whose move back has not landed yet (an expunge of them is stale). */
export function restoringKeys(actions: Iterable<TrackedAction>): Set<string> {
  const keys = new Set<string>();
  for (const { state, rows } of actions) {
    if (state.phase === 'undo-requested') for (const r of rows) keys.add(messageKey(r.id));
    if (state.phase === 'undoing') for (const r of state.restores.values()) keys.add(messageKey(r.id));
  }
  return keys;
}
