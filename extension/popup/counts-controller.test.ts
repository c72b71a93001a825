// Issue 8: the unread totals did not follow actions until the relay's counts came back.
import { describe, expect, it } from 'vitest';
import { messageKey, type AccountSummary, type MailboxInfo } from '../../shared/index.js';
import type { Snapshot } from '../ui-protocol/snapshot.js';
import { account } from '../testing/fakes.js';
import { messageId, row, rows } from '../testing/mail-fakes.js';
import { done, started, tick } from '../testing/popup-fakes.js';
import { INBOX_FOLLOW_MS, withPending } from './unread-ledger.js';

const key = (uid: number) => messageKey(messageId(uid));

const snapshot = (accounts: AccountSummary[]): Snapshot => ({
  relayUrl: 'wss://relay.example',
  pairing: { status: 'paired', deviceId: 'd' },
  connection: { status: 'open', since: 1 },
  accounts,
  accountsAt: 1,
});

/** The relay's counts: INBOX watched, `unread` of its messages unread. */
const work = (unread: number) => account({ id: 'work', unread });

async function world(inboxUnread = 5) {
  const s = await started({ listRows: rows(1, 5) });
  let truth = [work(inboxUnread)];
  const relayCounts = (unread: number) => {
    truth = [work(unread)];
    s.popup.onSnapshot(snapshot(truth));
  };
  relayCounts(inboxUnread);
  /** The account's unread as the account menu shows it. */
  const shown = () => withPending(truth, s.popup.view.counts)[0]!.unread;
  return { ...s, relayCounts, shown };
}

describe('unread totals follow actions', () => {
  it('marking read lowers the total at once, before the relay answers, and does not count it twice', async () => {
    const { popup, channel, relayCounts, shown } = await world(5);
    popup.focusRow(key(3));
    channel.actionAnswers.push('hold');
    popup.command('markRead');
    expect(shown()).toBe(4);
    // The relay's IDLE saw the flag change before the reply came: the counts show it now.
    relayCounts(4);
    expect(shown()).toBe(4);
    await tick();
    channel.held[0]!.resolve({ ok: true, result: done([messageId(3)], { kind: 'seen', value: true }) });
    await tick();
    expect(shown()).toBe(4);
    expect(popup.view.counts).toEqual([]);
  });

  it('archiving an unread message lowers it, undo brings it back, the relay counts agree', async () => {
    const { popup, relayCounts, shown } = await world(5);
    popup.focusRow(key(2));
    popup.command('archive');
    expect(shown()).toBe(4);
    await tick();
    relayCounts(4);
    expect(shown()).toBe(4);
    popup.undo();
    expect(shown()).toBe(5);
    await tick();
    relayCounts(5);
    expect(shown()).toBe(5);
    expect(popup.view.counts).toEqual([]);
  });

  it('an undo whose move back is still on its way keeps its count however long it takes', async () => {
    const { popup, channel, clock, relayCounts, shown } = await world(5);
    popup.focusRow(key(2));
    popup.command('archive');
    await tick();
    relayCounts(4);
    channel.actionAnswers.push('hold');
    popup.undo();
    await tick();
    expect(channel.held).toHaveLength(1);
    clock.advance(INBOX_FOLLOW_MS * 3);
    expect(shown()).toBe(5);
    channel.held[0]!.resolve({
      ok: true,
      result: { status: 'failed', error: { code: 'UNREACHABLE', message: 'down' } },
    });
    await tick();
    // The move back failed: the message stays archived, and the count says so.
    expect(shown()).toBe(4);
    expect(popup.view.list.rows.some((r) => r.id.uid === 2)).toBe(false);
  });

  it('goes back to the truth when the action fails', async () => {
    const { popup, channel, shown } = await world(5);
    popup.selectAll();
    channel.actionAnswers.push({ status: 'failed', error: { code: 'UNREACHABLE', message: 'down' } });
    popup.command('markRead');
    expect(shown()).toBe(0);
    await tick();
    expect(shown()).toBe(5);
  });

  it('a done change the counts never showed goes after its window (another client undid it)', async () => {
    const { popup, clock, shown } = await world(5);
    popup.focusRow(key(1));
    popup.command('markRead');
    await tick();
    expect(shown()).toBe(4);
    clock.advance(INBOX_FOLLOW_MS);
    expect(shown()).toBe(5);
  });

  it('already-read messages change nothing; marking unread raises it', async () => {
    const { popup, shown } = await started({ listRows: [row(2, { seen: true, flags: ['\\Seen'] }), row(1)] }).then(
      async (s) => {
        s.popup.onSnapshot(snapshot([work(1)]));
        return { ...s, shown: () => withPending([work(1)], s.popup.view.counts)[0]!.unread };
      },
    );
    popup.focusRow(key(2));
    popup.command('archive');
    expect(shown()).toBe(1);
    popup.focusRow(key(1));
    popup.command('markUnread');
    expect(shown()).toBe(1);
    popup.command('markRead');
    expect(shown()).toBe(0);
  });

  it('loaded folder lists follow a move: one less where it was, one more where it landed', async () => {
    const { popup, channel } = await world(5);
    const folder = (path: string, unread: number): MailboxInfo => ({
      path,
      name: path,
      delimiter: '/',
      parent: null,
      role: null,
      unread,
      total: 10,
      subscribed: true,
      selectable: true,
    });
    channel.on('mailboxes.list', () => ({ mailboxes: [folder('INBOX', 5), folder('Projects', 2)] }));
    await popup.loadMailboxes('work');
    popup.focusRow(key(4));
    popup.openMove();
    popup.moveTo('Projects');
    const unread = () => {
      const state = popup.view.mailboxes['work'];
      return state?.status === 'ready' ? state.data.map((m) => m.unread) : null;
    };
    expect(unread()).toEqual([4, 2]);
    await tick();
    expect(unread()).toEqual([4, 3]);
    popup.undo();
    await tick();
    expect(unread()).toEqual([5, 2]);
  });
});
