/**
 * The options page's state beyond pairing (which stays in TidingsUi): the relay-stored settings,
 * paired devices, the add-account flow and the account editor. Relay calls go through the
 * background's generic proxy (`call`, injected), so these classes never touch `browser.*` and
 * unit tests drive them with a fake relay.
 *
 * Passwords: typed into `AccountSetup.password` / `AccountEditor.password`, sent once in
 * accounts.diagnose / accounts.add / accounts.update, and cleared as soon as the account is saved,
 * the sign-in was refused, or the form is closed. They are never written to storage.
 */
import {
  DEFAULT_USER_SETTINGS,
  Limits,
  type AccountDetails,
  type DeviceInfo,
  type Diagnosis,
  type ErrorCode,
  type MailboxInfo,
  type AccountSummary,
  type OAuthAdvice,
  type RequestParams,
  type RequestResult,
  type RequestType,
  type SecurityModeWire,
  type ServerCandidate,
  type ServerEvent,
  type ServerSettingsWire,
  type UserSettings,
} from '../../shared/index.js';
import { authHint, canTrustCertificate } from './diagnosis-view.js';
import { errorHint } from '../i18n/error-text.js';
import type { Translate } from '../i18n/i18n.js';
import { ACCOUNT_COLORS } from './account-colors.js';
import { OAuthSignIn } from './oauth-sign-in.svelte.js';
import { looksLikeEmail, providerById, providerOfHost, type ProviderId } from './providers.js';

/** How a proxied relay call ended. `code` is the relay's error code when there is one. */
export type CallResult<R> = { ok: true; result: R } | { ok: false; error: { code?: ErrorCode; message: string } };

export type RelayCall = <T extends RequestType>(
  type: T,
  params: RequestParams<T>,
) => Promise<CallResult<RequestResult<T>>>;

export interface OptionsDeps {
  call: RelayCall;
  /** Relay events forwarded by the background; returns the unsubscribe function. */
  subscribe: (listener: (event: ServerEvent) => void) => () => void;
  t: Translate;
  /** The browser's IANA time zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`). */
  timeZone: () => string;
  now: () => number;
  /** browser.identity for the Google sign-in window (issue 9); absent where unavailable. */
  identity?: {
    launchWebAuthFlow: (url: string) => Promise<string>;
    redirectUrl: () => string;
  };
}

/** An OAuthSignIn wired to the page's relay proxy and browser.identity. */
function createSignIn(d: OptionsDeps, provider: OAuthAdvice['provider']): OAuthSignIn {
  const missing = () => {
    throw new Error('browser.identity is not available here');
  };
  return new OAuthSignIn(
    {
      call: d.call,
      t: d.t,
      now: d.now,
      launchWebAuthFlow: d.identity?.launchWebAuthFlow ?? (async () => missing()),
      redirectUrl: d.identity?.redirectUrl ?? missing,
    },
    provider,
  );
}

/** A failure to show: what happened and what to do, in the user's language, plus the relay's words. */
export interface ShownError {
  code: ErrorCode | null;
  message: string;
  technical: string | null;
}

export type LoadState = 'idle' | 'loading' | 'ready' | 'error';
export type SaveState = 'idle' | 'saving' | 'saved' | 'error';

function unique<T>(values: readonly T[]): T[] {
  return values.filter((v, i) => values.indexOf(v) === i);
}

function shownError(error: { code?: ErrorCode; message: string }, t: Translate): ShownError {
  return error.code
    ? { code: error.code, message: errorHint(error.code, t), technical: `${error.code}: ${error.message}` }
    : { code: null, message: error.message, technical: null };
}

// ------------------------------------------------------------------ page

export class OptionsState {
  settings = $state<UserSettings | null>(null);
  settingsState = $state<LoadState>('idle');
  settingsError = $state<ShownError | null>(null);
  /** The last settings save, for the "Saved" / error line of the section that changed. */
  saveState = $state<SaveState>('idle');
  saveError = $state<ShownError | null>(null);
  savedSection = $state<'notifications' | 'badge' | null>(null);

  devices = $state<DeviceInfo[] | null>(null);
  devicesState = $state<LoadState>('idle');
  devicesError = $state<ShownError | null>(null);
  /** Device id waiting for the inline "Revoke?" confirmation. */
  confirmRevoke = $state<string | null>(null);
  revoking = $state<string | null>(null);

