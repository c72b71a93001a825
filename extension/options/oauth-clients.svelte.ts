/**
 * The options page's "Sign-in apps" (issue 9): the user's own OAuth2 client registrations on the
 * relay, one per provider of the shared table. The relay answers whether a secret is stored,
 * never the secret; a secret typed here is sent once (`oauth.config.set`) and then cleared.
 */
import {
  OAUTH_PROVIDER_IDS,
  OAUTH_PROVIDERS,
  type OAuthClientStatus,
  type OAuthProviderId,
} from '../../shared/index.js';
import { shownError, type OptionsDeps, type SaveState, type ShownError } from './options-common.js';

export type ClientReadiness = 'ready' | 'needsSecret' | 'notSet';

export interface ClientForm {
  clientId: string;
  /** Empty = keep the stored secret. */
  clientSecret: string;
  tenant: string;
}

const TENANT = /^[A-Za-z0-9.-]{1,100}$/;

export class OAuthClients {
  statuses = $state<OAuthClientStatus[] | null>(null);
  loadError = $state<ShownError | null>(null);
  /** The provider whose form is open. */
  editing = $state<OAuthProviderId | null>(null);
  form = $state<ClientForm>({ clientId: '', clientSecret: '', tenant: '' });
  errors = $state<Partial<Record<keyof ClientForm, string>>>({});
  saveState = $state<SaveState>('idle');
  saveError = $state<ShownError | null>(null);
  /** The provider whose removal waits for confirmation. */
  confirmRemove = $state<OAuthProviderId | null>(null);
  removing = $state(false);

  readonly #d: OptionsDeps;

  constructor(deps: OptionsDeps) {
    this.#d = deps;
  }

  async load(): Promise<void> {
    this.loadError = null;
    const r = await this.#d.call('oauth.config.get', {});
    if (!r.ok) {
      this.loadError = shownError(r.error, this.#d.t);
      return;
    }
    // In the table's order; a provider the relay does not know yet shows as not set up.
    this.statuses = OAUTH_PROVIDER_IDS.map(
      (id) => r.result.providers.find((p) => p.provider === id) ?? emptyStatus(id),
    );
  }

  status(provider: OAuthProviderId): OAuthClientStatus {
    return this.statuses?.find((s) => s.provider === provider) ?? emptyStatus(provider);
  }

  readiness(provider: OAuthProviderId): ClientReadiness {
    const s = this.status(provider);
    if (s.ready) return 'ready';
    return s.clientId === null ? 'notSet' : 'needsSecret';
  }

  /** https://<extension-id>.chromiumapp.org/ (what to register with Google), or null outside the extension. */
  redirectUrl(): string | null {
    try {
      return this.#d.identity?.redirectUrl() ?? null;
    } catch {
      return null;
    }
  }

  edit(provider: OAuthProviderId): void {
    const s = this.status(provider);
    this.editing = provider;
    this.form = { clientId: s.clientId ?? '', clientSecret: '', tenant: s.tenant ?? '' };
    this.errors = {};
    this.saveError = null;
    this.saveState = 'idle';
    this.confirmRemove = null;
  }

  cancel(): void {
    this.editing = null;
    this.form = { clientId: '', clientSecret: '', tenant: '' };
    this.errors = {};
  }

  async save(): Promise<boolean> {
    const provider = this.editing;
    if (!provider) return false;
    const { t } = this.#d;
    const info = OAUTH_PROVIDERS[provider];
    const clientId = this.form.clientId.trim();
    const secret = this.form.clientSecret.trim();
    const tenant = this.form.tenant.trim();
    const errors: Partial<Record<keyof ClientForm, string>> = {};
    if (clientId === '') errors.clientId = t('opt_clients_err_clientId');
    if (info.clientSecret === 'required' && secret === '' && !this.status(provider).hasSecret)
      errors.clientSecret = t('opt_clients_err_secret');
    if (info.defaultTenant !== null && tenant !== '' && !TENANT.test(tenant))
      errors.tenant = t('opt_clients_err_tenant');
    this.errors = errors;
    if (Object.keys(errors).length > 0) return false;
    this.saveState = 'saving';
    this.saveError = null;
    const r = await this.#d.call('oauth.config.set', {
      provider,
      clientId,
      ...(info.clientSecret === 'required' && secret !== '' ? { clientSecret: secret } : {}),
      ...(info.defaultTenant !== null ? { tenant: tenant === '' ? null : tenant } : {}),
    });
    this.form.clientSecret = '';
    if (!r.ok) {
      this.saveState = 'error';
      this.saveError = shownError(r.error, t);
      return false;
    }
    this.#put(r.result.provider);
    this.saveState = 'saved';
    this.editing = null;
    return true;
  }

  /** First call asks for confirmation; the second removes the registration on the relay. */
  async remove(provider: OAuthProviderId): Promise<boolean> {
    if (this.confirmRemove !== provider) {
      this.confirmRemove = provider;
      return false;
    }
    this.removing = true;
    this.saveError = null;
    const r = await this.#d.call('oauth.config.remove', { provider });
    this.removing = false;
    this.confirmRemove = null;
    if (!r.ok) {
      this.saveError = shownError(r.error, this.#d.t);
      return false;
    }
    this.#put(r.result.provider);
    if (this.editing === provider) this.cancel();
    return true;
  }

  #put(status: OAuthClientStatus): void {
    const all = this.statuses ?? OAUTH_PROVIDER_IDS.map(emptyStatus);
    this.statuses = all.map((s) => (s.provider === status.provider ? status : s));
  }
}

function emptyStatus(provider: OAuthProviderId): OAuthClientStatus {
  const info = OAUTH_PROVIDERS[provider];
  return {
    provider,
    flow: info.flow,
    clientId: null,
    hasSecret: false,
    tenant: info.defaultTenant,
    ready: false,
  };
}
