// End to end in real Chromium: new mail in Dovecot → relay (decides `notify`) → a desktop
// notification from the extension's service worker, merged per account, with buttons that act on
// the server; quiet hours and mail read before the event stay silent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_USER_SETTINGS, type UserSettings } from '../../shared/index.js';
import { launchExtension, type ExtensionBrowser } from '../harness/chromium.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { appendMessage, connectImap } from '../harness/mail.js';
import {
  browserTargetUrls,
  notificationIds,
  pairFromOptions,
  recordNotifications,
  shownNotifications,
  type ShownNotification,
} from '../harness/options-page.js';
import { TestClient } from '../harness/protocol-client.js';
import { addAccountViaCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken, trustTestCaEnv } from '../harness/setup-fixtures.js';

declare const chrome: { action: { getPopup(details: object): Promise<string> } };
declare const tidingsDiagnostics: {
  notificationButton(id: string, index: number): Promise<void>;
  notificationClick(id: string): Promise<void>;
};

let dovecot: Dovecot;
let relay: RelayProcess;
let browser: ExtensionBrowser;
/** A second device of the same user, for changing settings from "another browser". */
let settingsClient: TestClient;

beforeAll(async () => {
  dovecot = await startDovecot();
  relay = await startRelayProcess({ env: trustTestCaEnv(dovecot) });
  browser = await launchExtension();
  const page = await pairFromOptions(browser, relay);
  await page.close();
  ({ client: settingsClient } = await TestClient.connect(relay.url, await pairToken(relay)));
  await recordNotifications(browser);
});

afterAll(async () => {
  settingsClient?.close();
  await browser?.close();
  await relay?.stop();
  await dovecot?.stop();
});

