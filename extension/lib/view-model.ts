/**
 * Pure presentation helpers shared by the popup and options components: what to call a
 * connection or account state, and how serious it looks. No Svelte, no browser APIs.
 */
import type { AccountSummary } from '../../shared/index.js';
import { errorHint, errorLabel } from './error-text.js';
import type { Snapshot } from './snapshot.js';

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

/** How the connection to the relay looks to the user. */
export function connectionView(snapshot: Snapshot | null): ConnectionView {
  if (!snapshot) return { key: 'loading', label: 'Loading…', detail: '', technical: '', tone: 'muted' };
  const { pairing, connection, relayUrl } = snapshot;
  if (pairing.status === 'unpaired' || connection.status === 'unauthorized') {
    return {
      key: 'unpaired',
      label: 'Not paired',
      detail:
        pairing.status === 'unpaired' && pairing.revoked
          ? 'The relay no longer accepts this browser (the device was revoked or the relay was reset). Pair again with a new code.'
          : 'Pair this browser with your relay to see your mail counts.',
      technical: '',
      tone: 'muted',
    };
  }
  switch (connection.status) {
    case 'open':
      return { key: 'open', label: 'Connected', detail: '', technical: '', tone: 'ok' };
    case 'incompatible':
      return {
        key: 'incompatible',
        label: 'Update needed',
        detail: 'This extension and the relay speak different protocol versions. Update the older one, then reconnect.',
        technical: connection.message,
        tone: 'warning',
      };
    case 'backoff':
      return {
        key: 'unreachable',
        label: 'Relay unreachable',
        detail: `Cannot reach the relay at ${relayUrl}. Is it running (npm start)? Retrying automatically.`,
        technical: connection.error,
        tone: 'error',
      };
    case 'connecting':
      if (connection.attempt > 0) {
        return {
          key: 'unreachable',
          label: 'Relay unreachable',
          detail: `Cannot reach the relay at ${relayUrl}. Is it running (npm start)? Trying again now…`,
          technical: '',
          tone: 'error',
        };
      }
      return { key: 'connecting', label: 'Connecting…', detail: '', technical: '', tone: 'muted' };
    case 'idle':
      return { key: 'connecting', label: 'Connecting…', detail: '', technical: '', tone: 'muted' };
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
export function accountView(account: AccountSummary): AccountView {
  const { state } = account;
  switch (state.status) {
    case 'online':
      return { label: 'Online', tone: 'ok', hint: '', technical: '' };
    case 'connecting':
      return { label: 'Connecting…', tone: 'muted', hint: '', technical: '' };
    case 'stopped':
      return { label: 'Paused', tone: 'muted', hint: 'The relay is not watching this account.', technical: '' };
    case 'error':
      return {
        label: capitalize(errorLabel(state.code)),
        tone: 'error',
        hint: errorHint(state.code),
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
