import { ownedAccount } from '../../setup/account-details.js';
import { diagnose } from '../../setup/diagnose.js';
import { diagnoseAccount } from '../../setup/diagnose-account.js';
import type { Handler } from '../context.js';

/**
 * Runs the checklist; saves nothing. Either against settings + password (adding an account), or
 * against a saved account with its stored secret (`accountId`): its password, or for an OAuth2
 * account a freshly renewed access token after the token steps (issue 9). A password is used only
 * for the login on a verified connection to the IMAP server, and never logged.
 */
export const accountsDiagnose: Handler<'accounts.diagnose'> = async (ctx, params) => {
  const { services } = ctx;
  const common = {
    reach: services.reach,
    timeoutMs: services.imapConnectTimeoutMs,
    signal: ctx.signal,
    log: services.log,
    now: services.now,
  };
  if ('accountId' in params) {
    const account = ownedAccount(services.store, ctx.auth.userId, params.accountId);
    const { diagnosis } = await services.diagnoses.run(ctx.auth.userId, () =>
      diagnoseAccount({ ...common, account, secretBox: services.secretBox, tokens: services.tokens }),
    );
    return diagnosis;
  }
  const { diagnosis } = await services.diagnoses.run(ctx.auth.userId, () =>
    diagnose({ ...common, settings: params.settings, password: params.password, caPem: null }),
  );
  return diagnosis;
};
