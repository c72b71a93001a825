// Issue 3, reading messages against real Dovecot and the real relay: the best text part (HTML
// preferred), transfer encodings and legacy charsets (windows-1252 smart quotes survive), broken
// base64 (Dovecot refuses BINARY; the relay falls back to BODY), attachment metadata with RFC
// 2231/2047 names, inline cid: parts, never \Seen, the size cap, and a 25 MB message whose small
// text part is read without downloading the attachment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Limits, type MessageId } from '../../shared/index.js';
import { CommandConnection } from '../../relay/src/imap/command-connection.js';
import { passwordCredentials } from '../../relay/src/imap/credentials.js';
import { getMessage } from '../../relay/src/imap/operations/get-message.js';
import { createLogger } from '../../relay/src/log.js';
import type { ImapUser } from '../harness/dovecot.js';
import { appendMessage, withImap } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';
import { type TestClient, rejection } from '../harness/protocol-client.js';

let mail: MailRelay;
let user: ImapUser;
let accountId: string;
let client: TestClient;
let uidValidity: string;

beforeAll(async () => {
  // Debug logs carry the bytes read per IMAP operation.
  mail = await startMailRelay({ relayArgs: ['--log-level', 'debug'] });
  ({ user, accountId } = await mail.addAccount());
  client = await mail.connect();
  await appendMessage(mail.dovecot, user, { subject: 'first' });
  const { rows } = await client.request('messages.list', {
    scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
    cursor: null,
    limit: 1,
  });
  uidValidity = rows[0]!.id.uidValidity;
});

afterAll(async () => {
  client?.close();
  await mail?.[Symbol.asyncDispose]();
});

/** APPENDs a raw message (CRLF lines) and returns its identity. */
async function put(lines: string[] | string | Buffer, mailbox = 'INBOX'): Promise<MessageId> {
  const raw = Array.isArray(lines) ? lines.join('\r\n') : lines;
  const { uid } = await appendMessage(mail.dovecot, user, { raw, mailbox });
  return { accountId, mailbox, uidValidity, uid };
}

const headers = (subject: string, contentType: string, encoding?: string) => [
  'From: Sender <sender@example.test>',
  'To: You <you@example.test>',
  'Cc: Carol <carol@example.test>',
  'Reply-To: Replies <replies@example.test>',
  `Subject: ${subject}`,
  'Date: Tue, 2 Dec 2025 09:30:00 +0100',
  'MIME-Version: 1.0',
  `Content-Type: ${contentType}`,
  ...(encoding ? [`Content-Transfer-Encoding: ${encoding}`] : []),
];

/** The bytes the relay's IMAP operations of type `op` read, from its debug log since `from`. */
function bytesRead(from: number, op: string): number[] {
  return mail.relay
    .output()
    .slice(from)
    .split('\n')
    .filter((l) => l.includes('"imap operation"') && l.includes(`"op":"${op}"`))
    .map((l) => (JSON.parse(l) as { bytesIn: number }).bytesIn);
}

