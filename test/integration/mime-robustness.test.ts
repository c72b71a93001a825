// SECURITY.md "MIME robustness": hostile structure through the real relay and Dovecot. Every
// message.get answers with a body or a defined error (never INTERNAL) within 2 s, and the relay
// stays up. Includes the content-hiding regression of issue 12: a message nested deeper than
// imapflow's BODYSTRUCTURE limit (100) showed "no text" although its first part was plain text.
// A seeded mutation fuzzer adds TIDINGS_FUZZ_RUNS cases (default 120; e.g. 2000 for a long run).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProtocolError, type TestClient } from '../harness/protocol-client.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';
import { withImap } from '../harness/mail.js';
import type { MessageId, RequestResult } from '../../shared/index.js';

const FUZZ_RUNS = Number(process.env['TIDINGS_FUZZ_RUNS'] ?? 120);
const FUZZ_SEED = Number(process.env['TIDINGS_FUZZ_SEED'] ?? 12);

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');

function nested(depth: number, text: string): string {
  let body = `Content-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`;
  for (let i = depth - 1; i >= 0; i--)
    body = `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n${body}--n${i}--\r\n`;
  return `From: a@example.test\r\nSubject: nested ${depth}\r\nMIME-Version: 1.0\r\n${body}`;
}

const header = (subject: string, extra = '') =>
  `From: Fuzz <fuzz@example.test>\r\nTo: u@example.test\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\n${extra}`;

/** Hand-written hostile messages: subject → raw, and what the body must contain (if anything). */
const cases: { subject: string; raw: string | Buffer; expectText?: string }[] = [
  { subject: 'nested 32', raw: nested(32, 'shallow text'), expectText: 'shallow text' },
  { subject: 'nested 150', raw: nested(150, 'deep text is shown'), expectText: 'deep text is shown' },
  { subject: 'nested 10000', raw: nested(10_000, 'very deep text'), expectText: 'very deep text' },
  {
    subject: 'missing boundary',
    raw: crlf(`${header('missing boundary', 'Content-Type: multipart/mixed\n')}\nno boundary at all\n`),
  },
  {
    subject: 'unclosed boundary',
    raw: crlf(
      `${header('unclosed boundary', 'Content-Type: multipart/mixed; boundary=x\n')}\n--x\nContent-Type: text/plain\n\nnever closed\n`,
    ),
    expectText: 'never closed',
  },
  {
    subject: 'broken base64',
    raw: crlf(
      `${header('broken base64', 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n')}\naGVsbG8gd29y!!!bGQ=\n====\n@@@\n`,
    ),
  },
  {
    subject: 'broken qp',
    raw: crlf(
      `${header('broken qp', 'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n')}\nbad =ZZ escape =\n=4\n`,
    ),
  },
  {
    subject: 'nul and bare cr lf',
    raw: Buffer.from(
      `${header('nul and bare cr lf', 'Content-Type: text/plain\r\n')}\r\nnul\u0000here\rbare cr\nbare lf\r\n`,
      'latin1',
    ),
  },
  {
    subject: 'unknown charset',
    raw: crlf(`${header('unknown charset', 'Content-Type: text/plain; charset=x-no-such-charset\n')}\nstill text\n`),
    expectText: 'still text',
  },
  {
    subject: 'legacy charsets',
    raw: Buffer.concat([
      Buffer.from(crlf(`${header('legacy charsets', 'Content-Type: text/plain; charset=koi8-r\n')}\n`), 'latin1'),
      Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4, 0x0d, 0x0a]),
    ]),
  },
  {
    subject: '200 KB header line',
    raw: crlf(
      `${header('200 KB header line', `X-Long: ${'a'.repeat(200 * 1024)}\nContent-Type: text/plain\n`)}\nafter a long header\n`,
    ),
    expectText: 'after a long header',
  },
  {
    subject: 'several inline text parts',
    raw: Buffer.concat([
      Buffer.from(
        crlf(
          `${header('several inline text parts', 'Content-Type: multipart/mixed; boundary=parts\n')}\n--parts\nContent-Type: text/plain; charset=utf-8\n\nfirst: Grüße\n--parts\nContent-Type: text/plain; charset=iso-8859-1\nContent-Disposition: inline\n\nsecond: caf`,
        ),
        'utf8',
      ),
      Buffer.from([0xe9]),
      Buffer.from(crlf('\n--parts\nContent-Type: text/html; charset=utf-8\n\n<p>third</p>\n--parts--\n'), 'latin1'),
    ]),
    expectText: 'first: Grüße',
  },
  {
    subject: '25 MB message',
    raw: crlf(
      `${header('25 MB message', 'Content-Type: multipart/mixed; boundary=big\n')}\n--big\nContent-Type: text/plain\n\nbig message text\n--big\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=big.bin\n\n${'QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n'.repeat(370_000)}--big--\n`,
    ),
    expectText: 'big message text',
  },
];

