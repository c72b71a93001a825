/**
 * Adding an account, step by step. Its password is sent once (accounts.diagnose / accounts.add)
 * and cleared when the account is saved, the sign-in is refused or the form is closed.
 */
import {
  Limits,
  type AccountDetails,
  type Diagnosis,
  type OAuthAdvice,
  type ServerCandidate,
  type ServerSettingsWire,
} from '../../shared/index.js';
import { authHint, canTrustCertificate } from './diagnosis-view.js';
import { looksLikeEmail, providerById, providerOfHost, type ProviderId } from './providers.js';
import { ACCOUNT_COLORS } from './account-colors.js';
import { createSignIn, shownError, type OptionsDeps, type ShownError } from './options-common.js';
import type { OAuthSignIn } from './oauth-sign-in.svelte.js';
import { ServerForm, type FieldErrors } from './server-form.svelte.js';

export type SetupStep = 'provider' | 'address' | 'server';

/**
 * The add-account flow: provider → address (discovery) → server settings + password →
 * diagnosis checklist → (trust a self-signed certificate) → save.
 */
export class AccountSetup {
  step = $state<SetupStep>('provider');
  provider = $state<ProviderId | null>(null);
  email = $state('');
  name = $state('');
  color = $state<string | null>(ACCOUNT_COLORS[0] ?? null);
  readonly server = new ServerForm();
  password = $state('');

  discovering = $state(false);
  candidates = $state<ServerCandidate[]>([]);
  /** Where the server settings came from, for the "Found via …" line; null when typed by hand. */
  source = $state<ServerCandidate['source'] | null>(null);
  discoverError = $state<ShownError | null>(null);
  /** The relay's word on OAuth2 for this address (Microsoft: required; Gmail: recommended). */
  oauth = $state<OAuthAdvice | null>(null);
  /** The OAuth2 sign-in while it runs. */
  signIn = $state<OAuthSignIn | null>(null);

  errors = $state<FieldErrors>({});
  diagnosing = $state(false);
  diagnosis = $state<Diagnosis | null>(null);
  /** The settings the diagnosis ran with: Save is allowed only for exactly those. */
  diagnosedFor = $state<string | null>(null);
  diagnoseError = $state<ShownError | null>(null);
  /** The user ticked "I compared the fingerprint" in the trust step. */
  trustConfirmed = $state(false);

  saving = $state(false);
  saveError = $state<ShownError | null>(null);

  readonly #d: OptionsDeps;
  readonly #onSaved: (account: AccountDetails) => void;

  constructor(deps: OptionsDeps, onSaved: (account: AccountDetails) => void) {
    this.#d = deps;
    this.#onSaved = onSaved;
  }

  chooseProvider(id: ProviderId): void {
    this.provider = id;
    this.step = 'address';
    this.errors = {};
  }

  back(): void {
    if (this.step === 'server') {
      this.step = 'address';
      this.#resetDiagnosis();
    } else if (this.step === 'address') this.step = 'provider';
  }

  /** Checks the address, asks the relay for server settings, and moves on to the server step. */
  async submitAddress(): Promise<boolean> {
    const { t } = this.#d;
    const email = this.email.trim();
    this.errors = {};
    if (!looksLikeEmail(email)) {
      this.errors = { email: t('opt_err_email') };
      return false;
    }
    if (this.name.trim().length > Limits.maxNameLength) {
      this.errors = { name: t('opt_err_nameLong', String(Limits.maxNameLength)) };
      return false;
    }
    this.discovering = true;
    this.discoverError = null;
    const r = await this.#d.call('accounts.discover', { email });
    this.discovering = false;
    const preset = this.provider ? providerById(this.provider).server : null;
    const candidates = r.ok ? r.result.candidates : [];
    if (!r.ok) this.discoverError = shownError(r.error, t);
    this.oauth = r.ok ? r.result.oauth : null;
    this.candidates = candidates;
    const best = candidates[0];
    if (best) {
      this.server.fill(best);
      this.source = best.source;
    } else if (preset) {
      // A custom domain at a big provider (Google Workspace, Microsoft 365): the preset still applies.
      this.server.fill({ ...preset, username: email });
      this.source = 'preset';
    } else {
      this.server.fill({ host: '', port: 993, security: 'tls', username: email });
      this.source = null;
    }
    this.step = 'server';
    this.#resetDiagnosis();
    return true;
  }

  /**
   * The account's name when the user typed none: the final address, i.e. the username when it is
   * an address (the user may have corrected it on the server step), else the address typed first.
   */
  get defaultName(): string {
    const username = this.server.username.trim();
    return username.includes('@') ? username : this.email.trim();
  }

  useCandidate(candidate: ServerCandidate): void {
    this.server.fill(candidate);
    this.source = candidate.source;
    this.#resetDiagnosis();
  }

  /** The settings or password changed after a diagnosis: it no longer speaks for them. */
  edited(): void {
    if (this.diagnosedFor !== null && this.diagnosedFor !== this.#key()) {
      this.diagnosis = null;
      this.diagnosedFor = null;
      this.trustConfirmed = false;
    }
    this.saveError = null;
  }

