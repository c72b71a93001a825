import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fchownSync, futimesSync, openSync, writeFileSync, writeSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';
import { mkdirMailOwned, type Dovecot, type ImapUser } from './dovecot.js';

export interface ConnectImapOptions {
  /** `tls` (implicit TLS on imapsPort, default) or `starttls` (required STARTTLS on starttlsPort). */
  security?: 'tls' | 'starttls';
  /** No IDLE between commands, like the relay's command connection (imapflow's disableAutoIdle). */
  disableAutoIdle?: boolean;
}

/** An imapflow client that logs out when disposed (`await using client = await connectImap(...)`). */
export type TestImapClient = ImapFlow & AsyncDisposable;

/**
 * A logged-in imapflow client for `user` that trusts what the instance serves: the test CA for a
 * `ca-signed` instance, the certificate itself for a `self-signed` one. Certificates and host names
 * are verified as in production (127.0.0.1 is in the certificate's SANs).
 *
 * @example
 * await using client = await connectImap(dovecot, user);
 * await client.mailboxOpen('INBOX');
 */
export async function connectImap(
  dovecot: Dovecot,
  user: ImapUser,
  options: ConnectImapOptions = {},
): Promise<TestImapClient> {
  const security = options.security ?? 'tls';
  const client = new ImapFlow({
    host: dovecot.host,
    port: security === 'tls' ? dovecot.imapsPort : dovecot.starttlsPort,
    secure: security === 'tls',
    doSTARTTLS: security === 'starttls' ? true : undefined,
    auth: { user: user.username, pass: user.password },
    tls: {
      ca: dovecot.certificate === 'ca-signed' ? dovecot.caPem : dovecot.certPem,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    },
    logger: false,
    ...(options.disableAutoIdle ? { disableAutoIdle: true } : {}),
  });
  // An unhandled 'error' event would crash the test worker; failures surface through the promises.
  client.on('error', () => undefined);
  await client.connect();
  return Object.assign(client, {
    async [Symbol.asyncDispose](): Promise<void> {
      if (client.usable) {
        try {
          await client.logout();
          return;
        } catch {
          // Fall through to close().
        }
      }
      client.close();
    },
  });
}

/** Runs `fn` with a fresh logged-in client and always logs out. */
export async function withImap<T>(dovecot: Dovecot, user: ImapUser, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
  await using client = await connectImap(dovecot, user);
  return await fn(client);
}

export interface MessageOptions {
  /** `Name <addr>` or a bare address. Default `Alice Example <alice@example.test>`. */
  from?: string;
  /** Default `<username>@example.test`. */
  to?: string;
  subject?: string;
  /** Plain text part; default a short greeting when neither text nor html is given. */
  text?: string;
  /** HTML part; with `text` the message is multipart/alternative. */
  html?: string;
  /** Date header; default now. */
  date?: Date;
  messageId?: string;
  /** Extra header lines, inserted verbatim (caller encodes non-ASCII). */
  headers?: Record<string, string>;
}

const ASCII_ONLY = /^[\x20-\x7e]*$/;

/** RFC 5322 date-time (`Sun, 30 Nov 2025 20:31:30 +0000`). */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

