// Shared set-up for the popup suites (popup-*, security-*), the popup_list benchmark and the
// screenshot script: a private Dovecot with seeded users, the real relay with those accounts, and
// Chromium with the built extension paired from the options page.
import type { BrowserContext, Page } from 'playwright-core';
import { launchExtension, type ExtensionBrowser, type LaunchExtensionOptions } from '../harness/chromium.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { buildMessage, connectImap, type AppendOptions } from '../harness/mail.js';
import { pairFromOptions } from '../harness/options-page.js';
import { addAccountViaCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';

export interface PopupAccount {
  id: string;
  name: string;
  user: ImapUser;
}

export interface PopupWorld extends AsyncDisposable {
  dovecot: Dovecot;
  relay: RelayProcess;
  browser: ExtensionBrowser;
  /** One per name in `PopupWorldOptions.accounts`, in that order. */
  accounts: [PopupAccount, ...PopupAccount[]];
  /** Opens popup.html in a tab of the popup's size (or `width`×`height`). */
  openPopup(options?: {
    width?: number;
    height?: number;
    query?: string;
    colorScheme?: 'light' | 'dark';
  }): Promise<Page>;
  /**
   * Content-Security-Policy violations the extension's pages (the popup and its frames) reported
   * so far (watchCspViolations). Any is a failure: `close()` throws when this is not empty, so
   * every suite on this world has the guard; suites that open hostile mail also assert it after
   * each step to name the case.
   */
  cspViolations(): string[];
  close(): Promise<void>;
}

/** What a `securitypolicyviolation` event in an extension page is logged as (watchCspViolations). */
const SPV_PREFIX = '[csp-guard] securitypolicyviolation';

/**
 * Records every CSP violation that an extension page of `context` (the popup, the options page,
 * their frames) reports, from now on, from two sources:
 * - the console line Chromium writes for most of them ("… violates the following Content Security
 *   Policy directive …"), which is seen even where no page script could (a sandboxed frame, a
 *   document with no window);
 * - the page's `securitypolicyviolation` events, logged by an init script: Chromium writes no
 *   console line for a refused `eval`/`new Function` that the page catches (zod's eval probe did
 *   that on every load until extension/core/zod-config.ts).
 */
export async function watchCspViolations(context: BrowserContext, origin: string): Promise<() => string[]> {
  const seen: string[] = [];
  const watch = (page: Page): void => {
    page.on('console', (message) => {
      const text = message.text();
      if (!/violates the following Content Security Policy/i.test(text) && !text.startsWith(SPV_PREFIX)) return;
      if (!page.url().startsWith(`${origin}/`)) return;
      seen.push(`${page.url()}: ${text.split('. ')[0]}`);
    });
  };
  await context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) => console.error(${JSON.stringify(SPV_PREFIX)} + ': ' + e.violatedDirective + ' blocked ' + e.blockedURI + ' at ' + e.sourceFile + ':' + e.lineNumber + ':' + e.columnNumber));`,
  });
  context.pages().forEach(watch);
  context.on('page', watch);
  return () => [...seen];
}

export interface PopupWorldOptions {
  /** Account display names; one Dovecot user each. Default ['Work']. */
  accounts?: string[];
  /** Seeds mail before the relay watches the accounts (fast path; IDLE sees later appends). */
  seed?: (dovecot: Dovecot, users: ImapUser[]) => Promise<void>;
  launch?: LaunchExtensionOptions;
  /** Extra environment of the relay process (e.g. harness/dns-alias.ts). */
  relayEnv?: Record<string, string>;
}

/** Where the built extension is: `TIDINGS_EXTENSION_DIR` (a private build) or the default. */
export function extensionDir(): string | undefined {
  return process.env['TIDINGS_EXTENSION_DIR'] || undefined;
}

/** The wide popup's natural size (the default; see extension/popup/popup-layout.ts). */
export const POPUP_SIZE = { width: 760, height: 580 } as const;

export async function startPopupWorld(options: PopupWorldOptions = {}): Promise<PopupWorld> {
  const names = options.accounts ?? ['Work'];
  const dovecot = await startDovecot();
  let relay: RelayProcess | undefined;
  let browser: ExtensionBrowser | undefined;
  try {
    relay = await startRelayProcess(options.relayEnv ? { env: options.relayEnv } : {});
    const users: ImapUser[] = [];
    for (let i = 0; i < names.length; i++) users.push(await dovecot.addUser());
    await options.seed?.(dovecot, users);
    const accounts: PopupAccount[] = [];
    for (const [i, name] of names.entries()) {
      const user = users[i]!;
      accounts.push({ id: await addAccountViaCli(relay.dataDir, dovecot, user, { name }), name, user });
    }
    const [first, ...rest] = accounts;
    if (!first) throw new Error('startPopupWorld needs at least one account');
    browser = await launchExtension({ extensionDir: extensionDir(), ...options.launch });
    const cspViolations = await watchCspViolations(browser.context, browser.origin);
    await (await pairFromOptions(browser, relay)).close();
    const b = browser;
    const r = relay;
    const close = async (): Promise<void> => {
      await b.close();
      await r.stop();
      await dovecot.stop();
      const violations = cspViolations();
      if (violations.length > 0) {
        throw new Error(`the extension's pages reported CSP violations:\n${violations.join('\n')}`);
      }
    };
    return {
      dovecot,
      relay,
      browser,
      accounts: [first, ...rest],
      async openPopup({
        width = POPUP_SIZE.width,
        height = POPUP_SIZE.height,
        query = '',
        colorScheme = 'light',
      } = {}) {
        const page = await b.context.newPage();
        await page.setViewportSize({ width, height });
        await page.emulateMedia({ colorScheme });
        await page.goto(`${b.origin}/popup.html${query}`);
        return page;
      },
      cspViolations,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await browser?.close();
    await relay?.stop();
    await dovecot.stop();
    throw error;
  }
}

