import type { BackgroundController } from './background-controller.js';
import { parseDataRequest } from '../ui-protocol/data-messages.js';
import type { Logger } from '../core/log.js';
import type { MailService } from './mail-service.js';
import { parseUiRequest, type BackgroundMessage } from '../ui-protocol/messages.js';
import type { PortLike } from '../ui-protocol/port.js';

/**
 * Serves one UI Port: pushes `{type:'state'}` at once and after every change, and answers each
 * request with a `{type:'reply'}` carrying the same id and the snapshot after the request ran.
 * Invalid messages are logged and dropped (a request without a valid id cannot be answered).
 * With `mail`, mail data requests (data-messages.ts) are answered too and its pushes (relay
 * events, settled actions, outbox size) are forwarded.
 */
export function serveUiPort(port: PortLike, controller: BackgroundController, log: Logger, mail?: MailService): void {
  let connected = true;
  let unsubscribe: (() => void) | null = null;
  let unsubscribeMail: (() => void) | null = null;
  // A UI page is open from now on (short reconnect backoff), even before the controller started.
  const detachUi = controller.attachUi();
  const post = (message: BackgroundMessage): void => {
    if (!connected) return;
    try {
      port.postMessage(message);
    } catch (error) {
      // The page closed between our check and the post.
      log.debug('posting to a UI port failed', error);
    }
  };
  port.onDisconnect.addListener(() => {
    connected = false;
    detachUi();
    unsubscribe?.();
    unsubscribeMail?.();
  });
  port.onMessage.addListener((raw) => {
    const data = mail ? parseDataRequest(raw) : null;
    if (mail && data) {
      void mail.handle(data).then((reply) => {
        const snapshot = controller.snapshot();
        post(
          reply.ok
            ? { type: 'reply', id: data.id, ok: true, result: reply.result, snapshot }
            : { type: 'reply', id: data.id, ok: false, error: reply.error, snapshot },
        );
      });
      return;
    }
    const request = parseUiRequest(raw);
    if (!request) {
      log.warn('ignored an invalid message from the UI');
      return;
    }
    void controller.handle(request).then((reply) => {
      const snapshot = controller.snapshot();
      post(
        reply.ok
          ? { type: 'reply', id: request.id, ok: true, snapshot }
          : { type: 'reply', id: request.id, ok: false, error: reply.error, snapshot },
      );
    });
  });
  void controller.start().then(() => {
    if (!connected) return;
    unsubscribe = controller.subscribe((snapshot) => post({ type: 'state', snapshot }));
    post({ type: 'state', snapshot: controller.snapshot() });
    if (mail) {
      unsubscribeMail = mail.subscribe((push) => post(push));
      post({ type: 'outbox', pending: mail.pending });
    }
  });
}
