import { TidingsError } from '../../../../shared/index.js';
import { ownedAccount, toAccountDetails } from '../../setup/account-details.js';
import { diagnoseAccount } from '../../setup/diagnose-account.js';
import { normalizeFingerprint } from '../../setup/probe.js';
import type { Handler } from '../context.js';

/**
 * Trusts a changed certificate of a saved account (issue 13). The offered fingerprint is only a
 * claim: the relay connects with it as the pin, so the TLS step passes only if the server
 * presents exactly that certificate now, and signs in with the stored secret over that
 * connection. Only then are the pin and the chain that makes it verify stored, and the account
 * restarted (it goes live with the new certificate).
 */
export const accountsTrustCertificate: Handler<'accounts.trustCertificate'> = async (ctx, params) => {
  const { store, accounts, secretBox, tokens, log, reach, now } = ctx.services;
  const current = ownedAccount(store, ctx.auth.userId, params.id);
  const pinnedFingerprint = normalizeFingerprint(params.fingerprint);
  if (!pinnedFingerprint)
    throw new TidingsError('BAD_REQUEST', 'fingerprint must be a SHA-256 fingerprint (64 hex digits)');
  if (current.security === 'plain')
    throw new TidingsError('BAD_REQUEST', 'this account does not use TLS, so it has no certificate to trust');
  const outcome = await ctx.services.diagnoses.run(ctx.auth.userId, () =>
    diagnoseAccount({
      account: current,
      secretBox,
      tokens,
      reach,
      timeoutMs: ctx.services.imapConnectTimeoutMs,
      pinnedFingerprint,
      mailboxes: current.watchedMailboxes,
      signal: ctx.signal,
      log,
      now,
    }),
  );
  if (outcome.failure) throw new TidingsError(outcome.failure.code, outcome.failure.message);
  const saved = store.updateAccount(current.id, {
    pinnedFingerprint: outcome.trust.pinnedFingerprint,
    caPem: outcome.trust.caPem,
  });
  if (!saved) throw new TidingsError('NOT_FOUND', 'no such account');
  log.info('account certificate trusted', { accountId: saved.id, fingerprint: pinnedFingerprint });
  await accounts.sync();
  return { account: toAccountDetails(saved), diagnosis: outcome.diagnosis };
};
