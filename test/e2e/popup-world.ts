// Shared set-up for the popup suites (popup-*, security-*), the popup_list benchmark and the
// screenshot script: a private Dovecot with seeded users, the real relay with those accounts, and
// Chromium with the built extension paired from the options page.
import type { Page } from 'playwright-core';
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
  close(): Promise<void>;
}

export interface PopupWorldOptions {
  /** Account display names; one Dovecot user each. Default ['Work']. */
  accounts?: string[];
  /** Seeds mail before the relay watches the accounts (fast path; IDLE sees later appends). */
  seed?: (dovecot: Dovecot, users: ImapUser[]) => Promise<void>;
  launch?: LaunchExtensionOptions;
}

/** Where the built extension is: `TIDINGS_EXTENSION_DIR` (a private build) or the default. */
export function extensionDir(): string | undefined {
  return process.env['TIDINGS_EXTENSION_DIR'] || undefined;
}

/** The popup's natural size (see entrypoints/popup/main.ts). */
export const POPUP_SIZE = { width: 760, height: 580 } as const;

export async function startPopupWorld(options: PopupWorldOptions = {}): Promise<PopupWorld> {
  const names = options.accounts ?? ['Work'];
  const dovecot = await startDovecot();
  let relay: RelayProcess | undefined;
  let browser: ExtensionBrowser | undefined;
  try {
    relay = await startRelayProcess();
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
    await (await pairFromOptions(browser, relay)).close();
    const b = browser;
    const r = relay;
    const close = async (): Promise<void> => {
      await b.close();
      await r.stop();
      await dovecot.stop();
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
