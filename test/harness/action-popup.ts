import type { CDPSession, Page } from 'playwright-core';
import type { ExtensionBrowser } from './chromium.js';
import { RawCdp, type CdpMessage, type TargetInfo } from './raw-cdp.js';

/**
 * The extension's real toolbar popup, opened the way a click on its button opens it, for the
 * popup_list benchmark (BENCHMARKS.md: "popup opened → …").
 *
 * Why not popup.html in a tab, as the e2e suites do: a tab is not the popup. Verified on
 * Chromium 156 (headless): each navigation of a tab to popup.html makes the omnibox's WebUI
 * (chrome://omnibox-popup.top-chrome, its own renderer) run ~100 ms of script, on a 2-core machine
 * at the same time as the popup's own start. A popup opened from the toolbar navigates no tab.
 *
 * How: CDP `Extensions.triggerAction` on the active tab runs the extension's action as a click
 * does (ExtensionActionViewController). Chromium allows it only on the DevTools pipe (Playwright's
 * connection) and with `--enable-unsafe-extension-debugging` (ACTION_POPUP_ARGS). Playwright does
 * not expose the popup as a Page, so the popup is driven over a second, raw CDP connection
 * (raw-cdp.ts) that auto-attaches to new targets of the popup's kind ("other") paused before their
 * first navigation, adds the caller's init script and resumes them. Measured on this machine, the
 * resume reaches the popup within ~2 ms of its navigation start, so the pause adds at most that
 * to a figure taken from navigation start. `chrome.action.openPopup()` would also open the popup,
 * but needs the service worker running, which the worker-restart and cold cases must not.
 *
 * The opener does not poll the page while it loads: it learns of the commit from the browser's
 * target events (`Target.targetInfoChanged`), and callers read a figure with one `evaluate` of a
 * promise the page settles itself. A CDP `Runtime.evaluate` every few milliseconds is a task on
 * the popup's main thread each time: the opener and popup_list polled so until 2026-12-07, and in
 * four alternating runs of 25 warm opens that polling put the rows 6-24 ms later (issue 10).
 *
 * Pin the action (`launchExtension({ pinAction: true })`): an unpinned one is first popped out of
 * the extensions menu, which put ~240 ms before the popup's navigation in about half the opens.
 */

/** Launch flags the opener needs (`LaunchExtensionOptions.extraArgs`). */
export const ACTION_POPUP_ARGS = ['--enable-unsafe-extension-debugging'];

export interface ActionPopup {
  /** When the click was sent (Node's `Date.now()`, epoch ms). */
  readonly clickedAt: number;
  /** Evaluates `expression` in the popup page and returns its value (JSON-serialisable). */
  evaluate<T>(expression: string): Promise<T>;
  /** Closes the popup (as a click elsewhere does) and waits until it is gone. */
  close(): Promise<void>;
}

export interface ActionPopupOpener extends AsyncDisposable {
  /**
   * Clicks the extension's toolbar button and resolves once the popup's document is `path` (the
   * manifest's `action.default_popup`; default popup.html).
   * `initScript` runs in that document before any of its own scripts; the call rejects with
   * `InitScriptMissed` in the rare case Chromium created the document first.
   */
  open(options?: { path?: string; initScript?: string; timeoutMs?: number }): Promise<ActionPopup>;
  close(): Promise<void>;
}

/** The popup's document existed before the init script could be added (retry the open). */
export class InitScriptMissed extends Error {
  constructor() {
    super('the popup document was created before its init script was added');
  }
}

interface Attached {
  sessionId: string;
  targetInfo: TargetInfo;
  waitingForDebugger: boolean;
}

const INIT_MARK = '__tidingsActionPopupInit';

