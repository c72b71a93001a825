/**
 * Editing one account: name, colour, server, password, watched folders, archive folder, removal. A
 * new password is sent once in accounts.update and then cleared. An OAuth2 account (issue 9) has
 * no password and a fixed server: it offers "Sign in again" instead. `check` runs the saved
 * account's checklist and re-trusts a changed certificate (account-check.svelte.ts).
 */
import type { AccountDetails, Diagnosis, MailboxInfo, RequestParams } from '../../shared/index.js';
import { AccountCheck } from './account-check.svelte.js';
import { authHint } from './diagnosis-view.js';
import type { OAuthSignIn } from './oauth-sign-in.svelte.js';
import {
  createSignIn,
  shownError,
  type LoadState,
  type OptionsDeps,
  type SaveState,
  type ShownError,
} from './options-common.js';
import { ServerForm, type FieldErrors } from './server-form.svelte.js';

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

  /** "Sign in again" of an OAuth2 account, while it runs and after. */
  signIn = $state<OAuthSignIn | null>(null);
  signedInAgain = $state(false);
  readonly check: AccountCheck;

  readonly #d: OptionsDeps;
  readonly #onRemoved: (name: string) => void;

  constructor(deps: OptionsDeps, callbacks: { onRemoved: (name: string) => void }) {
    this.#d = deps;
    this.#onRemoved = callbacks.onRemoved;
    this.check = new AccountCheck(deps, { onSaved: (account) => this.#fill(account) });
  }

  /** The account signs in with a provider (no password, server fixed). */
  get oauthProvider(): AccountDetails['oauthProvider'] {
    return this.account?.oauthProvider ?? null;
  }

  /** Runs the provider's sign-in again for this account (new refresh token, same account). */
  async signInAgain(): Promise<boolean> {
    const account = this.account;
    const provider = this.oauthProvider;
    if (!account || !provider || this.signIn?.busy) return false;
    this.signedInAgain = false;
    const signIn = createSignIn(this.#d, provider);
    this.signIn = signIn;
    const accountId = await signIn.start({ email: account.username, accountId: account.id });
    this.signedInAgain = accountId !== null;
    return this.signedInAgain;
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
    // An OAuth2 account's server and sign-in do not change here (the relay refuses it).
    const fixed = this.oauthProvider !== null;
    if (this.name.trim() !== account.name) patch.name = this.name.trim();
    if (this.color !== account.color) patch.color = this.color;
    if (!fixed && s.host !== account.host) patch.host = s.host;
    if (!fixed && s.port !== account.port) patch.port = s.port;
    if (!fixed && s.security !== account.security) patch.security = s.security;
    if (!fixed && s.username !== account.username) patch.username = s.username;
    if (JSON.stringify([...this.watched].sort()) !== JSON.stringify([...account.watchedMailboxes].sort()))
      patch.watchedMailboxes = [...this.watched];
    const archive = this.archive.trim() === '' ? null : this.archive.trim();
    if (archive !== account.archiveMailbox) patch.archiveMailbox = archive;
    const password = this.password === '' || fixed ? undefined : this.password;
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
    this.signIn?.cancel();
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