/** A fresh user and account per test, so notifications of one test never merge with another's. */
async function freshAccount(name: string): Promise<{ user: ImapUser; accountId: string; notificationId: string }> {
  const user = await dovecot.addUser();
  const accountId = await addAccountViaCli(relay.dataDir, dovecot, user, { name });
  // The relay picks up accounts added by the CLI at once (it watches the store); wait until the badge tooltip
  // shows it online (not "connecting…"), so its watcher is idling when the test's mail arrives.
  const deadline = Date.now() + 15_000;
  while (!(await browser.badgeTitle()).split('\n').includes(`${name}: 0 unread`)) {
    if (Date.now() > deadline) throw new Error(`account ${name} did not reach the extension`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { user, accountId, notificationId: `tidings:mail:${accountId}` };
}

async function waitForShown(
  predicate: (n: ShownNotification) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<ShownNotification> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await shownNotifications(browser)).filter(predicate).at(-1);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `no notification ${what} within ${timeoutMs} ms; shown: ${JSON.stringify(await shownNotifications(browser))}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function setSettings(patch: (s: UserSettings) => void): Promise<void> {
  const settings = structuredClone(DEFAULT_USER_SETTINGS);
  patch(settings);
  await settingsClient.request('settings.set', { settings });
}

describe('new-mail notifications', () => {
  it('shows sender and subject as text when mail arrives', async () => {
    const { user, notificationId } = await freshAccount('Work');
    await appendMessage(dovecot, user, {
      from: 'Ada Lovelace <ada@example.com>',
      subject: 'Engine notes \u202Efdp.exe',
    });
    const shown = await waitForShown((n) => n.id === notificationId, 'for Work');
    expect(shown).toMatchObject({
      title: 'Ada Lovelace',
      // The bidi override is shown as U+FFFD, never obeyed.
      message: 'Engine notes \uFFFDfdp.exe',
      contextMessage: 'Work',
      buttons: [{ title: 'Mark as read' }, { title: 'Archive' }],
    });
    // Recorded when create() was called; the notification is on screen once the call completes.
    await expect.poll(() => notificationIds(browser), { timeout: 5_000 }).toContain(notificationId);
  });

  it('merges a burst of 20 messages into one notification', async () => {
    const { user, notificationId } = await freshAccount('Burst');
    for (let i = 1; i <= 20; i++)
      await appendMessage(dovecot, user, { subject: `burst ${i}`, from: `Sender ${i} <s${i}@example.com>` });
    const shown = await waitForShown((n) => n.id === notificationId && n.title === '20 new messages in Burst', 'of 20');
    expect(shown.message.split('\n')).toEqual([
      'Sender 20: burst 20',
      'Sender 19: burst 19',
      'Sender 18: burst 18',
      'and 17 more',
    ]);
    await expect.poll(() => notificationIds(browser), { timeout: 5_000 }).toContain(notificationId);
    // Every later change updated that one notification in place.
    const calls = (await shownNotifications(browser)).filter((n) => n.id === notificationId).map((n) => n.call);
    expect(calls.slice(1).every((c) => c === 'update')).toBe(true);
  });

  it('archives the message on the server from the Archive button', async () => {
    const { user, notificationId } = await freshAccount('Archiver');
    await appendMessage(dovecot, user, { subject: 'archive me', from: 'Bob <bob@example.com>' });
    await waitForShown((n) => n.id === notificationId, 'for Archiver');
    const worker = await browser.serviceWorker();
    await worker.evaluate((id) => tidingsDiagnostics.notificationButton(id, 1), notificationId);
    await using imap = await connectImap(dovecot, user);
    const deadline = Date.now() + 15_000;
    let inbox = -1;
    let archived = -1;
    while (Date.now() < deadline) {
      const [i, a] = [await imap.status('INBOX', { messages: true }), await imap.status('Archive', { messages: true })];
      inbox = i ? (i.messages ?? -1) : -1;
      archived = a ? (a.messages ?? -1) : -1;
      if (inbox === 0 && archived === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect({ inbox, archived }).toEqual({ inbox: 0, archived: 1 });
    // The notification is cleared once the action's result is in (after the move itself).
    await expect.poll(() => notificationIds(browser), { timeout: 5_000 }).not.toContain(notificationId);
  });

  it('opens the message in the popup UI when clicked', async () => {
    const { user, accountId, notificationId } = await freshAccount('Clicker');
    const { uid } = await appendMessage(dovecot, user, { subject: 'open me' });
    await waitForShown((n) => n.id === notificationId, 'for Clicker');
    const worker = await browser.serviceWorker();
    await worker.evaluate((id) => tidingsDiagnostics.notificationClick(id), notificationId);
    // action.openPopup() (or, without a focused window, a tab) shows popup.html?open=<message id>.
    let url: string | undefined;
    const deadline = Date.now() + 10_000;
    while (!(url = (await browserTargetUrls(browser)).find((u) => u.includes('popup.html?open=')))) {
      if (Date.now() > deadline)
        throw new Error(`no popup opened: ${JSON.stringify(await browserTargetUrls(browser))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const target: unknown = JSON.parse(new URL(url).searchParams.get('open') ?? 'null');
    expect(target).toMatchObject({ accountId, mailbox: 'INBOX', uid });
    // The worker clears the notification before it opens the popup (notifications.ts onClicked
    // awaits chrome.notifications.clear first). Under CI load it was once still listed as the
    // popup appeared; the cause is not known (perhaps getAll() lagging the clear), so the test
    // waits for it to go instead of expecting it gone at that instant.
    await expect.poll(() => notificationIds(browser), { timeout: 5_000 }).not.toContain(notificationId);
    // The toolbar button's own popup is plain again for the next click on it.
    await expect
      .poll(() => worker.evaluate(() => chrome.action.getPopup({})), { timeout: 5_000 })
      .toMatch(/\/popup\.html$/);
  });

  it('stays silent during quiet hours and for mail already read', async () => {
    const { user, notificationId } = await freshAccount('Quiet');
    // Quiet all day, every day, in the zone the options page would save.
    await setSettings((s) => {
      s.notifications.quietHours = {
        enabled: true,
        start: '00:00',
        end: '00:00',
        days: [0, 1, 2, 3, 4, 5, 6],
        timeZone: 'UTC',
      };
    });
    await appendMessage(dovecot, user, { subject: 'during quiet hours' });
    // The badge tooltip counting it proves the event reached the extension.
    const deadline = Date.now() + 10_000;
    while (!(await browser.badgeTitle()).includes('Quiet: 1 unread')) {
      if (Date.now() > deadline)
        throw new Error(`the quiet-hours message was not counted: ${await browser.badgeTitle()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await setSettings(() => undefined);
    // Read in another client before the relay saw it.
    await appendMessage(dovecot, user, { subject: 'read elsewhere', flags: ['\\Seen'] });
    await appendMessage(dovecot, user, { subject: 'the sentinel' });
    const shown = await waitForShown((n) => n.id === notificationId, 'for the sentinel');
    expect(shown.message).toBe('the sentinel');
    const all = JSON.stringify((await shownNotifications(browser)).filter((n) => n.id === notificationId));
    expect(all).not.toContain('during quiet hours');
    expect(all).not.toContain('read elsewhere');
  });
});