describe('message.get', () => {
  it('returns headers and the HTML of multipart/alternative, unsanitized, without setting \\Seen', async () => {
    const id = await put([
      ...headers('Alternative', 'multipart/alternative; boundary="alt"'),
      '',
      '--alt',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'plain version',
      '--alt',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('<p onclick="x()">Grüße <script>alert(1)</script></p>', 'utf8').toString('base64'),
      '--alt--',
      '',
    ]);
    const got = await client.request('message.get', { id });
    expect(got).toMatchObject({
      id,
      subject: 'Alternative',
      from: [{ name: 'Sender', address: 'sender@example.test' }],
      to: [{ name: 'You', address: 'you@example.test' }],
      cc: [{ name: 'Carol', address: 'carol@example.test' }],
      replyTo: [{ name: 'Replies', address: 'replies@example.test' }],
      date: Date.parse('2025-12-02T08:30:00Z'),
      body: { kind: 'html', content: '<p onclick="x()">Grüße <script>alert(1)</script></p>', truncated: false },
      attachments: [],
    });
    expect(got.flags).not.toContain('\\Seen');
    const again = await client.request('message.get', { id });
    expect(again.flags).not.toContain('\\Seen');
  });

  it('keeps windows-1252 smart quotes from quoted-printable (Node 20 TextDecoder drops them)', async () => {
    const id = await put([
      ...headers('Quotes', 'text/plain; charset=windows-1252', 'quoted-printable'),
      '',
      '=93Hello=94 =96 it costs =8010, na=EFve caf=E9 =',
      'continued',
      '',
    ]);
    const got = await client.request('message.get', { id });
    expect(got.body).toEqual({
      kind: 'text',
      content: '\u201cHello\u201d \u2013 it costs \u20ac10, naïve café continued\r\n',
      truncated: false,
    });
  });

  it('decodes format=flowed plain text and ISO-8859-1 labels as windows-1252', async () => {
    const latin1 = [
      ...headers('Flowed', 'text/plain; charset=iso-8859-1; format=flowed', '8bit'),
      '',
      'This line is soft ',
      'wrapped, \x93quoted\x94.',
      '',
    ].join('\r\n');
    // Bytes, not a JS string: appendMessage would encode a string as UTF-8.
    const id = await put(Buffer.from(latin1, 'latin1'));
    const got = await client.request('message.get', { id });
    expect(got.body.content).toBe('This line is soft wrapped, \u201cquoted\u201d.\n');
  });

  it('reads a part with broken base64 (Dovecot refuses BINARY) through the BODY fallback', async () => {
    const id = await put([
      ...headers('Broken', 'text/plain; charset=utf-8', 'base64'),
      '',
      'SGVsbG8gd29ybGQ!!!@@@###',
      'SGVsbG8=====x',
      '',
    ]);
    const got = await client.request('message.get', { id });
    expect(got.body.kind).toBe('text');
    expect(got.body.content.startsWith('Hello world')).toBe(true);
  });

  it('lists attachments with RFC 2231 and RFC 2047 names, and serves an inline cid: part', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    const id = await put([
      ...headers('Files', 'multipart/mixed; boundary="mix"'),
      '',
      '--mix',
      'Content-Type: multipart/related; boundary="rel"',
      '',
      '--rel',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>See <img src="cid:logo@tidings"></p>',
      '--rel',
      'Content-Type: image/png',
      'Content-ID: <logo@tidings>',
      'Content-Disposition: inline',
      'Content-Transfer-Encoding: base64',
      '',
      png.toString('base64'),
      '--rel--',
      '--mix',
      'Content-Type: application/pdf',
      "Content-Disposition: attachment; filename*=UTF-8''Gr%C3%B6%C3%9Fe%20%E2%82%AC.pdf",
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 fake').toString('base64'),
      '--mix',
      'Content-Type: text/plain; name="=?UTF-8?B?0J/RgNC40LLQtdGCLnR4dA==?="',
      'Content-Disposition: attachment',
      '',
      'notes',
      '--mix--',
      '',
    ]);
    const got = await client.request('message.get', { id });
    expect(got.body).toEqual({ kind: 'html', content: '<p>See <img src="cid:logo@tidings"></p>', truncated: false });
    expect(got.attachments).toEqual([
      {
        partId: '1.2',
        filename: 'part-1.2.png',
        contentType: 'image/png',
        size: expect.any(Number),
        inline: true,
        contentId: 'logo@tidings',
      },
      {
        partId: '2',
        filename: 'Größe €.pdf',
        contentType: 'application/pdf',
        size: expect.any(Number),
        inline: false,
        contentId: null,
      },
      {
        partId: '3',
        filename: 'Привет.txt',
        contentType: 'text/plain',
        size: expect.any(Number),
        inline: false,
        contentId: null,
      },
    ]);
    const part = await client.request('message.part', { id, partId: '1.2' });
    expect(part).toEqual({ contentType: 'image/png', dataBase64: png.toString('base64'), truncated: false });
    expect((await rejection(client.request('message.part', { id, partId: '9' }))).error.code).toBe('NOT_FOUND');
    expect((await rejection(client.request('message.part', { id, partId: '1' }))).error.code).toBe('NOT_FOUND');
  });

  it('caps a huge text part at Limits.bodyPartMaxBytes with truncated, reading only about that much', async () => {
    const line = 'All work and no play makes Jack a dull boy. '.repeat(20) + '\r\n';
    const text = line.repeat(Math.ceil((5 * 1024 * 1024) / line.length));
    const id = await put(
      [
        ...headers('Huge text', 'text/plain; charset=utf-8', 'base64'),
        '',
        Buffer.from(text).toString('base64').replace(/.{76}/g, '$&\r\n'),
        '',
      ].join('\r\n'),
    );
    const from = mail.relay.output().length;
    const got = await client.request('message.get', { id });
    expect(got.body.truncated).toBe(true);
    expect(Buffer.byteLength(got.body.content)).toBeLessThanOrEqual(Limits.bodyPartMaxBytes);
    expect(got.body.content.length).toBeGreaterThan(Limits.bodyPartMaxBytes - 1024);
    expect(text.startsWith(got.body.content)).toBe(true);
    const read = bytesRead(from, 'message.get');
    expect(read).toHaveLength(1);
    expect(read[0]).toBeLessThan(Limits.bodyPartMaxBytes * 1.5);
  });

  it('reads a 25 MB message whose text part is small without downloading the attachment', async () => {
    const attachment = Buffer.alloc(18 * 1024 * 1024, 7);
    const raw = [
      ...headers('Big', 'multipart/mixed; boundary="big"'),
      '',
      '--big',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The small text of a big message.',
      '--big',
      'Content-Type: application/octet-stream; name="big.bin"',
      'Content-Disposition: attachment; filename="big.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      attachment.toString('base64').replace(/.{76}/g, '$&\r\n'),
      '--big--',
      '',
    ].join('\r\n');
    expect(raw.length).toBeGreaterThan(24 * 1024 * 1024);
    const id = await put(raw);
    const from = mail.relay.output().length;
    const got = await client.request('message.get', { id });
    expect(got.body).toEqual({ kind: 'text', content: 'The small text of a big message.', truncated: false });
    expect(got.attachments).toEqual([
      expect.objectContaining({ partId: '2', filename: 'big.bin', inline: false, size: expect.any(Number) }),
    ]);
    expect(got.attachments[0]!.size).toBeGreaterThan(17 * 1024 * 1024);
    // Everything the relay read from IMAP for this request: headers, BODYSTRUCTURE and the text part.
    const read = bytesRead(from, 'message.get');
    expect(read).toHaveLength(1);
    expect(read[0]).toBeLessThan(16 * 1024);

    // The same through the operation itself, with imapflow's byte counter and the part's own figure.
    const lines: string[] = [];
    const conn = new CommandConnection({
      settings: {
        host: mail.dovecot.host,
        port: mail.dovecot.imapsPort,
        security: 'tls',
        username: user.username,
        pinnedFingerprint: null,
        caPem: mail.dovecot.caPem,
      },
      // The test Dovecot listens on loopback, which the policy allows only on request.
      reach: { allowPrivate: true },
      credentials: passwordCredentials(() => user.password),
      log: createLogger({ level: 'debug', sink: (l) => lines.push(l) }),
    });
    try {
      const details = await conn.withMailbox('INBOX', (s) => getMessage(s, id), { op: 'direct get' });
      expect(details.body.content).toBe('The small text of a big message.');
      expect(details.bodyFetchedBytes).toBe('The small text of a big message.'.length);
    } finally {
      await conn.stop();
    }
    const direct = lines
      .map((l) => JSON.parse(l) as { msg: string; op?: string; bytesIn?: number })
      .find((l) => l.op === 'direct get');
    expect(direct?.bytesIn).toBeLessThan(16 * 1024);
  });

  it('answers deeply nested MIME within the depth limit, without crashing', async () => {
    const depth = 200;
    const open = Array.from(
      { length: depth },
      (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}`,
    ).join('\r\n');
    const close = Array.from({ length: depth }, (_, i) => `--b${depth - 1 - i}--`).join('\r\n');
    const raw = `From: a@example.test\r\nSubject: Deep\r\nMIME-Version: 1.0\r\n${open}\r\nContent-Type: text/plain\r\n\r\ndeep text\r\n${close}\r\n`;
    const id = await put(raw);
    const got = await client.request('message.get', { id });
    expect(got.subject).toBe('Deep');
    expect(['none', 'text']).toContain(got.body.kind);
  });

  it('refuses a stale uidValidity and answers NOT_FOUND for a message that is gone', async () => {
    const archived = await put(['Subject: in archive', '', 'x', ''], 'Archive');
    const { rows } = await client.request('messages.list', {
      scope: { kind: 'mailbox', accountId, mailbox: 'Archive' },
      cursor: null,
      limit: 1,
    });
    const id = rows[0]!.id;
    expect(id.uid).toBe(archived.uid);
    expect((await client.request('message.get', { id })).subject).toBe('in archive');
    await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxDelete('Archive');
      await c.mailboxCreate('Archive');
      await c.append('Archive', 'Subject: other\r\n\r\ny\r\n');
    });
    expect((await rejection(client.request('message.get', { id }))).error.code).toBe('STALE_UIDVALIDITY');
    expect((await rejection(client.request('message.part', { id, partId: '1' }))).error.code).toBe('STALE_UIDVALIDITY');
    const gone = { accountId, mailbox: 'INBOX', uidValidity, uid: 999_999 };
    expect((await rejection(client.request('message.get', { id: gone }))).error.code).toBe('NOT_FOUND');
  });
});