/** RFC 2047 encoded-words for a header value, split so each word stays under 75 characters. */
export function encodeHeaderValue(value: string): string {
  if (ASCII_ONLY.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

function encodeAddress(address: string): string {
  const match = /^\s*(.*?)\s*<([^>]+)>\s*$/.exec(address);
  if (!match) return address;
  const [, name = '', addr = ''] = match;
  if (!name) return `<${addr}>`;
  if (!ASCII_ONLY.test(name)) return `${encodeHeaderValue(name)} <${addr}>`;
  return /[()<>[\]:;@\\,."]/.test(name) ? `"${name.replace(/["\\]/g, '\\$&')}" <${addr}>` : `${name} <${addr}>`;
}

function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** A body part: 7bit when it is short-lined ASCII, else UTF-8 in base64 (wrapped at 76). */
function part(type: 'text/plain' | 'text/html', content: string): string {
  const body = crlf(content);
  const plain = body.split('\r\n').every((line) => line.length <= 998 && /^[\t\x20-\x7e]*$/.test(line));
  if (plain) {
    return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${body}\r\n`;
  }
  const b64 = Buffer.from(body, 'utf8').toString('base64').replace(/.{76}/g, '$&\r\n');
  return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`;
}

/**
 * An RFC 5322 message with CRLF line endings.
 *
 * @example buildMessage({ subject: 'Grüße', text: 'Hallo', html: '<p>Hallo</p>' })
 */
export function buildMessage(options: MessageOptions & { toDefault?: string } = {}): string {
  const from = options.from ?? 'Alice Example <alice@example.test>';
  const to = options.to ?? options.toDefault ?? 'bob@example.test';
  const messageId = options.messageId ?? `<${randomBytes(8).toString('hex')}@tidings.test>`;
  const headers = [
    `Date: ${rfc5322Date(options.date ?? new Date())}`,
    `From: ${encodeAddress(from)}`,
    `To: ${encodeAddress(to)}`,
    `Subject: ${encodeHeaderValue(options.subject ?? 'Test message')}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ].join('\r\n');
  const text = options.text ?? (options.html === undefined ? 'Hello from the Tidings test harness.' : undefined);
  if (text !== undefined && options.html !== undefined) {
    const boundary = `=_tidings_${randomBytes(8).toString('hex')}`;
    return (
      `${headers}\r\nContent-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\n${part('text/plain', text)}` +
      `--${boundary}\r\n${part('text/html', options.html)}` +
      `--${boundary}--\r\n`
    );
  }
  return `${headers}\r\n${part(options.html !== undefined ? 'text/html' : 'text/plain', text ?? options.html ?? '')}`;
}

function defaultTo(user: ImapUser): string {
  return user.username.includes('@') ? user.username : `${user.username}@example.test`;
}

export interface AppendOptions extends MessageOptions {
  /** IMAP flags, e.g. `['\\Seen']`. Default none (unread). */
  flags?: string[];
  /** Default INBOX. */
  mailbox?: string;
  /** A complete raw message instead of building one from the fields above. */
  raw?: string | Buffer;
}

/**
 * APPENDs one message as another client would (so IDLE watchers see EXISTS) and returns its UID.
 *
 * @example const { uid } = await appendMessage(dovecot, user, { subject: 'Hi' });
 */
export async function appendMessage(
  dovecot: Dovecot,
  user: ImapUser,
  options: AppendOptions = {},
): Promise<{ uid: number }> {
  const mailbox = options.mailbox ?? 'INBOX';
  const raw = options.raw ?? buildMessage({ ...options, toDefault: defaultTo(user) });
  return await withImap(dovecot, user, async (client) => {
    const result = await client.append(mailbox, raw, options.flags ?? [], options.date);
    if (!result || result.uid === undefined) throw new Error(`APPEND to ${mailbox} returned no UID`);
    return { uid: result.uid };
  });
}

/** Sets or clears \Seen on one message by UID, as another mail client would. */
export async function setSeen(
  dovecot: Dovecot,
  user: ImapUser,
  uid: number,
  seen: boolean,
  mailbox = 'INBOX',
): Promise<void> {
  await withImap(dovecot, user, async (client) => {
    await client.mailboxOpen(mailbox);
    const ok = seen
      ? await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true })
      : await client.messageFlagsRemove(String(uid), ['\\Seen'], { uid: true });
    if (!ok) throw new Error(`STORE ${seen ? '+' : '-'}FLAGS \\Seen on UID ${uid} in ${mailbox} failed`);
  });
}

/** STATUS UNSEEN of a mailbox, as the server reports it. */
export async function statusUnseen(dovecot: Dovecot, user: ImapUser, mailbox = 'INBOX'): Promise<number> {
  return await withImap(dovecot, user, async (client) => {
    const status = await client.status(mailbox, { unseen: true });
    if (!status || status.unseen === undefined) throw new Error(`STATUS ${mailbox} returned no UNSEEN`);
    return status.unseen;
  });
}

/** The on-disk maildir of a mailbox (Maildir++ layout, Dovecot's default '.' separator). */
export function maildirPath(dovecot: Dovecot, user: ImapUser, mailbox = 'INBOX'): string {
  const root = join(dovecot.homeOf(user.username), 'Maildir');
  if (mailbox.toUpperCase() === 'INBOX') return root;
  if (!ASCII_ONLY.test(mailbox) || mailbox.includes('&')) {
    throw new Error(
      `maildirPath: only plain ASCII mailbox names are supported (mUTF-7 is not implemented): ${mailbox}`,
    );
  }
  return join(root, `.${mailbox.replace(/\//g, '.')}`);
}

export interface SeedOptions {
  /** Default INBOX; other mailboxes are created if missing. */
  mailbox?: string;
  /** Fraction of messages marked \Seen, spread evenly (default 0: all unread). */
  seenRatio?: number;
}

let seedCounter = 0;

/**
 * Writes `count` messages straight into the user's maildir (`cur/`), bypassing IMAP: ~1 s per
 * 10k messages against ~25 s for APPEND (TEST-INFRA.md). Dovecot indexes them on first access.
 * Message i (0-based) is "Seeded message i", dated so that higher UIDs are newer. Returns how
 * many are unseen. Yields to the event loop between batches.
 *
 * @example const { unseen } = await seedMaildir(dovecot, user, 10_000, { seenRatio: 0.9 });
 */
export async function seedMaildir(
  dovecot: Dovecot,
  user: ImapUser,
  count: number,
  options: SeedOptions = {},
): Promise<{ count: number; unseen: number; mailbox: string }> {
  const mailbox = options.mailbox ?? 'INBOX';
  const ratio = Math.min(1, Math.max(0, options.seenRatio ?? 0));
  const dir = maildirPath(dovecot, user, mailbox);
  for (const sub of ['cur', 'new', 'tmp']) mkdirMailOwned(dovecot, join(dir, sub));
  if (mailbox.toUpperCase() !== 'INBOX') {
    const marker = join(dir, 'maildirfolder');
    if (!existsSync(marker)) {
      writeFileSync(marker, '');
      chownSync(marker, dovecot.mailUid, dovecot.mailGid);
    }
  }
  const to = defaultTo(user);
  const nowSeconds = Math.floor(Date.now() / 1000);
  const oldest = nowSeconds - count * 60;
  const tag = randomBytes(4).toString('hex');
  let unseen = 0;
  for (let i = 0; i < count; i++) {
    // Evenly spread: message i is seen when the running total of `ratio` crosses an integer.
    const seen = Math.floor((i + 1) * ratio) > Math.floor(i * ratio);
    if (!seen) unseen += 1;
    const seconds = oldest + i * 60;
    const date = new Date(seconds * 1000);
    const content = Buffer.from(
      `Date: ${rfc5322Date(date)}\r\n` +
        `From: Sender ${i % 50} <sender${i % 50}@example.test>\r\n` +
        `To: ${to}\r\n` +
        `Subject: Seeded message ${i}\r\n` +
        `Message-ID: <seed-${tag}-${i}@tidings.test>\r\n` +
        'MIME-Version: 1.0\r\n' +
        'Content-Type: text/plain; charset=utf-8\r\n' +
        'Content-Transfer-Encoding: 7bit\r\n' +
        '\r\n' +
        `Body of seeded message ${i}.\r\n`,
      'latin1',
    );
    seedCounter += 1;
    // Dovecot assigns UIDs to new files sorted by name (timestamp, then the M counter), so a
    // monotonic counter keeps UID order == i order. S= is the exact file size (CRLF stored), and
    // W= (virtual size, CRLF-counted) equals it.
    const name = `${nowSeconds}.M${seedCounter}P${process.pid}Q${tag}.tidings,S=${content.length},W=${content.length}:2,${seen ? 'S' : ''}`;
    const fd = openSync(join(dir, 'cur', name), 'wx', 0o600);
    try {
      writeSync(fd, content);
      fchownSync(fd, dovecot.mailUid, dovecot.mailGid);
      // Maildir INTERNALDATE is the file's mtime: make it match the Date header.
      futimesSync(fd, seconds, seconds);
    } finally {
      closeSync(fd);
    }
    if (i % 2000 === 1999) await yieldToEventLoop();
  }
  return { count, unseen, mailbox };
}
