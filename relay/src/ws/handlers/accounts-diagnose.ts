import { diagnose } from '../../setup/diagnose.js';
import type { Handler } from '../context.js';

/**
 * Runs the checklist against settings + password; saves nothing. The password is used only for
 * the login on a verified connection to the IMAP server, and never logged.
 */
export const accountsDiagnose: Handler<'accounts.diagnose'> = async (ctx, params) => {
  const { diagnosis } = await ctx.services.diagnoses.run(ctx.auth.userId, () =>
    diagnose({
      settings: params.settings,
      password: params.password,
      caPem: null,
      reach: ctx.services.reach,
      signal: ctx.signal,
      log: ctx.services.log,
      now: ctx.services.now,
    }),
  );
  return diagnosis;
};
