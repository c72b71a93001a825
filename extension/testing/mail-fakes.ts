/**
 * Mail fixtures and a fake relay for the mail data layer's unit tests. Not shipped.
 */
import {
  TidingsError,
  type ActionOutcome,
  type MailAction,
  type MessageId,
  type MessageRow,
  type RequestParams,
  type RequestResult,
  type RequestType,
} from '../../shared/index.js';

export function messageId(uid: number, overrides: Partial<MessageId> = {}): MessageId {
  return { accountId: 'work', mailbox: 'INBOX', uidValidity: '1', uid, ...overrides };
}

/** A row; higher uid = newer (date grows with uid). */
export function row(
  uid: number,
  overrides: Omit<Partial<MessageRow>, 'id'> & { id?: Partial<MessageId> } = {},
): MessageRow {
  const { id, ...rest } = overrides;
  return {
    id: messageId(uid, id),
    from: [{ name: `Sender ${uid}`, address: `sender${uid}@example.org` }],
    to: [{ name: '', address: 'me@example.org' }],
    subject: `Subject ${uid}`,
    date: 1_700_000_000_000 + uid * 60_000,
    flags: [],
    seen: false,
    flagged: false,
    answered: false,
    size: 1_000,
    hasAttachments: false,
    preview: `Preview ${uid}`,
    ...rest,
  };
}

/** Rows with uids `from`..`to` (inclusive), newest first. */
export function rows(from: number, to: number, overrides: Partial<MessageRow> = {}): MessageRow[] {
  const out: MessageRow[] = [];
  for (let uid = to; uid >= from; uid--) out.push(row(uid, overrides));
  return out;
}

export function detail(uid: number): RequestResult<'message.get'> {
  const r = row(uid);
  return {
    id: r.id,
    from: r.from,
    to: r.to,
    cc: [],
    replyTo: [],
    subject: r.subject,
    date: r.date,
    flags: [],
    body: { kind: 'text', content: `Body ${uid}`, truncated: false },
    attachments: [],
  };
}

type Handler<T extends RequestType> = (params: RequestParams<T>) => Promise<RequestResult<T>> | RequestResult<T>;

/**
 * A relay that can be switched on and off, applies actions once per actionId (as the real relay
 * dedupes), and records every request.
 */
export class FakeRelay {
  open = true;
  readonly calls: { type: RequestType; params: unknown }[] = [];
  /** Actions actually applied (a replayed actionId is answered from memory, not applied again). */
  readonly applied: RequestParams<'messages.action'>[] = [];
  readonly #answered = new Map<string, ActionOutcome[]>();
  readonly #handlers = new Map<RequestType, (params: unknown) => unknown>();
  /** Makes the next messages.action fail with this code (once). */
  failNextAction: TidingsError | null = null;
  /** Outcome per message for applied actions; default ok with movedTo for moves. */
  outcome: (id: MessageId, action: MailAction) => ActionOutcome = (id, action) => ({
    id,
    ok: true,
    movedTo:
      action.kind === 'seen' || action.kind === 'flagged'
        ? null
        : { ...id, mailbox: action.kind === 'move' ? action.to : action.kind, uid: id.uid + 1000 },
    error: null,
  });

  on<T extends RequestType>(type: T, handler: Handler<T>): this {
    // Stored type-erased; `request` only calls it with params of the same type.
    this.#handlers.set(type, handler as (params: unknown) => unknown);
    return this;
  }

  request = async <T extends RequestType>(type: T, params: RequestParams<T>): Promise<RequestResult<T>> => {
    this.calls.push({ type, params });
    if (!this.open) throw new TidingsError('UNREACHABLE', 'not connected to the relay');
    if (type === 'messages.action') {
      const p = params as RequestParams<'messages.action'>;
      const failure = this.failNextAction;
      if (failure) {
        this.failNextAction = null;
        throw failure;
      }
      const known = this.#answered.get(p.actionId);
      if (known) return { outcomes: known } as RequestResult<T>;
      const outcomes = p.ids.map((id) => this.outcome(id, p.action));
      this.#answered.set(p.actionId, outcomes);
      this.applied.push(p);
      return { outcomes } as RequestResult<T>;
    }
    const handler = this.#handlers.get(type);
    if (!handler) throw new TidingsError('UNKNOWN_TYPE', `fake relay has no handler for ${type}`);
    return (await handler(params)) as RequestResult<T>;
  };

  /** How many times an action touching message `uid` was applied. */
  appliedTo(uid: number): number {
    return this.applied.filter((a) => a.ids.some((id) => id.uid === uid)).length;
  }
}

/** A storage.local stand-in that can be shared between two "worker lifetimes". */
export function memoryKv(): {
  data: Map<string, unknown>;
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
} {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async (key) => structuredClone(data.get(key)),
    set: async (key, value) => {
      data.set(key, structuredClone(value));
    },
  };
}
