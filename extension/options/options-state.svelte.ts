/**
 * The options page's state beyond pairing (which stays in TidingsUi): the relay-stored settings,
 * paired devices, and which account form is open (account-setup.svelte.ts adds one,
 * account-editor.svelte.ts edits one). Relay calls go through the background's generic proxy
 * (`call`, injected), so these classes never touch `browser.*` and unit tests drive them with a
 * fake relay.
 *
 * Passwords: typed into `AccountSetup.password` / `AccountEditor.password`, sent once in
 * accounts.diagnose / accounts.add / accounts.update, and cleared as soon as the account is saved,
 * the sign-in was refused, or the form is closed. They are never written to storage.
 */
import { DEFAULT_USER_SETTINGS, type AccountSummary, type DeviceInfo, type UserSettings } from '../../shared/index.js';
import type { OAuthSignIn } from './oauth-sign-in.svelte.js';
import {
  shownError,
  unique,
  type LoadState,
  type OptionsDeps,
  type SaveState,
  type ShownError,
} from './options-common.js';
import { createSignIn } from './options-common.js';
import { AccountSetup } from './account-setup.svelte.js';
import { AccountEditor } from './account-editor.svelte.js';
import { OAuthClients } from './oauth-clients.svelte.js';

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

  /** "Sign-in apps": the user's own OAuth2 client ids on the relay (issue 9). */
  readonly oauthClients: OAuthClients;

  readonly #d: OptionsDeps;
  #unsubscribe: (() => void) | null = null;

  constructor(deps: OptionsDeps) {
    this.#d = deps;
    this.oauthClients = new OAuthClients(deps);
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
