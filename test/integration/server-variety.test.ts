// Server-variety matrix (issue 12): servers that are merely different must not break anything.
// Each configuration is one private Dovecot playing another kind of server: an unsubscribed
// folder, no LIST-STATUS, no SPECIAL-USE (roles guessed from English and Spanish names), no
// CONDSTORE/QRESYNC, no MOVE/UIDPLUS, Courier/cPanel's `INBOX.` prefix with a `.` delimiter, a
// Gmail-style `[Gmail]/` tree with \All, folder names in modified UTF-7 (accents, CJK), and a
// shared (other users') namespace. Every request type the extension sends runs against each:
// mailboxes.list, messages.list (two pages), message.get, message.part, the attachment route, messages.search,
// the seen/flagged flags, move, archive, delete and messages.sync. Every result is parsed again
// here with the shared zod schemas, exactly as the extension parses it, so a result the extension
// would reject fails this suite; what the server holds afterwards is read back over IMAP.
//
// One relay serves every configuration (one account each, added with accounts.add as the options
// page adds it); one Dovecot per configuration.
import { randomBytes } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseResult,
  RelayPaths,
  type MailboxInfo,
  type MailboxRole,
  type MessageId,
  type RequestParams,
  type RequestResult,
  type RequestType,
} from '../../shared/index.js';
import {
  capabilitiesWithout,
  startDovecot,
  type Dovecot,
  type ImapUser,
  type StartDovecotOptions,
} from '../harness/dovecot.js';
import { appendMessage, withImap } from '../harness/mail.js';
import { pairToken, waitForAccount } from '../harness/mail-relay.js';
import { rejection, TestClient, TEST_ORIGIN } from '../harness/protocol-client.js';
import { testCertificates } from '../harness/certs.js';
import { startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { serverSettings, trustTestCaEnv } from '../harness/setup-fixtures.js';

interface Variety {
  dovecot: StartDovecotOptions;
  /** Runs as the user before the account is added (folders to create, subscriptions). */
  prepare?: (client: ImapFlow, context: { other: ImapUser; dovecot: Dovecot }) => Promise<void>;
  /** Role → path the relay must report (roles not named here must not appear, except inbox). */
  roles: Partial<Record<MailboxRole, string>>;
  /** A plain folder (no role) the move goes to. */
  moveTo: string;
  /** Where archive moves to, or null when the account has no folder for it (NOT_FOUND). */
  archive: string | null;
  /** More checks for what makes this server different. */
  extra?: (v: Context) => Promise<void>;
}

interface Context {
  dovecot: Dovecot;
  user: ImapUser;
  other: ImapUser;
  accountId: string;
  mailboxes: MailboxInfo[];
}

/** Capabilities minus the extension(s) a configuration lacks. */
const without = (...names: string[]) => ({ capabilities: capabilitiesWithout(...names) });

/** A `namespace inbox` block with plain (not special-use) folders, auto-subscribed. */
function plainFolders(names: string[], head = ''): string {
  const folders = names.map((n) => `  mailbox "${n}" {\n    auto = subscribe\n  }\n`).join('');
  return `namespace inbox {\n  inbox = yes\n${head}${folders}}\n`;
}

const GMAIL_NAMESPACE = `namespace inbox {
  inbox = yes
  separator = /
${[
  ['All Mail', '\\All'],
  ['Sent Mail', '\\Sent'],
  ['Drafts', '\\Drafts'],
  ['Spam', '\\Junk'],
  ['Trash', '\\Trash'],
  ['Starred', '\\Flagged'],
]
  .map(([n, flag]) => `  mailbox "[Gmail]/${n}" {\n    special_use = ${flag}\n    auto = subscribe\n  }\n`)
  .join('')}}
`;

const STANDARD_ROLES = { drafts: 'Drafts', sent: 'Sent', trash: 'Trash', junk: 'Junk', archive: 'Archive' } as const;

const varieties: Record<string, Variety> = {
  'an unsubscribed folder': {
    dovecot: {},
    prepare: async (c) => {
      await c.mailboxCreate('Never subscribed');
      await c.mailboxUnsubscribe('Never subscribed');
    },
    roles: STANDARD_ROLES,
    moveTo: 'Never subscribed',
    archive: 'Archive',
    extra: async ({ mailboxes }) => {
      expect(mailboxes.find((m) => m.path === 'Never subscribed')).toMatchObject({ subscribed: false });
      expect(mailboxes.find((m) => m.path === 'Sent')).toMatchObject({ subscribed: true });
    },
  },
  'no LIST-STATUS': {
    dovecot: without('LIST-STATUS'),
    prepare: (c) => c.mailboxCreate('Projects').then(() => undefined),
    roles: STANDARD_ROLES,
    moveTo: 'Projects',
    archive: 'Archive',
  },
  'no SPECIAL-USE, English names': {
    dovecot: { ...without('SPECIAL-USE'), namespaces: plainFolders(['Sent', 'Trash', 'Drafts', 'Archive', 'Spam']) },
    prepare: (c) => c.mailboxCreate('Receipts').then(() => undefined),
    roles: { sent: 'Sent', trash: 'Trash', drafts: 'Drafts', archive: 'Archive', junk: 'Spam' },
    moveTo: 'Receipts',
    archive: 'Archive',
  },
  'no SPECIAL-USE, Spanish names': {
    dovecot: {
      ...without('SPECIAL-USE'),
      namespaces: plainFolders(['Enviados', 'Papelera', 'Borradores', 'Archivo', 'Correo no deseado']),
    },
    prepare: (c) => c.mailboxCreate('Facturas').then(() => undefined),
    roles: {
      sent: 'Enviados',
      trash: 'Papelera',
      drafts: 'Borradores',
      archive: 'Archivo',
      junk: 'Correo no deseado',
    },
    moveTo: 'Facturas',
    archive: 'Archivo',
  },
  'no CONDSTORE/QRESYNC': {
    dovecot: without('CONDSTORE', 'QRESYNC'),
    prepare: (c) => c.mailboxCreate('Projects').then(() => undefined),
    roles: STANDARD_ROLES,
    moveTo: 'Projects',
    archive: 'Archive',
  },
  'no MOVE/UIDPLUS': {
    dovecot: without('MOVE', 'UIDPLUS'),
    prepare: (c) => c.mailboxCreate('Projects').then(() => undefined),
    roles: STANDARD_ROLES,
    moveTo: 'Projects',
    archive: 'Archive',
    extra: async ({ dovecot, user, accountId }) => {
      // Without UID EXPUNGE a plain EXPUNGE would also remove what another client marked \Deleted
      // (and may still undelete): the relay refuses, copies nothing and removes nothing.
      const { uid: mine } = await appendMessage(dovecot, user, { subject: 'to move later' });
      const { uid: theirs } = await appendMessage(dovecot, user, { subject: 'marked by another client' });
      await withImap(dovecot, user, async (c) => {
        await c.mailboxOpen('INBOX');
        await c.messageFlagsAdd(String(theirs), ['\\Deleted'], { uid: true });
      });
      const before = await countIn(dovecot, user, 'Projects');
      using client = await connect();
      const id = await idOf(client, accountId, 'INBOX', mine);
      const err = await rejection(action(client, [id], { kind: 'move', to: 'Projects' }));
      expect(err.error.code).toBe('IMAP_ERROR');
      expect(err.error.message).toMatch(/UIDPLUS/);
      expect(await uidsIn(dovecot, user, 'INBOX')).toEqual(expect.arrayContaining([mine, theirs]));
      expect(await countIn(dovecot, user, 'Projects')).toBe(before);
      // Once the other client restored its message, the move goes through (COPY + \Deleted + EXPUNGE).
      await withImap(dovecot, user, async (c) => {
        await c.mailboxOpen('INBOX');
        await c.messageFlagsRemove(String(theirs), ['\\Deleted'], { uid: true });
      });
      const [moved] = await action(client, [id], { kind: 'move', to: 'Projects' });
      expect(moved).toMatchObject({ ok: true, error: null });
      const inbox = await uidsIn(dovecot, user, 'INBOX');
      expect(inbox).toContain(theirs);
      expect(inbox).not.toContain(mine);
      expect(await countIn(dovecot, user, 'Projects')).toBe(before + 1);
    },
  },
  'Courier/cPanel: INBOX. prefix, "." delimiter, no SPECIAL-USE': {
    dovecot: {
      ...without('SPECIAL-USE'),
      namespaces: plainFolders(['Sent', 'Trash', 'Drafts', 'Archive', 'Spam'], '  prefix = INBOX.\n  separator = .\n'),
    },
    prepare: async (c) => {
      await c.mailboxCreate('INBOX.Clients');
      await c.mailboxCreate('INBOX.Clients.Acme');
    },
    roles: {
      sent: 'INBOX.Sent',
      trash: 'INBOX.Trash',
      drafts: 'INBOX.Drafts',
      archive: 'INBOX.Archive',
      junk: 'INBOX.Spam',
    },
    moveTo: 'INBOX.Clients.Acme',
    archive: 'INBOX.Archive',
    extra: async ({ mailboxes }) => {
      expect(mailboxes.find((m) => m.path === 'INBOX.Clients.Acme')).toMatchObject({
        name: 'Acme',
        parent: 'INBOX.Clients',
        delimiter: '.',
      });
      expect(mailboxes.find((m) => m.path === 'INBOX.Sent')).toMatchObject({ parent: 'INBOX', name: 'Sent' });
    },
  },
  'Gmail-style [Gmail]/ tree with \\All': {
    dovecot: { namespaces: GMAIL_NAMESPACE },
    prepare: (c) => c.mailboxCreate('Work').then(() => undefined),
    roles: {
      all: '[Gmail]/All Mail',
      sent: '[Gmail]/Sent Mail',
      drafts: '[Gmail]/Drafts',
      junk: '[Gmail]/Spam',
      trash: '[Gmail]/Trash',
      flagged: '[Gmail]/Starred',
    },
    moveTo: 'Work',
    // No \Archive: archiving leaves INBOX for All Mail, as on Gmail.
    archive: '[Gmail]/All Mail',
    extra: async ({ mailboxes }) => {
      expect(mailboxes.find((m) => m.path === '[Gmail]/All Mail')).toMatchObject({ name: 'All Mail', delimiter: '/' });
    },
  },
  'modified UTF-7 names (accents, CJK)': {
    dovecot: {},
    prepare: async (c) => {
      await c.mailboxCreate('Café Übersicht');
      await c.mailboxCreate('Café Übersicht.日本語フォルダ');
      await c.mailboxCreate('Ελληνικά & more');
    },
    roles: STANDARD_ROLES,
    moveTo: 'Café Übersicht.日本語フォルダ',
    archive: 'Archive',
    extra: async ({ mailboxes, dovecot, user, accountId }) => {
      expect(mailboxes.find((m) => m.path === 'Café Übersicht.日本語フォルダ')).toMatchObject({
        name: '日本語フォルダ',
        parent: 'Café Übersicht',
      });
      expect(mailboxes.map((m) => m.path)).toContain('Ελληνικά & more');
      // A move into a name with "&" (the modified UTF-7 escape) lands in that folder.
      const { uid } = await appendMessage(dovecot, user, { subject: 'ampersand' });
      using client = await connect();
      const [moved] = await action(client, [await idOf(client, accountId, 'INBOX', uid)], {
        kind: 'move',
        to: 'Ελληνικά & more',
      });
      expect(moved).toMatchObject({ ok: true });
      expect(await countIn(dovecot, user, 'Ελληνικά & more')).toBe(1);
    },
  },
  'a shared namespace with other users’ folders': {
    dovecot: {
      namespaces: `namespace inbox {
  inbox = yes
  separator = /
}
namespace shared {
  type = shared
  separator = /
  prefix = shared/%%u/
  location = maildir:%%h/Maildir:INDEXPVT=~/shared/%%u
  subscriptions = no
  list = children
}
# ACLs say who shares what; the dictionary lets LIST find the users who shared with this one.
mail_plugins = $mail_plugins acl
protocol imap {
  mail_plugins = $mail_plugins imap_acl
}
plugin {
  acl = vfile
  acl_shared_dict = file:%h/../shared-mailboxes.db
}
${plainFolders(['Sent', 'Trash', 'Drafts', 'Archive', 'Junk']).replace('namespace inbox {\n  inbox = yes\n', 'namespace inbox {\n')}`,
    },
    prepare: async (c, { other, dovecot }) => {
      await appendMessage(dovecot, other, { subject: 'in a shared folder' });
      // The other user shares their INBOX with this one (read, flag, insert, expunge).
      const user = (c.options.auth as { user: string }).user;
      const rights = ['lookup', 'read', 'write', 'write-seen', 'write-deleted', 'insert', 'expunge'];
      await dovecot.doveadm(['acl', 'set', '-u', other.username, 'INBOX', `user=${user}`, ...rights]);
      await c.mailboxCreate('Projects');
    },
    roles: { sent: 'Sent', trash: 'Trash', drafts: 'Drafts', archive: 'Archive', junk: 'Junk' },
    moveTo: 'Projects',
    archive: 'Archive',
    extra: async ({ mailboxes, accountId, other }) => {
      expect(
        mailboxes.find((m) => m.path === 'shared'),
        JSON.stringify(mailboxes),
      ).toMatchObject({
        selectable: false,
        role: null,
      });
      const shared = mailboxes.find((m) => m.selectable && m.path.startsWith(`shared/${other.username}`));
      expect(shared, JSON.stringify(mailboxes)).toBeDefined();
      using client = await connect();
      const page = await request(client, 'messages.list', {
        scope: { kind: 'mailbox', accountId, mailbox: shared!.path },
        cursor: null,
        limit: 50,
      });
      expect(page.rows.map((r) => r.subject)).toEqual(['in a shared folder']);
      const message = await request(client, 'message.get', { id: page.rows[0]!.id });
      expect(message.subject).toBe('in a shared folder');
      const [flagged] = await action(client, [page.rows[0]!.id], { kind: 'flagged', value: true });
      expect(flagged).toMatchObject({ ok: true });
    },
  },
};

let relay: RelayProcess;
let token: string;
const started = performance.now();

beforeAll(async () => {
  // Every instance serves a certificate of the same test CA, trusted like a system CA.
  relay = await startRelayProcess({ env: trustTestCaEnv({ caPem: (await testCertificates()).ca.certPem }) });
  token = await pairToken(relay);
});

afterAll(async () => {
  await relay?.[Symbol.asyncDispose]();
  // The figure issue 12 asks for: the matrix's run time, relay start-up included.
  console.info(`server-variety matrix: ${Math.round(performance.now() - started)} ms`);
});

async function connect(): Promise<TestClient> {
  return (await TestClient.connect(relay.url, token)).client;
}

/**
 * A request whose result is parsed again with the shared schema, as the extension does (TestClient
 * parses too; this keeps the check visible and independent of the harness).
 */
async function request<T extends RequestType>(
  client: TestClient,
  type: T,
  params: RequestParams<T>,
): Promise<RequestResult<T>> {
  const parsed = parseResult(type, await client.request(type, params));
  if (!parsed.ok) throw new Error(`${type}: the extension would reject this result: ${parsed.error.message}`);
  return parsed.value;
}

async function action(
  client: TestClient,
  ids: MessageId[],
  act: RequestParams<'messages.action'>['action'],
): Promise<RequestResult<'messages.action'>['outcomes']> {
  const { outcomes } = await request(client, 'messages.action', {
    actionId: `variety-${randomBytes(6).toString('hex')}`,
    ids,
    action: act,
  });
  return outcomes;
}

/** The relay's identity of the message with `uid` in `mailbox` (from a first page). */
async function idOf(client: TestClient, accountId: string, mailbox: string, uid: number): Promise<MessageId> {
  // Mail another client just appended reaches the relay by push (IDLE), a moment later.
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { rows } = await request(client, 'messages.list', {
      scope: { kind: 'mailbox', accountId, mailbox },
      cursor: null,
      limit: 50,
    });
    const row = rows.find((r) => r.id.uid === uid);
    if (row) return row.id;
    if (Date.now() > deadline) throw new Error(`UID ${uid} is not listed in ${mailbox}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function uidsIn(dovecot: Dovecot, user: ImapUser, mailbox: string): Promise<number[]> {
  return withImap(dovecot, user, async (c) => {
    await c.mailboxOpen(mailbox, { readOnly: true });
    return (await c.search({ all: true }, { uid: true })) || [];
  });
}

async function countIn(dovecot: Dovecot, user: ImapUser, mailbox: string): Promise<number> {
  return withImap(dovecot, user, async (c) => {
    const status = await c.status(mailbox, { messages: true });
    return status ? (status.messages ?? -1) : -1;
  });
}

const ATTACHMENT = randomBytes(3000);
/** Not a real PNG: the relay passes bytes through, it never decodes images. */
const INLINE = randomBytes(300);

function withAttachment(subject: string): string {
  return [
    'From: Ana <ana@example.test>',
    'To: me@example.test',
    `Subject: ${subject}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'The report is attached. Quarterly numbers inside.',
    '--b',
    'Content-Type: application/octet-stream',
    'Content-Disposition: attachment; filename="report.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    ATTACHMENT.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--b',
    'Content-Type: image/png',
    'Content-Disposition: inline; filename="logo.png"',
    'Content-ID: <logo@variety.test>',
    'Content-Transfer-Encoding: base64',
    '',
    INLINE.toString('base64'),
    '--b--',
    '',
  ].join('\r\n');
}

for (const [name, variety] of Object.entries(varieties)) {
  describe(`server variety: ${name}`, () => {
    let dovecot: Dovecot;
    const ctx = {} as Context;
    const uids: number[] = [];

    beforeAll(async () => {
      dovecot = await startDovecot(variety.dovecot);
      const user = await dovecot.addUser();
      const other = await dovecot.addUser();
      await withImap(dovecot, user, async (c) => variety.prepare?.(c, { other, dovecot }));
      const base = Date.UTC(2026, 0, 10);
      uids.push((await appendMessage(dovecot, user, { subject: 'Variety one', date: new Date(base) })).uid);
      uids.push((await appendMessage(dovecot, user, { raw: withAttachment('Variety two') })).uid);
      uids.push((await appendMessage(dovecot, user, { subject: 'Variety three', date: new Date(base + 2) })).uid);
      // Added as the options page adds it: the relay's connection test runs against this server too.
      using client = await connect();
      const { account, diagnosis } = await request(client, 'accounts.add', {
        settings: serverSettings(dovecot, user),
        password: user.password,
        name,
        color: null,
        watchedMailboxes: ['INBOX'],
      });
      expect(diagnosis.ok, JSON.stringify(diagnosis.steps)).toBe(true);
      const accountId = account.id;
      await waitForAccount(client, accountId);
      Object.assign(ctx, { dovecot, user, other, accountId });
    }, 60_000);

    afterAll(async () => {
      await dovecot?.[Symbol.asyncDispose]();
    });

    it('lists folders with roles, hierarchy and counts the extension accepts', async () => {
      using client = await connect();
      const { mailboxes } = await request(client, 'mailboxes.list', { accountId: ctx.accountId });
      ctx.mailboxes = mailboxes;
      const roles = Object.fromEntries(mailboxes.filter((m) => m.role).map((m) => [m.role, m.path]));
      expect(roles).toEqual({ inbox: 'INBOX', ...variety.roles });
      expect(new Set(mailboxes.map((m) => m.path)).size).toBe(mailboxes.length);
      expect(mailboxes[0]).toMatchObject({ path: 'INBOX', unread: 3, total: 3, selectable: true });
      expect(mailboxes.find((m) => m.path === variety.moveTo)).toMatchObject({ selectable: true, role: null });
      for (const m of mailboxes) {
        if (m.parent === null) continue;
        expect(m.delimiter, m.path).not.toBeNull();
        expect(m.path, m.path).toBe(`${m.parent}${m.delimiter}${m.name}`);
      }
    });

    it('pages the INBOX, reads a message and its attachment, and searches', async () => {
      using client = await connect();
      const scope = { kind: 'mailbox' as const, accountId: ctx.accountId, mailbox: 'INBOX' };
      const first = await request(client, 'messages.list', { scope, cursor: null, limit: 2 });
      expect(first.total).toBe(3);
      expect(first.rows.map((r) => r.id.uid)).toEqual([uids[2], uids[1]]);
      expect(first.nextCursor).not.toBeNull();
      const second = await request(client, 'messages.list', { scope, cursor: first.nextCursor, limit: 2 });
      expect(second.rows.map((r) => r.subject)).toEqual(['Variety one']);
      expect(second.nextCursor).toBeNull();

      const id = first.rows[1]!.id;
      const message = await request(client, 'message.get', { id });
      expect(message.subject).toBe('Variety two');
      expect(message.body.content).toContain('The report is attached.');
      expect(message.attachments).toEqual([
        expect.objectContaining({ partId: '2', filename: 'report.bin', inline: false }),
        expect.objectContaining({ partId: '3', contentId: 'logo@variety.test', inline: true }),
      ]);
      // The inline (cid:) part, as the popup fetches it for the message body.
      const part = await request(client, 'message.part', { id, partId: '3' });
      expect(part).toMatchObject({ contentType: 'image/png', truncated: false });
      expect(Buffer.from(part.dataBase64, 'base64').equals(INLINE)).toBe(true);
      const query = new URLSearchParams({ ...id, uid: String(id.uid), partId: '2' });
      const res = await fetch(`${relay.httpUrl}${RelayPaths.attachment}?${query}`, {
        headers: { authorization: `Bearer ${token}`, origin: TEST_ORIGIN },
      });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).equals(ATTACHMENT)).toBe(true);

      const bySubject = await request(client, 'messages.search', {
        scope,
        query: { subject: 'three' },
        cursor: null,
        limit: 50,
      });
      expect(bySubject.rows.map((r) => r.id.uid)).toEqual([uids[2]]);
      const byText = await request(client, 'messages.search', {
        scope,
        query: { text: 'Quarterly' },
        cursor: null,
        limit: 50,
      });
      expect(byText.rows.map((r) => r.id.uid)).toEqual([uids[1]]);
    });

    it('sets flags, moves, archives and deletes, and messages.sync reports what changed', async () => {
      using client = await connect();
      const { dovecot: d, user, accountId } = ctx;
      const [one, two, three] = await Promise.all(uids.map((uid) => idOf(client, accountId, 'INBOX', uid)));

      const [seen] = await action(client, [one!], { kind: 'seen', value: true });
      expect(seen).toMatchObject({ ok: true, error: null });
      const [flagged] = await action(client, [one!], { kind: 'flagged', value: true });
      expect(flagged).toMatchObject({ ok: true, error: null });
      const flags = await withImap(d, user, async (c) => {
        await c.mailboxOpen('INBOX', { readOnly: true });
        const fetched = await c.fetchOne(String(one!.uid), { flags: true }, { uid: true });
        return fetched ? [...(fetched.flags ?? [])] : [];
      });
      expect(flags).toEqual(expect.arrayContaining(['\\Seen', '\\Flagged']));

      const [moved] = await action(client, [three!], { kind: 'move', to: variety.moveTo });
      expect(moved).toMatchObject({ ok: true, error: null });
      const target = await request(client, 'messages.list', {
        scope: { kind: 'mailbox', accountId, mailbox: variety.moveTo },
        cursor: null,
        limit: 50,
      });
      expect(target.rows.map((r) => r.subject)).toContain('Variety three');
      if (moved!.movedTo) expect(target.rows.map((r) => r.id)).toContainEqual(moved!.movedTo);

      const sync = await request(client, 'messages.sync', {
        accountId,
        mailbox: 'INBOX',
        uidValidity: one!.uidValidity,
        uids: [one!.uid, two!.uid, three!.uid],
      });
      expect(sync).toMatchObject({ reset: false, vanished: [three!.uid], total: 2, unread: 1 });
      expect(sync.flags.find((f) => f.uid === one!.uid)?.flags).toEqual(
        expect.arrayContaining(['\\Seen', '\\Flagged']),
      );

      if (variety.archive === null) {
        const [archived] = await action(client, [one!], { kind: 'archive' });
        expect(archived?.error?.code).toBe('NOT_FOUND');
      } else {
        const before = await countIn(d, user, variety.archive);
        const [archived] = await action(client, [one!], { kind: 'archive' });
        expect(archived).toMatchObject({ ok: true, error: null });
        expect(await countIn(d, user, variety.archive)).toBe(before + 1);
      }

      const trash = variety.roles.trash!;
      const [deleted] = await action(client, [two!], { kind: 'delete' });
      expect(deleted).toMatchObject({ ok: true, error: null });
      expect(await countIn(d, user, trash)).toBe(1);
      const left = await uidsIn(d, user, 'INBOX');
      expect(left).not.toContain(two!.uid);
      expect(left).not.toContain(three!.uid);
    });

    if (variety.extra) it('handles what makes this server different', () => variety.extra!(ctx));
  });
}
