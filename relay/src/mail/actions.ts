import {
  ErrorCode,
  isRetryable,
  TidingsError,
  type ActionOutcome,
  type MailAction,
  type MailboxRole,
  type MessageId,
  type RequestParams,
} from '../../../shared/index.js';
import { z } from 'zod/mini';
import type { AccountRuntime } from '../accounts/account-runtime.js';
import { toTidingsError, type MailboxSession } from '../imap/command-connection.js';
import { existingUids } from '../imap/operations/existing-uids.js';
import { expungeUids } from '../imap/operations/expunge-messages.js';
import { isSelectable, roleOf } from '../imap/operations/list-mailboxes.js';
import { moveMessages } from '../imap/operations/move-messages.js';
import { storeFlag } from '../imap/operations/store-flags.js';
import { uidSet } from '../imap/operations/sync-window.js';
import type { JournalAttempt } from './action-journal.js';

/**
 * What a run records in the durable journal before it moves or expunges (issue 8): the
 * Message-ID of every message it is about to move, per source mailbox and UID. After a crash the
 * replay finds a message that left its source in the destination by that Message-ID, so it
 * answers "moved, here" like the first run would have, and never moves anything twice.
 */
const intentSchema = z.object({
  messageIds: z.record(z.string(), z.record(z.string(), z.nullable(z.string()))),
});
type Intent = z.infer<typeof intentSchema>;

/** The journal hooks applyAction uses; a run without a journal records nothing. */
interface Journal {
  recovering: boolean;
  intent: Intent;
  record(mailbox: string, messageIds: Record<string, string | null>): void;
}

function journalOf(attempt: JournalAttempt | undefined): Journal {
  const parsed = intentSchema.safeParse(attempt?.intent);
  const intent: Intent = parsed.success ? parsed.data : { messageIds: {} };
  return {
    recovering: attempt?.recovering ?? false,
    intent,
    record(mailbox, messageIds) {
      intent.messageIds[mailbox] = { ...intent.messageIds[mailbox], ...messageIds };
      attempt?.recordIntent(intent);
    },
  };
}

/** A message a recovering run must look for in the destination (it left the source). */
interface Lookup {
  id: MessageId;
  messageId: string;
}

/** What an action does once its destination is known. */
type Plan =
  | { kind: 'flag'; flag: '\\Seen' | '\\Flagged'; value: boolean }
  | { kind: 'move'; to: string }
  /** Move to Trash, or expunge when the message is already there. */
  | { kind: 'delete'; trash: string };

function samePath(a: string, b: string): boolean {
  return a === b || (a.toUpperCase() === 'INBOX' && b.toUpperCase() === 'INBOX');
}

const ROLE_OF_ACTION = { archive: 'archive', delete: 'trash', junk: 'junk' } as const;

/**
 * Finds the destination folder with one LIST: the account's archive override or the \Archive,
 * \Trash, \Junk special-use folder (RFC 6154; imapflow also recognises common names, in many
 * languages, on servers without SPECIAL-USE), and for archive without \Archive the \All folder
 * (Gmail). A missing folder is NOT_FOUND with what to do about it.
 */
async function plan(runtime: AccountRuntime, action: MailAction): Promise<Plan> {
  if (action.kind === 'seen') return { kind: 'flag', flag: '\\Seen', value: action.value };
  if (action.kind === 'flagged') return { kind: 'flag', flag: '\\Flagged', value: action.value };
  const entries = await runtime.commands.withClient((client) => client.list(), { op: 'messages.action list' });
  const selectable = entries.filter(isSelectable);
  const exists = (path: string) => selectable.find((e) => samePath(e.path, path))?.path ?? null;
  if (action.kind === 'move') {
    const to = exists(action.to);
    if (!to) throw new TidingsError(ErrorCode.NOT_FOUND, `there is no folder "${action.to.slice(0, 200)}"`);
    return { kind: 'move', to };
  }
  if (action.kind === 'archive' && runtime.account.archiveMailbox) {
    const to = exists(runtime.account.archiveMailbox);
    if (!to)
      throw new TidingsError(
        ErrorCode.NOT_FOUND,
        `the archive folder "${runtime.account.archiveMailbox.slice(0, 200)}" set for this account does not exist: choose another in the account settings`,
      );
    return { kind: 'move', to };
  }
  const role = ROLE_OF_ACTION[action.kind];
  const withRole = (r: MailboxRole) => selectable.find((e) => roleOf(e) === r)?.path;
  // Gmail-style servers have no \Archive: there, archiving is leaving INBOX for \All ("All Mail"),
  // as Thunderbird and Gmail's own clients do; \Archive wins where both exist.
  const folder = withRole(role) ?? (action.kind === 'archive' ? withRole('all') : undefined);
  if (!folder)
    throw new TidingsError(
      ErrorCode.NOT_FOUND,
      action.kind === 'archive'
        ? 'this account has no Archive folder: choose one in the account settings'
        : `this account has no ${role === 'trash' ? 'Trash' : 'Junk'} folder; nothing was changed`,
    );
  return action.kind === 'delete' ? { kind: 'delete', trash: folder } : { kind: 'move', to: folder };
}

