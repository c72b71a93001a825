// Issue 8, "archive 10 while the relay is down → all 10 archived once after it returns": ten
// messages are selected, the relay is killed (SIGKILL), the ten are archived (the extension's
// outbox queues the action), the relay starts again. On the Dovecot side, seen by a separate IMAP
// client, exactly those ten are in Archive, once each, and none is left in INBOX; the popup shows
// them gone and nothing waiting; the untouched messages stay where they were.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectImap } from '../harness/mail.js';
import { workInbox } from './popup-seed.js';
import { seedMessages, startPopupWorld, type PopupWorld } from './popup-world.js';

const TARGETS = Array.from({ length: 10 }, (_, i) => `Archive offline ${String(i + 1).padStart(2, '0')}`);
const KEEP = 'Keep me in the inbox';

let world: PopupWorld;
let popup: Page;

const poll = <T>(fn: () => Promise<T> | T, timeout = 5_000) => expect.poll(fn, { timeout, interval: 50 });
const row = (page: Page, subject: string) =>
  page.getByTestId('message-row').filter({ has: page.getByTestId('row-subject').getByText(subject, { exact: true }) });

/** Subjects per mailbox on the server, repeats kept (a separate IMAP client). */
async function serverSubjects(): Promise<Record<'INBOX' | 'Archive', string[]>> {
  await using client = await connectImap(world.dovecot, world.accounts[0]!.user);
  const subjects = async (mailbox: string) => {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const found: string[] = [];
      for await (const m of client.fetch('1:*', { envelope: true })) found.push(m.envelope?.subject ?? '');
      return found.sort();
    } finally {
      lock.release();
    }
  };
  return { INBOX: await subjects('INBOX'), Archive: await subjects('Archive') };
}

beforeAll(async () => {
  world = await startPopupWorld({
    seed: async (dovecot, [user]) => {
      const now = Date.now();
      await seedMessages(dovecot, user!, workInbox('', now - 3_600_000));
      await seedMessages(dovecot, user!, [{ subject: KEEP, text: 'Stay.' }], { newestAt: now - 30 * 60_000 });
      // The ten targets are the newest: the first ten rows.
      await seedMessages(
        dovecot,
        user!,
        TARGETS.map((subject) => ({ subject, from: 'Build Bot <ci@northwind.example>', text: `${subject}.` })),
        { newestAt: now - 60_000 },
      );
    },
  });
  popup = await world.openPopup();
  await row(popup, TARGETS[0]!).waitFor({ timeout: 20_000 });
});

afterAll(async () => {
  await world?.close();
});

describe('archiving ten messages while the relay is down', () => {
  it('archives all ten exactly once after the relay returns', async () => {
    const before = await serverSubjects();
    expect(before.Archive).toEqual([]);
    const othersInInbox = before.INBOX.filter((s) => !TARGETS.includes(s));
    expect(othersInInbox).toContain(KEEP);

    // Select the ten newest (the targets), then lose the relay.
    await popup.getByTestId('message-list').focus();
    await popup.keyboard.press('Home');
    for (let i = 0; i < TARGETS.length; i++) {
      await popup.keyboard.press('x');
      await popup.keyboard.press('j');
    }
    await poll(() => popup.getByTestId('selected-count').textContent()).toContain('10');
    for (const subject of TARGETS) expect(await row(popup, subject).getAttribute('data-selected')).toBe('true');
    await world.relay.kill();
    await popup.getByTestId('offline-banner').waitFor({ timeout: 60_000 });

    await popup.keyboard.press('e');
    for (const subject of TARGETS) await poll(() => row(popup, subject).count()).toBe(0);
    await poll(() => popup.getByTestId('pending-count').textContent()).toMatch(/\d/);
    // Nothing reached the server yet.
    expect(await serverSubjects()).toEqual(before);

    await world.relay.restart();
    const restartedAt = Date.now();
    // No click on "reconnect": the extension comes back by itself.
    await poll(() => popup.getByTestId('offline-banner').count(), 30_000).toBe(0);
    const wanted = { INBOX: othersInInbox, Archive: [...TARGETS].sort() };
    await poll(() => serverSubjects(), 20_000).toEqual(wanted);
    console.log(`issue 8 figure: 10 queued archives applied ${Date.now() - restartedAt} ms after the relay restarted`);
    await poll(() => popup.getByTestId('pending-count').count(), 10_000).toBe(0);
    // Exactly once: a moment later the server still has one copy of each, and the popup agrees.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await serverSubjects()).toEqual(wanted);
    await row(popup, KEEP).waitFor();
    for (const subject of TARGETS) expect(await row(popup, subject).count()).toBe(0);
    // Reopened: the relay's list, not only the optimistic cache, has them gone.
    await popup.close();
    popup = await world.openPopup();
    await row(popup, KEEP).waitFor({ timeout: 10_000 });
    for (const subject of TARGETS) expect(await row(popup, subject).count()).toBe(0);
  });
});
