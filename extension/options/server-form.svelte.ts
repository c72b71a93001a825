/**
 * The server part of the account forms: host, port, security, username and the plain-IMAP opt-in,
 * shared by AccountSetup and AccountEditor.
 */
import type { SecurityModeWire, ServerSettingsWire } from '../../shared/index.js';
import type { Translate } from '../i18n/i18n.js';

export type FieldErrors = Partial<
  Record<'email' | 'name' | 'host' | 'port' | 'username' | 'password' | 'plain', string>
>;

/** Host, port, security and username, with the plain-IMAP opt-in; shared by setup and editor. */
export class ServerForm {
  host = $state('');
  port = $state('993');
  security = $state<SecurityModeWire>('tls');
  username = $state('');
  /** The user ticked "I understand my password and mail cross the network unencrypted". */
  plainConfirmed = $state(false);
  pinnedFingerprint = $state<string | null>(null);

  /** Fills the fields from a discovered candidate or a preset. */
  fill(server: { host: string; port: number; security: SecurityModeWire; username?: string }): void {
    this.host = server.host;
    this.port = String(server.port);
    this.security = server.security;
    if (server.username !== undefined) this.username = server.username;
    this.plainConfirmed = false;
    this.pinnedFingerprint = null;
  }

  /** Changing the security mode picks its usual port when the port was the other mode's usual one. */
  setSecurity(security: SecurityModeWire): void {
    if (security === 'tls' && this.port === '143') this.port = '993';
    if (security !== 'tls' && this.port === '993') this.port = '143';
    this.security = security;
    if (security !== 'plain') this.plainConfirmed = false;
  }

  /** The settings to send, or the field problems in the user's language. */
  check(t: Translate): { ok: true; settings: ServerSettingsWire } | { ok: false; errors: FieldErrors } {
    const errors: FieldErrors = {};
    const host = this.host.trim();
    if (host === '') errors.host = t('opt_err_hostEmpty');
    else if (!/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(host) || host.length > 253)
      errors.host = t('opt_err_hostInvalid');
    const port = Number(this.port.trim());
    if (!/^\d+$/.test(this.port.trim()) || port < 1 || port > 65_535) errors.port = t('opt_err_port');
    const username = this.username.trim();
    if (username === '') errors.username = t('opt_err_usernameEmpty');
    if (this.security === 'plain' && !this.plainConfirmed) errors.plain = t('opt_err_plainConfirm');
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    return {
      ok: true,
      settings: { host, port, security: this.security, username, pinnedFingerprint: this.pinnedFingerprint },
    };
  }
}