  /** The add-account flow while it is open. */
  setup = $state<AccountSetup | null>(null);
  /** The account editor while it is open. */
  editor = $state<AccountEditor | null>(null);
  /** Which account the editor is for (set before it has loaded). */
  editingId = $state<string | null>(null);
  /** One-line success message after an account was added or removed. */
  flash = $state<string | null>(null);
  /** "Sign in again" for an OAuth2 account the provider stopped accepting (REAUTH_REQUIRED). */
  reauth = $state<{ accountId: string; signIn: OAuthSignIn } | null>(null);

  readonly #d: OptionsDeps;
  #unsubscribe: (() => void) | null = null;

  constructor(deps: OptionsDeps) {
    this.#d = deps;
  }

  get deps(): OptionsDeps {
    return this.#d;
  }

  /** Starts listening for settings changed elsewhere; call once on mount. */
  open(): void {
    this.#unsubscribe ??= this.#d.subscribe((event) => {
      if (event.event === 'settings.changed') this.settings = event.payload.settings;
    });
  }

  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.setup?.clearSecrets();
    this.editor?.clearSecrets();
  }

  /** Loads settings and devices (after pairing and on every reconnect). */
  async load(): Promise<void> {
    await Promise.all([this.loadSettings(), this.loadDevices()]);
  }

  async loadSettings(): Promise<void> {
    this.settingsState = 'loading';
    const r = await this.#d.call('settings.get', {});
    if (r.ok) {
      this.settings = r.result.settings;
      this.settingsState = 'ready';
      this.settingsError = null;
    } else {
      this.settingsState = 'error';
      this.settingsError = shownError(r.error, this.#d.t);
    }
  }

  async loadDevices(): Promise<void> {
    this.devicesState = 'loading';
    const r = await this.#d.call('devices.list', {});
    if (r.ok) {
      this.devices = [...r.result.devices].sort(
        (a, b) => Number(b.current) - Number(a.current) || (b.lastSeenAt ?? 0) - (a.lastSeenAt ?? 0),
      );
      this.devicesState = 'ready';
      this.devicesError = null;
    } else {
      this.devicesState = 'error';
      this.devicesError = shownError(r.error, this.#d.t);
    }
  }

  // ---------------------------------------------------------------- settings

  /**
   * Applies `change` to the current settings and saves them on the relay (every browser of the
   * user gets them through settings.changed). Optimistic: the page shows the change at once and
   * returns to the relay's copy if saving fails.
   */
  async updateSettings(
    section: 'notifications' | 'badge',
    change: (s: UserSettings) => UserSettings,
  ): Promise<boolean> {
    const before = this.settings ?? DEFAULT_USER_SETTINGS;
    const next = change(structuredClone($state.snapshot(before)) as UserSettings);
    this.settings = next;
    this.saveState = 'saving';
    this.savedSection = section;
    this.saveError = null;
    const r = await this.#d.call('settings.set', { settings: next });
    if (r.ok) {
      this.settings = r.result.settings;
      this.saveState = 'saved';
      return true;
    }
    this.settings = before;
    this.saveState = 'error';
    this.saveError = shownError(r.error, this.#d.t);
    return false;
  }

  setNotificationsEnabled(enabled: boolean): Promise<boolean> {
    return this.updateSettings('notifications', (s) => ({ ...s, notifications: { ...s.notifications, enabled } }));
  }

  setAccountNotifications(accountId: string, on: boolean): Promise<boolean> {
    return this.updateSettings('notifications', (s) => {
      const others = s.notifications.mutedAccounts.filter((id) => id !== accountId);
      return { ...s, notifications: { ...s.notifications, mutedAccounts: on ? others : [...others, accountId] } };
    });
  }

  /**
   * Edits quiet hours. The schedule is saved in this browser's time zone, so "22:00" means 22:00
   * where the user is; the relay evaluates it there.
   */
  setQuietHours(patch: Partial<Omit<UserSettings['notifications']['quietHours'], 'timeZone'>>): Promise<boolean> {
    return this.updateSettings('notifications', (s) => ({
      ...s,
      notifications: {
        ...s.notifications,
        quietHours: {
          ...s.notifications.quietHours,
          ...patch,
          ...(patch.days ? { days: unique(patch.days).sort((a, b) => a - b) } : {}),
          timeZone: this.#d.timeZone(),
        },
      },
    }));
  }

  setBadge(patch: Partial<UserSettings['badge']>): Promise<boolean> {
    return this.updateSettings('badge', (s) => ({ ...s, badge: { ...s.badge, ...patch } }));
  }

  // ---------------------------------------------------------------- devices

  /** Revokes a device after the inline confirmation. Revoking this browser unpairs it. */
  async revokeDevice(id: string): Promise<boolean> {
    if (this.confirmRevoke !== id) {
      this.confirmRevoke = id;
      return false;
    }
    this.revoking = id;
    const current = this.devices?.find((d) => d.id === id)?.current ?? false;
    const r = await this.#d.call('devices.revoke', { id });
    this.revoking = null;
    this.confirmRevoke = null;
    if (!r.ok) {
      // After revoking this browser the socket closes (4401) and the reply may be lost with it.
      if (current) return true;
      this.devicesError = shownError(r.error, this.#d.t);
      return false;
    }
    this.devices = this.devices?.filter((d) => d.id !== id) ?? null;
    return true;
  }

  // ---------------------------------------------------------------- accounts

  startAdd(): AccountSetup {
    this.editor?.clearSecrets();
    this.editor = null;
    this.editingId = null;
    this.flash = null;
    const setup = new AccountSetup(this.#d, (account) => {
      this.flash = this.#d.t('opt_acc_added', account.name);
      this.setup = null;
    });
    this.setup = setup;
    return setup;
  }

  /** Runs the account's OAuth2 sign-in again; the relay keeps the account and replaces its token. */
  async signInAgain(account: AccountSummary): Promise<boolean> {
    if (!account.oauthProvider) return false;
    this.reauth?.signIn.cancel();
    const signIn = createSignIn(this.#d, account.oauthProvider);
    this.reauth = { accountId: account.id, signIn };
    const id = await signIn.start({ email: account.username, accountId: account.id });
    if (id === null) return false;
    if (this.reauth?.signIn === signIn) this.reauth = null;
    this.flash = this.#d.t('opt_acc_added', account.name);
    return true;
  }

  cancelAdd(): void {
    this.setup?.clearSecrets();
    this.setup = null;
  }

  async startEdit(accountId: string): Promise<AccountEditor> {
    this.setup?.clearSecrets();
    this.setup = null;
    this.editor?.clearSecrets();
    this.flash = null;
    const editor = new AccountEditor(this.#d, {
      onRemoved: (name) => {
        this.flash = this.#d.t('opt_acc_removed', name);
        this.editor = null;
        this.editingId = null;
      },
    });
    this.editor = editor;
    this.editingId = accountId;
    await editor.load(accountId);
    return editor;
  }

  closeEdit(): void {
    this.editor?.clearSecrets();
    this.editor = null;
    this.editingId = null;
  }
}

// ------------------------------------------------------------------ server form (add + edit)

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

// ------------------------------------------------------------------ add account

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
    if (this.name.trim() === '') this.name = email;
    this.step = 'server';
    this.#resetDiagnosis();
    return true;
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
      name: this.name.trim() || this.email.trim(),
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

// ------------------------------------------------------------------ edit account

export class AccountEditor {
  account = $state<AccountDetails | null>(null);
  loadState = $state<LoadState>('idle');
  loadError = $state<ShownError | null>(null);

  name = $state('');
  color = $state<string | null>(null);
  readonly server = new ServerForm();
  /** Empty = keep the stored password. */
  password = $state('');
  watched = $state<string[]>(['INBOX']);
  /** '' = the server's \Archive folder. */
  archive = $state('');

  mailboxes = $state<MailboxInfo[] | null>(null);
  mailboxesError = $state<ShownError | null>(null);

  errors = $state<FieldErrors & { watched?: string }>({});
  saveState = $state<SaveState>('idle');
  saveError = $state<ShownError | null>(null);
  /** What the relay found when it checked new connection settings. */
  diagnosis = $state<Diagnosis | null>(null);

  confirmRemove = $state(false);
  removing = $state(false);
  removeError = $state<ShownError | null>(null);

  readonly #d: OptionsDeps;
  readonly #onRemoved: (name: string) => void;

  constructor(deps: OptionsDeps, callbacks: { onRemoved: (name: string) => void }) {
    this.#d = deps;
    this.#onRemoved = callbacks.onRemoved;
  }

  async load(accountId: string): Promise<void> {
    this.loadState = 'loading';
    const r = await this.#d.call('accounts.get', { id: accountId });
    if (!r.ok) {
      this.loadState = 'error';
      this.loadError = shownError(r.error, this.#d.t);
      return;
    }
    this.#fill(r.result.account);
    this.loadState = 'ready';
    void this.loadMailboxes();
  }

  async loadMailboxes(): Promise<void> {
    const account = this.account;
    if (!account) return;
    this.mailboxesError = null;
    const r = await this.#d.call('mailboxes.list', { accountId: account.id });
    if (r.ok) this.mailboxes = r.result.mailboxes;
    else this.mailboxesError = shownError(r.error, this.#d.t);
  }

  toggleWatched(path: string, on: boolean): void {
    const others = this.watched.filter((p) => p !== path);
    this.watched = on ? [...others, path] : others;
    if (this.watched.length > 0 && this.errors.watched) this.errors = { ...this.errors, watched: undefined };
  }

  /** Saves what changed. New connection settings or a new password are checked by the relay first. */
  async save(): Promise<boolean> {
    const { t } = this.#d;
    const account = this.account;
    if (!account) return false;
    const checked = this.server.check(t);
    const errors: FieldErrors & { watched?: string } = checked.ok ? {} : { ...checked.errors };
    if (this.name.trim() === '') errors.name = t('opt_err_nameEmpty');
    if (this.watched.length === 0) errors.watched = t('opt_err_watchedEmpty');
    if (this.password.length > 4_096) errors.password = t('opt_err_passwordLong');
    this.errors = errors;
    if (!checked.ok || Object.keys(errors).length > 0) return false;
    const s = checked.settings;
    const patch: RequestParams<'accounts.update'>['patch'] = {};
    if (this.name.trim() !== account.name) patch.name = this.name.trim();
    if (this.color !== account.color) patch.color = this.color;
    if (s.host !== account.host) patch.host = s.host;
    if (s.port !== account.port) patch.port = s.port;
    if (s.security !== account.security) patch.security = s.security;
    if (s.username !== account.username) patch.username = s.username;
    if (JSON.stringify([...this.watched].sort()) !== JSON.stringify([...account.watchedMailboxes].sort()))
      patch.watchedMailboxes = [...this.watched];
    const archive = this.archive.trim() === '' ? null : this.archive.trim();
    if (archive !== account.archiveMailbox) patch.archiveMailbox = archive;
    const password = this.password === '' ? undefined : this.password;
    if (Object.keys(patch).length === 0 && password === undefined) {
      this.saveState = 'saved';
      return true;
    }
    this.saveState = 'saving';
    this.saveError = null;
    this.diagnosis = null;
    const r = await this.#d.call('accounts.update', {
      id: account.id,
      patch,
      ...(password !== undefined ? { password } : {}),
    });
    if (!r.ok) {
      this.saveState = 'error';
      this.saveError =
        r.error.code === 'AUTH_FAILED'
          ? { code: 'AUTH_FAILED', message: authHint(s.host, t), technical: r.error.message }
          : shownError(r.error, t);
      if (r.error.code === 'AUTH_FAILED') this.password = '';
      return false;
    }
    this.password = '';
    this.diagnosis = r.result.diagnosis;
    this.#fill(r.result.account);
    this.saveState = 'saved';
    return true;
  }

  /** First call asks for confirmation (inline); the second removes the account from the relay. */
  async remove(): Promise<boolean> {
    const account = this.account;
    if (!account) return false;
    if (!this.confirmRemove) {
      this.confirmRemove = true;
      return false;
    }
    this.removing = true;
    this.removeError = null;
    const r = await this.#d.call('accounts.remove', { id: account.id });
    this.removing = false;
    if (!r.ok) {
      this.removeError = shownError(r.error, this.#d.t);
      return false;
    }
    this.clearSecrets();
    this.#onRemoved(account.name);
    return true;
  }

  cancelRemove(): void {
    this.confirmRemove = false;
  }

  clearSecrets(): void {
    this.password = '';
  }

  #fill(account: AccountDetails): void {
    this.account = account;
    this.name = account.name;
    this.color = account.color;
    this.server.fill(account);
    this.server.pinnedFingerprint = account.pinnedFingerprint;
    this.server.plainConfirmed = account.security === 'plain';
    this.watched = [...account.watchedMailboxes];
    this.archive = account.archiveMailbox ?? '';
  }
}
