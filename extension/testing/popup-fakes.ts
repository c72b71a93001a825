/**
 * The background as the popup sees it, for the popup's unit tests: a channel with scripted relay
 * answers, a cache and pushes, and a `PopupController` built on it with a manual clock.
 * Not shipped: nothing under entrypoints/ imports this folder.
 */
import {
  DEFAULT_USER_SETTINGS,
  messageKey,
  TidingsError,
  type ActionOutcome,
  type ErrorCode,
  type MailAction,
  type MessageId,
  type MessageRow,
  type RequestParams,
  type RequestResult,
  type RequestType,
} from '../../shared/index.js';
import type { ActionResult, DataRequest } from '../ui-protocol/data-messages.js';
import type { DataPushMessage, UiReply } from '../ui-protocol/messages.js';
import { PopupController, type PopupChannel, type PopupView } from '../popup/popup-controller.js';
import { openMessageOf } from '../popup/popup-view.js';
import { FakeClock } from './fakes.js';
import { rows } from './mail-fakes.js';
import type { DataRequestBody, RelayReply } from '../ui/ui-state.svelte.js';

type Answer = ActionResult | 'hold';

/** The background as the popup sees it: scripted relay answers, a cache, and pushes. */
export class FakeChannel implements PopupChannel {
  cache = new Map<string, unknown>();
  bodies = new Map<string, unknown>();
  relayCalls: { type: RequestType; params: unknown }[] = [];
  sent: DataRequestBody[] = [];
  /** Per request type: a function returning the result, or throwing a TidingsError. */
  handlers = new Map<RequestType, (params: unknown) => unknown>();
  /** How the next actions are answered (FIFO); default done with movedTo for moves. */
  actionAnswers: Answer[] = [];
  held: { resolve: (reply: UiReply) => void; params: unknown }[] = [];
  /** The background's answer to a download (mail-service.ts #download). */
  downloadReply: UiReply = { ok: true, result: { filename: 'file.bin', changed: false } };
  #listeners = new Set<(push: DataPushMessage) => void>();

  /** Answers `type` with `fn`'s result; a promise holds the answer until it settles. */
  on<T extends RequestType>(
    type: T,
    fn: (params: RequestParams<T>) => RequestResult<T> | Promise<RequestResult<T>>,
  ): this {
    this.handlers.set(type, fn as (params: unknown) => unknown);
    return this;
  }

  async relay<T extends RequestType>(type: T, params: RequestParams<T>): Promise<RelayReply<RequestResult<T>>> {
    this.relayCalls.push({ type, params });
    await Promise.resolve();
    const fn = this.handlers.get(type);
    if (!fn) return { ok: false, error: { code: 'UNREACHABLE', message: 'not connected to the relay' } };
    try {
      return { ok: true, value: (await fn(params)) as RequestResult<T> };
    } catch (error) {
      const e = error instanceof TidingsError ? error : new TidingsError('INTERNAL', String(error));
      return { ok: false, error: { code: e.code, message: e.message } };
    }
  }

  async send(body: DataRequestBody): Promise<UiReply> {
    this.sent.push(body);
    await Promise.resolve();
    switch (body.type) {
      case 'cache.list':
        return { ok: true, result: this.cache.get(JSON.stringify(body.scope)) ?? null };
      case 'message.open': {
        const cached = this.bodies.get(messageKey(body.messageId));
        if (cached) return { ok: true, result: cached };
        const reply = await this.relay('message.get', { id: body.messageId });
        return reply.ok ? { ok: true, result: reply.value } : reply;
      }
      case 'action': {
        const answer = this.actionAnswers.shift() ?? done(body.params.ids, body.params.action);
        if (answer === 'hold') return await new Promise((resolve) => this.held.push({ resolve, params: body.params }));
        return { ok: true, result: answer };
      }
      case 'download':
        return this.downloadReply;
      default:
        return { ok: true, result: null };
    }
  }

  onPush(listener: (push: DataPushMessage) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  push(push: DataPushMessage): void {
    for (const l of this.#listeners) l(push);
  }

  actions(): Extract<DataRequest, { type: 'action' }>['params'][] {
    return this.sent.flatMap((b) => (b.type === 'action' ? [b.params] : []));
  }
}

export function outcome(id: MessageId, action: MailAction, ok = true, code: ErrorCode = 'NOT_FOUND'): ActionOutcome {
  const moved =
    action.kind === 'seen' || action.kind === 'flagged' ? null : action.kind === 'move' ? action.to : 'Archive';
  return {
    id,
    ok,
    movedTo: ok && moved ? { ...id, mailbox: moved, uid: id.uid + 1000 } : null,
    error: ok ? null : { code, message: 'gone' },
  };
}

export function done(ids: MessageId[], action: MailAction): ActionResult {
  return { status: 'done', outcomes: ids.map((id) => outcome(id, action)) };
}

export const tick = async (n = 6) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};

export function setup(
  options: {
    listRows?: MessageRow[];
    cached?: MessageRow[];
    pages?: boolean;
    /** PopupDeps.afterPaint; default at once. */
    afterPaint?: () => Promise<void>;
  } = {},
) {
  const channel = new FakeChannel();
  const clock = new FakeClock();
  let n = 0;
  const views: PopupView[] = [];
  const listRows = options.listRows ?? rows(1, 5);
  channel.on('messages.list', (p) => {
    if (!options.pages) return { rows: listRows, nextCursor: null, total: listRows.length };
    const start = p.cursor === null ? 0 : Number(p.cursor);
    const page = listRows.slice(start, start + 50);
    const next = start + 50 < listRows.length ? String(start + 50) : null;
    return { rows: page, nextCursor: next, total: listRows.length };
  });
  channel.on('settings.get', () => ({ settings: DEFAULT_USER_SETTINGS }));
  if (options.cached) {
    channel.cache.set(JSON.stringify({ kind: 'unified' }), {
      scope: { kind: 'unified' },
      rows: options.cached,
      total: options.cached.length,
      at: 1,
    });
  }
  const popup = new PopupController({
    channel,
    t: (key, subs) => (subs === undefined ? key : `${key}(${[subs].flat().join('|')})`),
    now: clock.now,
    newId: () => `action-${String(++n).padStart(4, '0')}`,
    setTimer: clock.setTimer,
    onChange: (v) => views.push(v),
    afterPaint: options.afterPaint,
  });
  const uids = () => popup.view.list.rows.map((r) => r.id.uid);
  return { channel, clock, popup, views, uids };
}

export async function started(options: Parameters<typeof setup>[0] = {}) {
  const s = setup(options);
  s.popup.start();
  await tick();
  return s;
}

/** The subject of the open message once it has loaded, or undefined. */
export function openSubject(view: PopupView): string | undefined {
  const m = openMessageOf(view);
  return m?.status === 'ready' ? m.data.subject : undefined;
}