function outcome(id: MessageId, error: TidingsError | null, movedTo: MessageId | null = null): ActionOutcome {
  return { id, ok: error === null, movedTo, error: error ? { code: error.code, message: error.message } : null };
}

/**
 * Applies the plan to one mailbox's ids while holding its lock; per-id outcomes. A recovering run
 * (its first run crashed) treats a message that left the source as possibly moved by that run:
 * it is returned in `lookups` for a search of the destination by Message-ID.
 */
async function applyInMailbox(
  session: MailboxSession,
  ids: MessageId[],
  todo: Plan,
  journal: Journal,
): Promise<{ outcomes: ActionOutcome[]; lookups: Lookup[] }> {
  const { client } = session;
  const source = session.mailbox.path;
  const results = new Map<MessageId, ActionOutcome>();
  const lookups: Lookup[] = [];
  // Identities from another UIDVALIDITY are refused, never applied to whatever has that UID now.
  const fresh = ids.filter((id) => {
    if (id.uidValidity === session.uidValidity) return true;
    results.set(
      id,
      outcome(
        id,
        new TidingsError(ErrorCode.STALE_UIDVALIDITY, 'the folder was reset (UIDVALIDITY changed): reload it'),
      ),
    );
    return false;
  });
  const present = await existingUids(
    client,
    fresh.map((id) => id.uid),
  );
  const expunging = todo.kind === 'delete' && samePath(source, todo.trash);
  const recorded = journal.intent.messageIds[source] ?? {};
  const targets = fresh.filter((id) => {
    if (present.has(id.uid)) return true;
    const gone = new TidingsError(ErrorCode.NOT_FOUND, 'the message no longer exists (moved or deleted)');
    if (journal.recovering && expunging) {
      // The crashed run expunged it: the same outcome it would have answered.
      results.set(id, outcome(id, null));
    } else if (journal.recovering && todo.kind !== 'flag' && recorded[String(id.uid)]) {
      lookups.push({ id, messageId: recorded[String(id.uid)]! });
      results.set(id, outcome(id, gone));
    } else {
      results.set(id, outcome(id, gone));
    }
    return false;
  });
  const uids = [...new Set(targets.map((id) => id.uid))];
  try {
    if (todo.kind === 'flag') {
      // Setting a flag twice is harmless: a replay simply runs again, no intent needed.
      await storeFlag(client, uids, todo.flag, todo.value);
      for (const id of targets) results.set(id, outcome(id, null));
    } else if (expunging) {
      // Already in Trash: delete for good (RFC 4315 UID EXPUNGE of exactly these messages).
      journal.record(source, {});
      await expungeUids(client, uids);
      for (const id of targets) results.set(id, outcome(id, null));
    } else {
      const to = todo.kind === 'delete' ? todo.trash : todo.to;
      if (samePath(source, to)) {
        for (const id of targets) results.set(id, outcome(id, null, id));
      } else if (uids.length > 0) {
        journal.record(source, await messageIdsOf(client, uids));
        const moved = await moveMessages(client, uids, to);
        for (const id of targets) {
          const uid = moved.uidMap.get(id.uid);
          const movedTo =
            uid !== undefined && moved.uidValidity !== null
              ? { accountId: id.accountId, mailbox: to, uidValidity: moved.uidValidity, uid }
              : null;
          results.set(id, outcome(id, null, movedTo));
        }
      }
    }
  } catch (err) {
    const error = toTidingsError(err);
    for (const id of targets) results.set(id, outcome(id, error));
  }
  return { outcomes: ids.map((id) => results.get(id)!), lookups };
}