/** mulberry32: a small seeded PRNG, so a failing fuzz case can be replayed by its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const corpus = [
  crlf(
    `${header('seed alt', 'Content-Type: multipart/alternative; boundary="alt"\n')}\n--alt\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\ncaf=E9 =\nsoft\n--alt\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64\n\nPHA+aGVsbG88L3A+\n--alt--\n`,
  ),
  crlf(
    `${header('seed mixed', 'Content-Type: multipart/mixed; boundary=m\n')}\n--m\nContent-Type: multipart/related; boundary=r; start="<a>"\n\n--r\nContent-ID: <a>\nContent-Type: text/html\n\n<img src="cid:b">\n--r\nContent-ID: <b>\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--r--\n--m\nContent-Type: message/rfc822\n\nSubject: inner\n\ninner body\n--m--\n`,
  ),
];

function mutate(input: string, rand: () => number): Buffer {
  let bytes = Buffer.from(input, 'latin1');
  const pick = (n: number) => Math.floor(rand() * n);
  const steps = 1 + pick(6);
  for (let s = 0; s < steps; s++) {
    const at = pick(bytes.length);
    switch (pick(6)) {
      case 0: // flip a byte
        bytes[at] = pick(256);
        break;
      case 1: // delete a range
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + pick(64))]);
        break;
      case 2: // duplicate a range
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at, at + pick(200)), bytes.subarray(at)]);
        break;
      case 3: // insert a boundary-like or header-like line
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from(
            ['\r\n--alt\r\n', '\r\n--m--\r\n', '\r\nContent-Type: multipart/mixed; boundary=\r\n', '\r\n\r\n'][
              pick(4)
            ]!,
          ),
          bytes.subarray(at),
        ]);
        break;
      case 4: // control bytes
        bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([[0, 13, 10, 0xff][pick(4)]!]), bytes.subarray(at)]);
        break;
      default: // truncate
        bytes = bytes.subarray(0, Math.max(1, at));
    }
  }
  return bytes;
}

let mail: MailRelay;
let accountId: string;
const uids = new Map<string, number>();
let uidValidity = '';

beforeAll(async () => {
  mail = await startMailRelay();
  const added = await mail.addAccount();
  accountId = added.accountId;
  const rand = prng(FUZZ_SEED);
  const fuzz = Array.from({ length: FUZZ_RUNS }, (_, i) => ({
    subject: `fuzz ${i}`,
    // A fixed first line: Dovecot refuses empty messages, and a truncation can leave nothing.
    raw: Buffer.concat([Buffer.from(`X-Fuzz-Case: ${i}\r\n`), mutate(corpus[i % corpus.length]!, rand)]),
  }));
  // One IMAP session for all appends: hundreds of logins would dominate the run.
  await withImap(mail.dovecot, added.user, async (c) => {
    for (const m of [...cases, ...fuzz]) {
      const r = await c.append('INBOX', m.raw).catch((err: unknown) => {
        throw new Error(
          `APPEND of "${m.subject}" failed: ${(err as { responseText?: string }).responseText ?? String(err)}`,
        );
      });
      if (!r || r.uid === undefined) throw new Error(`APPEND of ${m.subject} returned no UID`);
      uids.set(m.subject, r.uid);
    }
    const status = await c.status('INBOX', { uidValidity: true });
    if (!status) throw new Error('STATUS INBOX failed');
    uidValidity = String(status.uidValidity);
  });
}, 300_000);

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

/** message.get with the time it took; a defined error is an answer too. */
async function open(
  client: TestClient,
  uid: number,
): Promise<{ ms: number; result: RequestResult<'message.get'> | null; code: string | null }> {
  const id: MessageId = { accountId, mailbox: 'INBOX', uidValidity, uid };
  const started = performance.now();
  try {
    const result = await client.request('message.get', { id });
    return { ms: performance.now() - started, result, code: null };
  } catch (err) {
    if (err instanceof ProtocolError) return { ms: performance.now() - started, result: null, code: err.error.code };
    throw err;
  }
}

describe('MIME robustness', () => {
  it('answers every hand-written hostile message with a body or a defined error within 2 s', async () => {
    using client = await mail.connect();
    for (const c of cases) {
      const r = await open(client, uids.get(c.subject)!);
      expect(r.ms, c.subject).toBeLessThan(2_000);
      expect(r.code, c.subject).toBeNull();
      if (c.expectText) expect(r.result?.body.content, c.subject).toContain(c.expectText);
    }
  }, 120_000);

  it('regression: a message nested deeper than BODYSTRUCTURE allows shows its first text part', async () => {
    using client = await mail.connect();
    const r = await open(client, uids.get('nested 150')!);
    expect(r.result?.body).toMatchObject({ kind: 'text', content: 'deep text is shown' });
  });

  it('regression: several inline text parts in different charsets are all returned, in order', async () => {
    using client = await mail.connect();
    const r = await open(client, uids.get('several inline text parts')!);
    expect(r.result?.body).toMatchObject({ kind: 'text', content: 'first: Grüße' });
    expect(r.result?.inlineParts).toEqual([
      { kind: 'text', content: 'second: café', truncated: false },
      { kind: 'html', content: '<p>third</p>', truncated: false },
    ]);
    expect(r.result?.attachments).toEqual([]);
  });

  it(`survives ${FUZZ_RUNS} mutated messages (seed ${FUZZ_SEED}) and keeps serving`, async () => {
    using client = await mail.connect();
    for (let i = 0; i < FUZZ_RUNS; i++) {
      const r = await open(client, uids.get(`fuzz ${i}`)!);
      expect(r.ms, `fuzz ${i}`).toBeLessThan(2_000);
      expect(r.code, `fuzz ${i} (seed ${FUZZ_SEED})`).not.toBe('INTERNAL');
      if (r.result) expect(['html', 'text', 'none']).toContain(r.result.body.kind);
      // Stay under the socket rate (20 frames/s): pacing, not a timing assertion.
      await new Promise((res) => setTimeout(res, 40));
    }
    const health = await fetch(`${mail.relay.httpUrl}/health`);
    expect(health.status).toBe(200);
    expect(mail.relay.output()).not.toMatch(/handler failed|uncaught|TypeError/i);
  }, 600_000);
});
