import { allClientStatuses } from '../../oauth/client-config.js';
import type { Handler } from '../context.js';

/** Which providers have the user's own client registration on the relay; never a secret. */
export const oauthConfigGet: Handler<'oauth.config.get'> = async (ctx) => ({
  providers: allClientStatuses({ store: ctx.services.store, userId: ctx.auth.userId }),
});