/** Message-ID header of each UID (one FETCH ENVELOPE, O(ids)); null where a message has none. */
async function messageIdsOf(client: MailboxSession['client'], uids: number[]): Promise<Record<string, string | null>> {
  const fetched = await client.fetchAll(uidSet(uids), { uid: true, envelope: true }, { uid: true });
  const out: Record<string, string | null> = {};
  for (const uid of uids) out[String(uid)] = null;
  for (const m of fetched) out[String(m.uid)] = m.envelope?.messageId ?? null;
  return out;
}

/**
 * Recovery: finds messages a crashed run moved, in the destination, by Message-ID (the newest
 * match wins: a copy the user made earlier is older). Found → the outcome the first run would
 * have given (ok, movedTo); not found → stays NOT_FOUND (another client moved or deleted it).
 */
async function findMoved(
  runtime: AccountRuntime,
  destination: string,
  lookups: Lookup[],
  signal: AbortSignal,
): Promise<Map<MessageId, ActionOutcome>> {
  return runtime.commands.withMailbox(
    destination,
    async ({ client, uidValidity }) => {
      const found = new Map<MessageId, ActionOutcome>();
      for (const { id, messageId } of lookups) {
        const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
        const uid = uids ? Math.max(0, ...uids) : 0;
        if (uid > 0)
          found.set(id, outcome(id, null, { accountId: id.accountId, mailbox: destination, uidValidity, uid }));
      }
      return found;
    },
    { signal, refresh: 'always', op: 'messages.action recovery' },
  );
}

/**
 * `messages.action` for ids of one account: groups them by mailbox, and in each (holding its
 * lock, after a NOOP so the UIDVALIDITY and message set are current) refuses stale identities,
 * reports vanished messages as NOT_FOUND, and applies the action to the rest. Outcomes come back
 * in the order of `ids`.
 *
 * When nothing could be applied because the server was unreachable (every outcome failed with a
 * retryable code), this throws instead, so the action journal forgets the id and a replay runs.
 */
export async function applyAction(
  runtime: AccountRuntime,
  params: Pick<RequestParams<'messages.action'>, 'ids' | 'action'>,
  signal: AbortSignal,
  attempt?: JournalAttempt,
): Promise<ActionOutcome[]> {
  const { ids, action } = params;
  const journal = journalOf(attempt);
  let todo: Plan;
  try {
    todo = await plan(runtime, action);
  } catch (err) {
    const error = toTidingsError(err);
    if (isRetryable(error.code)) throw error;
    return ids.map((id) => outcome(id, error));
  }
  const groups = new Map<string, MessageId[]>();
  for (const id of ids) groups.set(id.mailbox, [...(groups.get(id.mailbox) ?? []), id]);
  const results = new Map<MessageId, ActionOutcome>();
  for (const [mailbox, group] of groups) {
    try {
      const { outcomes, lookups } = await runtime.commands.withMailbox(
        mailbox,
        (session) => applyInMailbox(session, group, todo, journal),
        { signal, refresh: 'always', op: `messages.action ${action.kind}` },
      );
      outcomes.forEach((o, i) => results.set(group[i]!, o));
      if (lookups.length > 0 && todo.kind !== 'flag') {
        const destination = todo.kind === 'delete' ? todo.trash : todo.to;
        for (const [id, found] of await findMoved(runtime, destination, lookups, signal)) results.set(id, found);
      }
    } catch (err) {
      const error = toTidingsError(err);
      for (const id of group) results.set(id, outcome(id, error));
    }
  }
  const outcomes = ids.map((id) => results.get(id)!);
  const allRetryable = outcomes.every((o) => o.error !== null && isRetryable(o.error.code));
  if (allRetryable && outcomes[0]?.error) throw new TidingsError(outcomes[0].error.code, outcomes[0].error.message);
  return outcomes;
}
