import type { RequestType } from '../../../../shared/index.js';
import type { Handler, PublicHandler } from '../context.js';
import { accountsAdd } from './accounts-add.js';
import { accountsDiagnose } from './accounts-diagnose.js';
import { accountsDiscover } from './accounts-discover.js';
import { accountsGet } from './accounts-get.js';
import { accountsList } from './accounts-list.js';
import { accountsOauthPoll } from './accounts-oauth-poll.js';
import { accountsOauthRedeem } from './accounts-oauth-redeem.js';
import { accountsOauthStart } from './accounts-oauth-start.js';
import { accountsRemove } from './accounts-remove.js';
import { accountsTrustCertificate } from './accounts-trustCertificate.js';
import { accountsUpdate } from './accounts-update.js';
import { devicesList } from './devices-list.js';
import { devicesRevokeSelf } from './devices-revokeSelf.js';
import { devicesRevoke } from './devices-revoke.js';
import { hello } from './hello.js';
import { mailboxMarkAllRead } from './mailbox-markAllRead.js';
import { mailboxesList } from './mailboxes-list.js';
import { messageGet } from './message-get.js';
import { messagePart } from './message-part.js';
import { messagesAction } from './messages-action.js';
import { messagesList } from './messages-list.js';
import { messagesSearch } from './messages-search.js';
import { oauthConfigGet } from './oauth-config-get.js';
import { oauthConfigRemove } from './oauth-config-remove.js';
import { oauthConfigSet } from './oauth-config-set.js';
import { messagesSync } from './messages-sync.js';
import { settingsGet } from './settings-get.js';
import { settingsSet } from './settings-set.js';

/** `hello` is the only request accepted before authentication. */
export const publicHandlers = { hello } satisfies { [T in 'hello']: PublicHandler<T> };

/**
 * Every other request type maps to exactly one handler file. The mapped type makes a request
 * type without a handler a compile error.
 */
export const handlers: { [T in Exclude<RequestType, 'hello'>]: Handler<T> } = {
  'accounts.list': accountsList,
  'mailboxes.list': mailboxesList,
  'messages.list': messagesList,
  'messages.search': messagesSearch,
  'message.get': messageGet,
  'message.part': messagePart,
  'messages.action': messagesAction,
  'messages.sync': messagesSync,
  'mailbox.markAllRead': mailboxMarkAllRead,
  'accounts.discover': accountsDiscover,
  'accounts.diagnose': accountsDiagnose,
  'accounts.add': accountsAdd,
  'accounts.get': accountsGet,
  'accounts.update': accountsUpdate,
  'accounts.remove': accountsRemove,
  'accounts.trustCertificate': accountsTrustCertificate,
  'devices.list': devicesList,
  'devices.revoke': devicesRevoke,
  'devices.revokeSelf': devicesRevokeSelf,
  'settings.get': settingsGet,
  'settings.set': settingsSet,
  'oauth.config.get': oauthConfigGet,
  'oauth.config.set': oauthConfigSet,
  'oauth.config.remove': oauthConfigRemove,
  'accounts.oauth.start': accountsOauthStart,
  'accounts.oauth.poll': accountsOauthPoll,
  'accounts.oauth.redeem': accountsOauthRedeem,
};
