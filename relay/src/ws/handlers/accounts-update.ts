import { TidingsError } from '../../../../shared/index.js';
import { accountSecretContext } from '../../crypto/secret-box.js';
import { ownedAccount, toAccountDetails } from '../../setup/account-details.js';
import { diagnose } from '../../setup/diagnose.js';
import { normalizeFingerprint } from '../../setup/probe.js';
import type { AccountPatch } from '../../store/types.js';
import type { Handler } from '../context.js';

/**
 * Edits an account. A new password or changed server settings (host, port, security, username,
 * pinned certificate) are diagnosed first and saved only if the diagnosis passes; display name,
 * colour, watched folders and archive folder are saved as they are. The registry restarts the
 * watchers only when connection settings changed, so a rename never reconnects.
 */
export const accountsUpdate: Handler<'accounts.update'> = async (ctx, params) => {
  const { store, accounts, secretBox, log, now } = ctx.services;
  const current = ownedAccount(store, ctx.auth.userId, params.id);
  const { patch } = params;

  let pinned = current.pinnedFingerprint;
  if (patch.pinnedFingerprint !== undefined) {
    pinned = patch.pinnedFingerprint === null ? null : normalizeFingerprint(patch.pinnedFingerprint);
    if (patch.pinnedFingerprint !== null && pinned === null)
      throw new TidingsError('BAD_REQUEST', 'pinnedFingerprint must be a SHA-256 fingerprint (64 hex digits)');
  }
  const settings = {
    host: patch.host?.trim() ?? current.host,
    port: patch.port ?? current.port,
    security: patch.security ?? current.security,
    username: patch.username ?? current.username,
    pinnedFingerprint: pinned,
  };
  const connectionChanged =
    settings.host !== current.host ||
    settings.port !== current.port ||
    settings.security !== current.security ||
    settings.username !== current.username ||
    settings.pinnedFingerprint !== current.pinnedFingerprint;
  if (current.auth.kind === 'oauth2' && (connectionChanged || params.password !== undefined))
    // Its secret is a refresh token, not a password: never overwrite or "diagnose" with it.
    throw new TidingsError(
      'BAD_REQUEST',
      `this account signs in with ${current.auth.provider} (OAuth2): it has no password, and its server settings do not change; remove and add it again to use another server`,
    );

  const update: AccountPatch = {};
  if (patch.name !== undefined) {
    const name = patch.name.trim();
    if (name === '') throw new TidingsError('BAD_REQUEST', 'the account name must not be empty');
    update.name = name;
  }
  if (patch.color !== undefined) update.color = patch.color;
  if (patch.archiveMailbox !== undefined) update.archiveMailbox = patch.archiveMailbox?.trim() || null;
  if (patch.watchedMailboxes !== undefined) update.watchedMailboxes = [...new Set(patch.watchedMailboxes)];

  let diagnosis = null;
  if (connectionChanged || params.password !== undefined) {
    const password = params.password ?? secretBox.decrypt(current.secretEnc, accountSecretContext(current));
    const outcome = await ctx.services.diagnoses.run(ctx.auth.userId, () =>
      diagnose({
        settings,
        password,
        // A CA added with the CLI (--ca-file) stays valid for the same host; a pin brings its own.
        caPem: current.pinnedFingerprint === null && settings.host === current.host ? current.caPem : null,
        mailboxes: update.watchedMailboxes ?? current.watchedMailboxes,
        reach: ctx.services.reach,
        timeoutMs: ctx.services.imapConnectTimeoutMs,
        signal: ctx.signal,
        log,
        now,
      }),
    );
    if (outcome.failure) throw new TidingsError(outcome.failure.code, outcome.failure.message);
    diagnosis = outcome.diagnosis;
    Object.assign(update, settings, { caPem: outcome.trust.caPem, pinnedFingerprint: outcome.trust.pinnedFingerprint });
    // Re-encrypted whenever host or username change too: the secret is bound to them.
    update.secretEnc = secretBox.encrypt(password, accountSecretContext({ ...current, ...settings }));
  }

  const saved = Object.keys(update).length > 0 ? store.updateAccount(current.id, update) : current;
  if (!saved) throw new TidingsError('NOT_FOUND', 'no such account');
  log.info('account updated', {
    accountId: saved.id,
    fields: Object.keys(update).filter((k) => k !== 'secretEnc' && k !== 'caPem'),
    newPassword: params.password !== undefined,
  });
  await accounts.sync();
  return { account: toAccountDetails(saved), diagnosis };
};
