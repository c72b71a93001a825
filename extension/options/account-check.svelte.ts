/**
 * The account editor's connection check and certificate re-trust, as state the components render:
 *
 * - `run()`: the diagnosis checklist of the saved account with its stored secret
 *   (`accounts.diagnose {accountId}`); for an OAuth2 account it starts with the token steps.
 * - When the account's pinned certificate was replaced (health `cert_changed`, issue 13), the
 *   checklist carries the certificate the server presents now: `changedCertificate` offers it
 *   beside the old pin, and `trustNew()` asks the relay to re-pin it
 *   (`accounts.trustCertificate`), which checks that the server really presents it.
 */
import type { AccountDetails, CertificateInfo, Diagnosis } from '../../shared/index.js';
import { fingerprintKey } from './diagnosis-view.js';
import { shownError, type OptionsDeps, type ShownError } from './options-common.js';

export type CheckState =
  | { status: 'idle' }
  | { status: 'running' }
  | { status: 'done'; diagnosis: Diagnosis }
  | { status: 'error'; error: ShownError };

export class AccountCheck {
  state = $state<CheckState>({ status: 'idle' });
  /** The user ticked "I compared the fingerprint". */
  confirmed = $state(false);
  trusting = $state(false);
  trustError = $state<ShownError | null>(null);
  /** Set after a successful re-trust: the account as the relay saved it. */
  trusted = $state(false);

  readonly #d: OptionsDeps;
  readonly #onSaved: (account: AccountDetails) => void;

  constructor(deps: OptionsDeps, callbacks: { onSaved: (account: AccountDetails) => void }) {
    this.#d = deps;
    this.#onSaved = callbacks.onSaved;
  }

  get diagnosis(): Diagnosis | null {
    return this.state.status === 'done' ? this.state.diagnosis : null;
  }

  async run(account: AccountDetails): Promise<void> {
    this.state = { status: 'running' };
    this.confirmed = false;
    this.trustError = null;
    this.trusted = false;
    const r = await this.#d.call('accounts.diagnose', { accountId: account.id });
    this.state = r.ok
      ? { status: 'done', diagnosis: r.result }
      : { status: 'error', error: shownError(r.error, this.#d.t) };
  }

  /**
   * The certificate to offer instead of the pinned one: the server presents another certificate
   * than the pin, within its validity. An expired one is not offered (its owner must renew it).
   */
  changedCertificate(account: AccountDetails, now: number): CertificateInfo | null {
    const d = this.diagnosis;
    const cert = d?.certificate;
    if (!d || !cert || !account.pinnedFingerprint || cert.trusted) return null;
    if (d.error?.code !== 'TLS_FAILED') return null;
    if (fingerprintKey(cert.fingerprint256) === fingerprintKey(account.pinnedFingerprint)) return null;
    if (now > cert.validTo || now < cert.validFrom) return null;
    return cert;
  }

  /** Re-pins the certificate the check found; the relay verifies the server presents it now. */
  async trustNew(account: AccountDetails, certificate: CertificateInfo): Promise<boolean> {
    if (!this.confirmed || this.trusting) return false;
    this.trusting = true;
    this.trustError = null;
    const r = await this.#d.call('accounts.trustCertificate', {
      id: account.id,
      fingerprint: certificate.fingerprint256,
    });
    this.trusting = false;
    if (!r.ok) {
      this.trustError = shownError(r.error, this.#d.t);
      return false;
    }
    this.state = { status: 'done', diagnosis: r.result.diagnosis };
    this.confirmed = false;
    this.trusted = true;
    this.#onSaved(r.result.account);
    return true;
  }
}
