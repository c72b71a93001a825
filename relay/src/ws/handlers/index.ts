import type { RequestType } from '../../../../shared/index.js';
import type { Handler, PublicHandler } from '../context.js';
import { accountsList } from './accounts-list.js';
import { hello } from './hello.js';

/** `hello` is the only request accepted before authentication. */
export const publicHandlers = { hello } satisfies { [T in 'hello']: PublicHandler<T> };

/**
 * Every other request type maps to exactly one handler file. The mapped type makes a request
 * type without a handler a compile error.
 */
export const handlers: { [T in Exclude<RequestType, 'hello'>]: Handler<T> } = {
  'accounts.list': accountsList,
};