  /** Runs the diagnosis checklist (nothing is saved). */
  async test(): Promise<boolean> {
    const { t } = this.#d;
    const checked = this.#check();
    if (!checked) return false;
    this.diagnosing = true;
    this.diagnoseError = null;
    this.saveError = null;
    const r = await this.#d.call('accounts.diagnose', { settings: checked, password: this.password });
    this.diagnosing = false;
    if (!r.ok) {
      this.diagnosis = null;
      this.diagnosedFor = null;
      this.diagnoseError = shownError(r.error, t);
      return false;
    }
    this.diagnosis = r.result;
    this.diagnosedFor = this.#key();
    this.trustConfirmed = false;
    if (!r.result.ok && r.result.steps.some((s) => s.id === 'auth' && s.status === 'fail')) {
      // A refused password is useless: ask for it again rather than keep it around.
      this.password = '';
      this.errors = { ...this.errors, password: t('opt_err_passwordRefused') };
      this.diagnosedFor = null;
    }
    return r.result.ok;
  }

  /** True when the diagnosis failed only on a certificate the user may choose to trust. */
  get canTrust(): boolean {
    const checked = this.diagnosis ? this.server.check(this.#d.t) : null;
    return (
      this.diagnosis !== null &&
      checked !== null &&
      checked.ok &&
      canTrustCertificate(this.diagnosis, checked.settings, this.#d.now())
    );
  }

  /** Pins the certificate the diagnosis saw (after the user confirmed) and diagnoses again with it. */
  async trustCertificate(): Promise<boolean> {
    const cert = this.diagnosis?.certificate;
    if (!cert || !this.trustConfirmed || !this.canTrust) return false;
    this.server.pinnedFingerprint = cert.fingerprint256;
    return await this.test();
  }

  /** Saving is allowed once the diagnosis passed for exactly the current settings and password. */
  get canSave(): boolean {
    return this.diagnosis?.ok === true && this.diagnosedFor === this.#key() && !this.saving;
  }

  /** Saves the account on the relay (which diagnoses once more); clears the password on success. */
  async save(): Promise<boolean> {
    const { t } = this.#d;
    const settings = this.#check();
    if (!settings || !this.canSave) return false;
    this.saving = true;
    this.saveError = null;
    const r = await this.#d.call('accounts.add', {
      settings,
      password: this.password,
      name: this.name.trim() || this.defaultName,
      color: this.color,
      watchedMailboxes: ['INBOX'],
    });
    this.saving = false;
    if (!r.ok) {
      this.saveError =
        r.error.code === 'AUTH_FAILED'
          ? { code: 'AUTH_FAILED', message: authHint(settings.host, t), technical: r.error.message }
          : shownError(r.error, t);
      if (r.error.code === 'AUTH_FAILED') this.password = '';
      return false;
    }
    this.clearSecrets();
    this.#onSaved(r.result.account);
    return true;
  }

  clearSecrets(): void {
    this.password = '';
    this.signIn?.cancel();
  }

  /** Signs the address in with its provider (OAuth2) instead of a password; saves on success. */
  async signInWithOAuth(): Promise<boolean> {
    const advice = this.oauth;
    if (!advice) return false;
    this.signIn?.cancel();
    const signIn = createSignIn(this.#d, advice.provider);
    this.signIn = signIn;
    const name = this.name.trim();
    // The server step's fields (the provider's server, unless the user changed it).
    const checked = this.server.check(this.#d.t);
    const server =
      checked.ok && checked.settings.security !== 'plain'
        ? {
            host: checked.settings.host,
            port: checked.settings.port,
            security: checked.settings.security,
            pinnedFingerprint: checked.settings.pinnedFingerprint,
          }
        : undefined;
    const id = await signIn.start({
      email: this.email.trim(),
      ...(name ? { name } : {}),
      ...(server ? { server } : {}),
    });
    if (id === null) return false;
    const r = await this.#d.call('accounts.get', { id });
    if (!r.ok) {
      this.saveError = shownError(r.error, this.#d.t);
      return false;
    }
    this.clearSecrets();
    this.#onSaved(r.result.account);
    return true;
  }

  /** The app-password page of the chosen (or detected) provider, for the password field's help. */
  get appPasswordUrl(): string | null {
    const id = this.server.host ? providerOfHost(this.server.host) : (this.provider ?? 'custom');
    return providerById(id).appPasswordUrl;
  }

  #check(): ServerSettingsWire | null {
    const { t } = this.#d;
    const checked = this.server.check(t);
    const errors: FieldErrors = checked.ok ? {} : { ...checked.errors };
    if (this.password === '') errors.password = t('opt_err_passwordEmpty');
    else if (this.password.length > 4_096) errors.password = t('opt_err_passwordLong');
    this.errors = errors;
    return checked.ok && Object.keys(errors).length === 0 ? checked.settings : null;
  }

  #key(): string {
    const s = this.server;
    // The password is part of the key so a changed password needs a new test; it never leaves memory.
    return JSON.stringify([
      s.host.trim(),
      s.port.trim(),
      s.security,
      s.username.trim(),
      s.pinnedFingerprint,
      this.password,
    ]);
  }

  #resetDiagnosis(): void {
    this.diagnosis = null;
    this.diagnosedFor = null;
    this.diagnoseError = null;
    this.saveError = null;
    this.trustConfirmed = false;
  }
}