export async function actionPopupOpener(browser: ExtensionBrowser): Promise<ActionPopupOpener> {
  const pipeBrowser = browser.context.browser();
  if (!pipeBrowser) throw new Error('actionPopupOpener: the context has no Browser (not launched by launchExtension?)');
  const pipe: CDPSession = await pipeBrowser.newBrowserCDPSession();
  const cdp = await RawCdp.connect(browser.cdpEndpoint);
  // The tab the popup belongs to: a blank one of our own, brought to the front before each click
  // (the action needs an active tab, and a tab opened meanwhile would otherwise take its place).
  const front: Page = await browser.context.newPage();

  const attached: ((attach: Attached) => void)[] = [];
  let pendingInit: string | undefined;
  const destroyed = new Map<string, () => void>();
  /** The URL each popup target was last reported at, and who waits for it to change. */
  const urls = new Map<string, string>();
  const urlWaiters = new Map<string, () => void>();
  cdp.onEvent((message: CdpMessage) => {
    if (message.method === 'Target.targetInfoChanged') {
      const info = message.params?.['targetInfo'] as TargetInfo | undefined;
      if (info) {
        urls.set(info.targetId, info.url);
        urlWaiters.get(info.targetId)?.();
      }
      return;
    }
    if (message.method === 'Target.attachedToTarget') {
      const attach = message.params as unknown as Attached;
      urls.set(attach.targetInfo.targetId, attach.targetInfo.url);
      const listener = attached.shift();
      if (listener) {
        // Paused before its first document: add the init script and resume, one write each and
        // without waiting for replies (CDP runs them in order), so the pause stays short.
        const script = pendingInit;
        if (script !== undefined) {
          void cdp.send('Page.enable', {}, attach.sessionId).catch(() => undefined);
          void cdp
            .send('Page.addScriptToEvaluateOnNewDocument', { source: script }, attach.sessionId)
            .catch(() => undefined);
        }
        void cdp.send('Runtime.runIfWaitingForDebugger', {}, attach.sessionId).catch(() => undefined);
        listener(attach);
      } else if (attach.waitingForDebugger)
        void cdp.send('Runtime.runIfWaitingForDebugger', {}, attach.sessionId).catch(() => undefined);
    } else if (message.method === 'Target.targetDestroyed') {
      const id = message.params?.['targetId'] as string;
      destroyed.get(id)?.();
      destroyed.delete(id);
      urls.delete(id);
      urlWaiters.delete(id);
    }
  });
  await cdp.send('Target.setDiscoverTargets', { discover: true });
  // Every new target of the popup's kind waits for us; those that are not a popup we open are
  // resumed at once (above).
  await cdp.send('Target.setAutoAttach', {
    autoAttach: true,
    waitForDebuggerOnStart: true,
    flatten: true,
    filter: [{ type: 'other' }, { exclude: true }],
  });

  const activeTab = async (): Promise<string> => {
    const { targetInfos } = (await pipe.send('Target.getTargets', { filter: [{ type: 'tab' }] })) as {
      targetInfos: (TargetInfo & { embedderData?: { tabActive?: boolean } })[];
    };
    const tab = targetInfos.find((t) => t.embedderData?.tabActive === true);
    if (!tab) throw new Error('actionPopupOpener: no active tab to click the action in');
    return tab.targetId;
  };

  const within = async <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        promise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`action popup: ${what} within ${ms} ms`)), ms);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  const close = async (): Promise<void> => {
    await cdp.close();
    await pipe.detach().catch(() => undefined);
    await front.close().catch(() => undefined);
  };

  return {
    async open(options = {}) {
      const timeoutMs = options.timeoutMs ?? 10_000;
      await front.bringToFront();
      const tab = await activeTab();
      pendingInit = options.initScript === undefined ? undefined : `window.${INIT_MARK} = true;\n${options.initScript}`;
      const attach = new Promise<Attached>((resolve) => attached.push(resolve));
      const clickedAt = Date.now();
      await pipe.send('Extensions.triggerAction', { id: browser.extensionId, targetId: tab });
      const {
        sessionId,
        targetInfo: { targetId },
      } = await within(attach, timeoutMs, 'no popup target appeared');
      const gone = new Promise<void>((resolve) => destroyed.set(targetId, resolve));
      const evaluate = async <T>(expression: string): Promise<T> => {
        const reply = (await cdp.send(
          'Runtime.evaluate',
          { expression, returnByValue: true, awaitPromise: true },
          sessionId,
        )) as {
          result: { value?: unknown };
          exceptionDetails?: { text: string; exception?: { description?: string } };
        };
        if (reply.exceptionDetails) {
          const { text, exception } = reply.exceptionDetails;
          throw new Error(`action popup: ${exception?.description ?? text}`);
        }
        return reply.result.value as T;
      };
      const popup: ActionPopup = {
        clickedAt,
        evaluate,
        async close() {
          await cdp.send('Target.closeTarget', { targetId }).catch(() => undefined);
          await within(gone, timeoutMs, 'the popup did not close');
        },
      };
      try {
        const url = `${browser.origin}/${options.path ?? 'popup.html'}`;
        // The target starts as an empty document; wait until the browser reports the popup's page
        // committed (no request to the page itself meanwhile: see the header).
        const committed = new Promise<void>((resolve) => {
          const check = (): void => {
            if (urls.get(targetId) !== url) return;
            urlWaiters.delete(targetId);
            resolve();
          };
          urlWaiters.set(targetId, check);
          check();
        });
        await within(committed, timeoutMs, `${url} did not load`);
        if (options.initScript !== undefined && (await evaluate<boolean>(`window.${INIT_MARK} === true`)) !== true) {
          throw new InitScriptMissed();
        }
      } catch (error) {
        await popup.close().catch(() => undefined);
        throw error;
      }
      return popup;
    },
    close,
    async [Symbol.asyncDispose]() {
      await close();
    },
  };
}
