// Issue 3, attachment downloads over HTTP against real Dovecot and the real relay: the device
// token in the Authorization header and the paired Origin, the account of the token's user only,
// a streamed octet-stream with a safe Content-Disposition and nosniff, bytes decoded from base64
// and quoted-printable exactly, CORS for extension origins, and every refusal with its code.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayPaths, type MessageId } from '../../shared/index.js';
import type { ImapUser } from '../harness/dovecot.js';
import { appendMessage, withImap } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';
import { OTHER_ORIGIN, TEST_ORIGIN, type TestClient } from '../harness/protocol-client.js';
import { pairTokenForNewUser } from '../harness/setup-fixtures.js';

let mail: MailRelay;
let user: ImapUser;
let accountId: string;
let client: TestClient;
let id: MessageId;
const binary = randomBytes(5 * 1024 * 1024 + 123);
const qpText = 'Ünïcödé line =\r\nnot a soft break';

beforeAll(async () => {
  mail = await startMailRelay();
  ({ user, accountId } = await mail.addAccount());
  client = await mail.connect();
  const raw = [
    'From: a@example.test',
    'Subject: Files',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="m"',
    '',
    '--m',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'See attached.',
    '--m',
    'Content-Type: application/octet-stream',
    `Content-Disposition: attachment; filename*=UTF-8''..%2F..%2Fr%C3%A9sum%C3%A9%E2%80%AEfdp.exe`,
    'Content-Transfer-Encoding: base64',
    '',
    binary.toString('base64').replace(/.{76}/g, '$&\r\n'),
    '--m',
    'Content-Type: text/plain; charset=utf-8; name="notes.txt"',
    'Content-Disposition: attachment; filename="notes.txt"',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    '=C3=9Cn=C3=AFc=C3=B6d=C3=A9 line =3D',
    'not a soft break',
    '--m--',
    '',
  ].join('\r\n');
  const { uid } = await appendMessage(mail.dovecot, user, { raw });
  const { rows } = await client.request('messages.list', {
    scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
    cursor: null,
    limit: 1,
  });
  id = rows[0]!.id;
  expect(id.uid).toBe(uid);
});

afterAll(async () => {
  client?.close();
  await mail?.[Symbol.asyncDispose]();
});

function url(params: Partial<Record<keyof MessageId | 'partId', string | number>>): string {
  const query = new URLSearchParams(
    Object.entries({ ...id, partId: '2', ...params }).map(([k, v]) => [k, String(v)] as [string, string]),
  );
  return `${mail.relay.httpUrl}${RelayPaths.attachment}?${query}`;
}

function get(target: string, headers: Record<string, string> = {}) {
  return fetch(target, { headers: { authorization: `Bearer ${mail.token}`, origin: TEST_ORIGIN, ...headers } });
}

async function errorCode(res: Response): Promise<string> {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

describe('attachment download', () => {
  it('streams the decoded bytes as an attachment with a safe file name', async () => {
    const res = await get(url({}));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    const disposition = res.headers.get('content-disposition')!;
    // No path, no RTL override; the exact (sanitised) UTF-8 name in filename*.
    expect(disposition).toBe(`attachment; filename="_.._r_sum_fdp.exe"; filename*=UTF-8''_.._r%C3%A9sum%C3%A9fdp.exe`);
    expect(Buffer.from(await res.arrayBuffer()).equals(binary)).toBe(true);

    const text = await get(url({ partId: '3' }));
    expect(text.status).toBe(200);
    expect(text.headers.get('content-disposition')).toContain(`filename*=UTF-8''notes.txt`);
    expect(Buffer.from(await text.arrayBuffer()).toString('utf8')).toBe(qpText);
  });

  it('answers the CORS preflight for extension origins only', async () => {
    const ok = await fetch(url({}), {
      method: 'OPTIONS',
      headers: {
        origin: TEST_ORIGIN,
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization',
      },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toBe('authorization');
    const web = await fetch(url({}), { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(web.status).toBe(403);
    expect(web.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a missing or wrong token, another Origin, a token in the URL, and bad queries; accepts no Origin with a valid token', async () => {
    const noToken = await fetch(url({}), { headers: { origin: TEST_ORIGIN } });
    expect([noToken.status, await errorCode(noToken)]).toEqual([401, 'UNAUTHORIZED']);
    const wrong = await get(url({}), { authorization: 'Bearer not-a-real-token' });
    expect([wrong.status, await errorCode(wrong)]).toEqual([401, 'UNAUTHORIZED']);
    const otherOrigin = await get(url({}), { origin: OTHER_ORIGIN });
    expect([otherOrigin.status, await errorCode(otherOrigin)]).toEqual([403, 'ORIGIN_MISMATCH']);
    // The browser's download manager (chrome.downloads with headers) sends no Origin: the token decides.
    const noOrigin = await fetch(url({}), { headers: { authorization: `Bearer ${mail.token}` } });
    expect(noOrigin.status).toBe(200);
    expect(noOrigin.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect((await noOrigin.arrayBuffer()).byteLength).toBeGreaterThan(0);
    const inUrl = await get(`${url({})}&token=${mail.token}`);
    expect([inUrl.status, await errorCode(inUrl)]).toEqual([400, 'BAD_REQUEST']);
    const badQuery = await get(url({ partId: '../1' }));
    expect([badQuery.status, await errorCode(badQuery)]).toEqual([400, 'BAD_REQUEST']);
    const noPart = await get(url({ partId: '9' }));
    expect([noPart.status, await errorCode(noPart)]).toEqual([404, 'NOT_FOUND']);
    const container = await get(url({ partId: '1.1' }));
    expect(container.status).toBe(404);
    await container.body?.cancel();
    const stale = await get(url({ uidValidity: String(BigInt(id.uidValidity) + 1n) }));
    expect([stale.status, await errorCode(stale)]).toEqual([409, 'STALE_UIDVALIDITY']);
    const gone = await get(url({ uid: 424_242 }));
    expect([gone.status, await errorCode(gone)]).toEqual([404, 'NOT_FOUND']);
  });

  it("refuses another user's account as NOT_FOUND", async () => {
    const otherToken = await pairTokenForNewUser(mail.relay, 'someone else');
    const res = await get(url({}), { authorization: `Bearer ${otherToken}` });
    expect([res.status, await errorCode(res)]).toEqual([404, 'NOT_FOUND']);
  });

  it('keeps serving requests while a download is abandoned halfway', async () => {
    const res = await get(url({}));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    // The download connection's mailbox lock was released: the next download works.
    const again = await get(url({ partId: '3' }));
    expect(again.status).toBe(200);
    expect(Buffer.from(await again.arrayBuffer()).toString('utf8')).toBe(qpText);
    // And the message was never marked \Seen by any of this.
    const flags = await withImap(mail.dovecot, user, async (c) => {
      await c.mailboxOpen('INBOX');
      return [...((await c.fetchOne(String(id.uid), { flags: true }, { uid: true })) || { flags: new Set() }).flags!];
    });
    expect(flags).not.toContain('\\Seen');
  });
});
