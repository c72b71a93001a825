import { TidingsError } from '../../../../shared/index.js';
import { accountSecretContext } from '../../crypto/secret-box.js';
import { toAccountDetails } from '../../setup/account-details.js';
import { newRecordId } from '../../store/ids.js';
import { diagnose } from '../../setup/diagnose.js';
import type { Handler } from '../context.js';

/**
 * Diagnoses, and only if everything passed saves the account (password encrypted with the
 * relay's key) and starts its watchers. On any failure nothing is saved and the error carries the
 * failing step's code (AUTH_FAILED, TLS_FAILED, UNREACHABLE, TIMEOUT, NOT_FOUND for a missing
 * folder…). The password crosses the socket once, here, and is never sent back.
 */
export const accountsAdd: Handler<'accounts.add'> = async (ctx, params) => {
  const { store, accounts, secretBox, log, now } = ctx.services;
  const { diagnosis, failure, trust } = await ctx.services.diagnoses.run(ctx.auth.userId, () =>
    diagnose({
      settings: params.settings,
      password: params.password,
      caPem: null,
      mailboxes: params.watchedMailboxes,
      reach: ctx.services.reach,
      timeoutMs: ctx.services.imapConnectTimeoutMs,
      signal: ctx.signal,
      log,
      now,
    }),
  );
  if (failure) throw new TidingsError(failure.code, failure.message);
  const id = newRecordId();
  const host = params.settings.host.trim();
  const owner = { id, userId: ctx.auth.userId, host, username: params.settings.username };
  const account = store.createAccount({
    id,
    userId: ctx.auth.userId,
    name: params.name.trim() || params.settings.username,
    host,
    port: params.settings.port,
    security: params.settings.security,
    username: params.settings.username,
    secretEnc: secretBox.encrypt(params.password, accountSecretContext(owner)),
    watchedMailboxes: [...new Set(params.watchedMailboxes)],
    pinnedFingerprint: trust.pinnedFingerprint,
    caPem: trust.caPem,
    color: params.color,
  });
  log.info('account added', { accountId: account.id, host: account.host, pinned: account.pinnedFingerprint !== null });
  // Starts the watcher and publishes accounts.changed, so the badge gains the account at once.
  await accounts.sync();
  return { account: toAccountDetails(account), diagnosis };
};
