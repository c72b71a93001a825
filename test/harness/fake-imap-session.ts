import type { FakeImapConnection } from './fake-imap.js';

export interface FakeMailboxOptions {
  /** CAPABILITY list (greeting and CAPABILITY). Default `IMAP4rev1 IDLE` (no QRESYNC, no AUTH=). */
  caps?: string;
  /** INBOX's UIDVALIDITY, read at every SELECT/EXAMINE/STATUS (a test may change it between sessions). */
  uidValidity: () => number;
  /** INBOX's message count in SELECT and STATUS (default 0; UIDNEXT stays 1, so nothing is fetched). */
  messages?: () => number;
  /** Called when the client enters IDLE, with the connection (to push EXISTS, BYE, ...). */
  onIdle?: (c: FakeImapConnection) => void;
}

/**
 * A scripted server that plays a minimal, empty, well-behaved IMAP server for one login, so a
 * relay account can come online (LOGIN, SELECT/EXAMINE, STATUS, IDLE, NOOP, LIST, LOGOUT) and a
 * test can then misbehave at a chosen point (onIdle). INBOX has no message the client can fetch; FETCH and SEARCH find
 * nothing; commands that would change mail (STORE, COPY, MOVE, EXPUNGE) are answered NO, and the
 * fake server's `received` list shows whether any was sent.
 *
 * @example
 * await using imap = await startFakeImap((c) => fakeMailbox(c, { uidValidity: () => 7 }));
 */
export function fakeMailbox(c: FakeImapConnection, options: FakeMailboxOptions): void {
  const caps = options.caps ?? 'IMAP4rev1 IDLE';
  let idleTag: string | null = null;
  c.send(`* OK [CAPABILITY ${caps}] fake mailbox ready\r\n`);
  c.onLine((line) => {
    if (idleTag !== null) {
      if (line.toUpperCase() === 'DONE') c.send(`${idleTag} OK IDLE terminated\r\n`);
      idleTag = null;
      return;
    }
    const [tag = '*', command = '', ...rest] = line.split(' ');
    const verb = (command.toUpperCase() === 'UID' ? (rest[0] ?? '') : command).toUpperCase();
    const uv = options.uidValidity();
    const count = options.messages?.() ?? 0;
    switch (verb) {
      case 'CAPABILITY':
        return c.send(`* CAPABILITY ${caps}\r\n${tag} OK done\r\n`);
      case 'LOGIN':
        return c.send(`${tag} OK [CAPABILITY ${caps}] logged in\r\n`);
      case 'ID':
        return c.send(`* ID NIL\r\n${tag} OK done\r\n`);
      case 'SELECT':
      case 'EXAMINE':
        return c.send(
          '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n' +
            '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] ok\r\n' +
            `* ${count} EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY ${uv}] ok\r\n* OK [UIDNEXT 1] ok\r\n` +
            `${tag} OK [${verb === 'SELECT' ? 'READ-WRITE' : 'READ-ONLY'}] selected\r\n`,
        );
      case 'STATUS':
        return c.send(`* STATUS INBOX (MESSAGES ${count} UNSEEN 0 UIDNEXT 1 UIDVALIDITY ${uv})\r\n${tag} OK done\r\n`);
      case 'LIST':
        return c.send(`* LIST (\\HasNoChildren) "/" INBOX\r\n${tag} OK done\r\n`);
      case 'SEARCH':
        return c.send(`* SEARCH\r\n${tag} OK done\r\n`);
      case 'FETCH':
      case 'NOOP':
      case 'CHECK':
      case 'CLOSE':
      case 'UNSELECT':
        return c.send(`${tag} OK done\r\n`);
      case 'IDLE':
        idleTag = tag;
        c.send('+ idling\r\n');
        return options.onIdle?.(c);
      case 'LOGOUT':
        c.send(`* BYE bye\r\n${tag} OK done\r\n`);
        return c.socket.end();
      default:
        return c.send(`${tag} NO not in this fake\r\n`);
    }
  });
}

/** Lines a client sent that would change mail (to assert that none was sent). */
export function mailChangingCommands(received: readonly string[]): string[] {
  return received.filter((line) => /^\S+ (UID )?(STORE|COPY|MOVE|EXPUNGE|APPEND)\b/i.test(line));
}