/** Appends messages (one connection) dated one minute apart, the last one newest; returns their UIDs. */
export async function seedMessages(
  dovecot: Dovecot,
  user: ImapUser,
  messages: AppendOptions[],
  options: { mailbox?: string; newestAt?: number } = {},
): Promise<number[]> {
  const newest = options.newestAt ?? Date.now() - 60_000;
  await using client = await connectImap(dovecot, user);
  const uids: number[] = [];
  for (const [i, message] of messages.entries()) {
    const date = message.date ?? new Date(newest - (messages.length - 1 - i) * 60_000);
    const raw = message.raw ?? buildMessage({ ...message, date, toDefault: `${user.username}@example.test` });
    const mailbox = message.mailbox ?? options.mailbox ?? 'INBOX';
    const result = await client.append(mailbox, raw, message.flags ?? [], date);
    if (!result || result.uid === undefined) throw new Error(`APPEND to ${mailbox} returned no UID`);
    uids.push(result.uid);
  }
  return uids;
}

/** Which mailbox of `user` holds a message with this Subject now, and its flags (a separate IMAP client). */
export async function locate(
  dovecot: Dovecot,
  user: ImapUser,
  subject: string,
): Promise<{ mailbox: string; uid: number; flags: string[] }[]> {
  await using client = await connectImap(dovecot, user);
  const found: { mailbox: string; uid: number; flags: string[] }[] = [];
  for (const box of await client.list()) {
    if (box.flags.has('\\Noselect')) continue;
    const lock = await client.getMailboxLock(box.path);
    try {
      const uids = await client.search({ header: { subject } }, { uid: true });
      if (!uids || uids.length === 0) continue;
      for await (const message of client.fetch(uids, { uid: true, flags: true, envelope: true }, { uid: true })) {
        // SEARCH HEADER is a substring match; keep exact subjects only.
        if (message.envelope?.subject !== subject) continue;
        found.push({ mailbox: box.path, uid: message.uid, flags: [...(message.flags ?? [])].sort() });
      }
    } finally {
      lock.release();
    }
  }
  return found;
}
