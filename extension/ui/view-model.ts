/**
 * Pure presentation helpers shared by the popup and options components: what to call a
 * connection or account state, and how serious it looks. No Svelte, no browser APIs.
 */
import type { AccountSummary } from '../../shared/index.js';
import { errorHint, errorLabel } from '../i18n/error-text.js';
import type { Translate } from '../i18n/i18n.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';

export type Tone = 'ok' | 'muted' | 'warning' | 'error';

export interface ConnectionView {
  /** Stable key for tests (`data-state`) and for choosing what the page shows. */
  key: 'loading' | 'unpaired' | 'connecting' | 'open' | 'unreachable' | 'incompatible';
  label: string;
  /** One sentence that says what is going on and what to do, or '' when all is well. */
  detail: string;
  /** The underlying error for the options page, or ''. */
  technical: string;
  tone: Tone;
}

/** How the connection to the relay looks to the user, in the browser's language (`t`). */
export function connectionView(snapshot: Snapshot | null, t: Translate): ConnectionView {
  if (!snapshot) return { key: 'loading', label: t('status_loading'), detail: '', technical: '', tone: 'muted' };
  const { pairing, connection, relayUrl } = snapshot;
  if (pairing.status === 'unpaired' || connection.status === 'unauthorized') {
    return {
      key: 'unpaired',
      label: t('status_unpaired'),
      detail:
        pairing.status === 'unpaired' && pairing.revoked
          ? t('status_unpaired_revoked_detail')
          : t('status_unpaired_detail'),
      technical: '',
      tone: 'muted',
    };
  }
  switch (connection.status) {
    case 'open':
      return { key: 'open', label: t('status_open'), detail: '', technical: '', tone: 'ok' };
    case 'incompatible':
      return {
        key: 'incompatible',
        label: t('status_incompatible'),
        detail: t('status_incompatible_detail'),
        technical: connection.message,
        tone: 'warning',
      };
    case 'backoff':
      return {
        key: 'unreachable',
        label: t('status_unreachable'),
        detail: t('status_unreachable_detail', relayUrl),
        technical: connection.error,
        tone: 'error',
      };
    case 'connecting':
      if (connection.attempt > 0) {
        return {
          key: 'unreachable',
          label: t('status_unreachable'),
          detail: t('status_unreachable_retrying_detail', relayUrl),
          technical: '',
          tone: 'error',
        };
      }
      return { key: 'connecting', label: t('status_connecting'), detail: '', technical: '', tone: 'muted' };
    case 'idle':
      return { key: 'connecting', label: t('status_connecting'), detail: '', technical: '', tone: 'muted' };
  }
}

export interface AccountView {
  label: string;
  tone: Tone;
  /** What to do about an error, or ''. */
  hint: string;
  /** The relay's own wording of the error, or ''. */
  technical: string;
}

/** How one account's IMAP connection looks to the user. */
export function accountView(account: AccountSummary, t: Translate): AccountView {
  const { state } = account;
  switch (state.status) {
    case 'online':
      return { label: t('status_account_online'), tone: 'ok', hint: '', technical: '' };
    case 'connecting':
      return { label: t('status_connecting'), tone: 'muted', hint: '', technical: '' };
    case 'stopped':
      return { label: t('status_account_paused'), tone: 'muted', hint: t('status_account_paused_hint'), technical: '' };
    case 'error':
      return {
        label: capitalize(errorLabel(state.code, t)),
        tone: 'error',
        hint: errorHint(state.code, t),
        technical: `${state.code}${state.message ? `: ${state.message}` : ''}`,
      };
  }
}

/** Formats an unread count for display (`1,234`). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
