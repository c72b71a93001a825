/**
 * The popup's view: one immutable object that the popup's parts (list-controller.ts,
 * message-controller.ts, action-controller.ts, …) replace through a `PopupStore`, and that
 * popup-state.svelte.ts keeps in `$state.raw`.
 *
 * Every screen is a discriminated union: a state has a `status` (or `kind`) field and only the
 * fields that hold in that status, so "loading with an error" or "a message screen without a
 * message" cannot be written down.
 */
import type { ListScope, MailboxInfo, MessageId, MessageRow, SearchQuery, UserSettings } from '../../shared/index.js';
import type { MessageDetail } from '../ui-protocol/data-messages.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';
import type { CountChange } from './unread-ledger.js';

/** Something loaded from the background or the relay. `error` is a sentence for the user. */
export type Load<T> = { status: 'loading' } | { status: 'ready'; data: T } | { status: 'error'; error: string };

export type { MessageDetail };

/** The rows a list shows, whatever the state of its last load. */
export interface ListContent {
  scope: ListScope;
  /** The active search, or null for the plain list. */
  search: SearchQuery | null;
  rows: readonly MessageRow[];
  nextCursor: string | null;
  total: number;
  /** Rows come from the background's cache and were not confirmed by the relay yet. */
  fromCache: boolean;
}

/**
 * The list's last load. `loading` and `error` may still show rows: cached ones while fresh ones
 * load, or the previous ones when a refresh failed. Only a `ready` list pages (`loadingMore`).
 * A `loading` list with `nothingCached` waits for the relay alone: the background had no rows.
 */
export type ListStatus =
  | { status: 'loading'; nothingCached?: true }
  | { status: 'ready'; loadingMore: boolean }
  | { status: 'error'; error: string };

export type ListView = ListContent & ListStatus;

/** The open message: its id, its list row once known, and its body as it loads. */
export type MessageState = {
  id: MessageId;
  /** Null while a message opened by id (a notification click) has not loaded yet. */
  row: MessageRow | null;
  /** The user chose "show images" for this message once. */
  remoteOnce: boolean;
} & Load<MessageDetail>;

/** Which screen is up; the message screen carries its message. */
export type Screen = { kind: 'list' } | { kind: 'message'; message: MessageState };

/** Folders of one account, loaded on demand. */
export type MailboxesState = Load<readonly MailboxInfo[]>;

export interface Toast {
  id: number;
  tone: 'info' | 'error';
  text: string;
  /** Action ids an Undo press reverts, or null when there is nothing to undo. */
  undo: readonly string[] | null;
}

export type Dialog = { kind: 'help' } | { kind: 'move'; accountId: string };

export interface PopupView {
  list: ListView;
  /** Key (messageKey) of the row with the keyboard focus. */
  activeKey: string | null;
  /** Keys of rows selected for bulk actions (x). */
  selected: ReadonlySet<string>;
  screen: Screen;
  /** Folders per account id, loaded on demand. */
  mailboxes: Readonly<Record<string, MailboxesState>>;
  toast: Toast | null;
  dialog: Dialog | null;
  settings: UserSettings | null;
  /** Actions waiting in the background's outbox for the relay. */
  pending: number;
  /** Bumped when the search box should take focus (`/`). */
  focusSearch: number;
  /** Unread count changes made by actions that the relay's counts do not show yet (unread-ledger.ts). */
  counts: readonly CountChange[];
}

export const EMPTY_SET: ReadonlySet<string> = new Set();

export const LIST_SCREEN: Screen = { kind: 'list' };

/** The open message, or null on the list screen. */
export function openMessageOf(view: PopupView): MessageState | null {
  return view.screen.kind === 'message' ? view.screen.message : null;
}

/**
 * The list the popup shows first, unless a notification asked for another (open-target.ts). The
 * popup's early script asks for its cached rows before the page's modules load (popup-early.ts).
 */
export const FIRST_LIST_SCOPE: ListScope = Object.freeze({ kind: 'unified' });

/** The view before anything loaded: the unified inbox, loading. */
export function initialView(): PopupView {
  return {
    list: loadingList(FIRST_LIST_SCOPE, null),
    activeKey: null,
    selected: EMPTY_SET,
    screen: LIST_SCREEN,
    mailboxes: {},
    toast: null,
    dialog: null,
    settings: null,
    pending: 0,
    focusSearch: 0,
    counts: [],
  };
}

/** A list that has nothing to show yet. */
export function loadingList(scope: ListScope, search: SearchQuery | null): ListView {
  return { scope, search, rows: [], nextCursor: null, total: 0, fromCache: false, status: 'loading' };
}

/** The list's content with another status: each status carries only its own fields. */
export function withStatus(list: ListView, status: ListStatus): ListView {
  const { scope, search, rows, nextCursor, total, fromCache } = list;
  return { scope, search, rows, nextCursor, total, fromCache, ...status };
}

/**
 * True once the popup's first screen has what it shows: the background's snapshot, and (when
 * paired) the list's rows or its final state, or the opened message's body or its error. The
 * entry waits for this, within a bound, before it mounts the page (popup-state.svelte.ts).
 * With nothing cached, the list's skeleton is what it shows until the relay answers: the page
 * is built then, while the relay works, not when the bound runs out, which can be just as the
 * rows arrive (a worker and a relay that have just started; issue 10).
 */
export function firstScreenReady(snapshot: Snapshot | null, view: PopupView): boolean {
  if (!snapshot) return false;
  if (snapshot.pairing.status !== 'paired') return true;
  if (view.screen.kind === 'message') return view.screen.message.status !== 'loading';
  const list = view.list;
  return list.status !== 'loading' || list.rows.length > 0 || list.nothingCached === true;
}
