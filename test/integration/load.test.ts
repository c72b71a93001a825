// Load suite (SECURITY.md "load", bounded, loopback): many sockets listing one account, many idle
// sockets, and a client that never reads. Reports p95 latency and relay RSS, asserts 0 errors and
// generous bounds (benchmarks, not tests, judge speed). TIDINGS_LOAD_SECONDS (default 5; 20 for
// the long run) sets how long the listing sockets run.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Limits, type MessageId } from '../../shared/index.js';
import { appendMessage, seedMaildir } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';
import { TestClient } from '../harness/protocol-client.js';
import { pairDevices } from '../harness/setup-fixtures.js';

const LOAD_SECONDS = Number(process.env['TIDINGS_LOAD_SECONDS'] ?? 5);
const LISTING_SOCKETS = 50;
const IDLE_SOCKETS = 200;

let mail: MailRelay;
let accountId: string;
let bigId: MessageId;

async function openSockets(count: number): Promise<TestClient[]> {
  // Enough devices for `count` sockets at Limits.maxSocketsPerDevice each.
  const tokens = await pairDevices(mail.relay, Math.ceil(count / Limits.maxSocketsPerDevice));
  const clients: TestClient[] = [];
  for (let i = 0; i < count; i++) {
    clients.push(
      (await TestClient.connect(mail.relay.url, tokens[Math.floor(i / Limits.maxSocketsPerDevice)]!)).client,
    );
  }
  return clients;
}

function relayRssMb(): number {
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${mail.relay.pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)] ?? NaN;

beforeAll(async () => {
  mail = await startMailRelay();
  const added = await mail.addAccount();
  accountId = added.accountId;
  await seedMaildir(mail.dovecot, added.user, 500);
  // A message with a body at the per-part cap, for the client that never reads.
  const { uid } = await appendMessage(mail.dovecot, added.user, {
    subject: 'big',
    text: 'x'.repeat(Limits.bodyPartMaxBytes),
  });
  using client = await mail.connect();
  const page = await client.request('messages.list', {
    scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
    cursor: null,
    limit: 1,
  });
  bigId = { ...page.rows[0]!.id, uid };
}, 120_000);

afterAll(async () => {
  await mail?.[Symbol.asyncDispose]();
});

describe('load', () => {
  it(`${LISTING_SOCKETS} sockets listing for ${LOAD_SECONDS} s: no errors, p95 and RSS bounded`, async () => {
    const clients = await openSockets(LISTING_SOCKETS);
    const latencies: number[] = [];
    const errors: unknown[] = [];
    const until = Date.now() + LOAD_SECONDS * 1_000;
    const rssBefore = relayRssMb();
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, relayRssMb())), 250);
    try {
      await Promise.all(
        clients.map(async (client, i) => {
          let cursor: string | null = null;
          while (Date.now() < until) {
            const started = performance.now();
            try {
              const page: { nextCursor: string | null } = await client.request('messages.list', {
                scope: { kind: 'mailbox', accountId, mailbox: 'INBOX' },
                cursor,
                limit: 20,
              });
              cursor = page.nextCursor ?? null;
              latencies.push(performance.now() - started);
            } catch (err) {
              errors.push(err);
            }
            // Under the per-socket rate (20/s): a popup scrolling, not a flood.
            await new Promise((r) => setTimeout(r, 100 + (i % 7)));
          }
        }),
      );
    } finally {
      clearInterval(sampler);
      for (const c of clients) c.close();
    }
    console.log(
      `load: ${latencies.length} lists by ${LISTING_SOCKETS} sockets in ${LOAD_SECONDS} s; p95 ${p95(latencies).toFixed(0)} ms; relay RSS ${rssBefore.toFixed(0)} → peak ${rssPeak.toFixed(0)} MB`,
    );
    expect(errors).toEqual([]);
    expect(latencies.length).toBeGreaterThan(LISTING_SOCKETS);
    expect(p95(latencies)).toBeLessThan(10_000);
    expect(rssPeak).toBeLessThan(rssBefore + 200);
  }, 180_000);

  it(`${IDLE_SOCKETS} idle sockets stay open without errors; RSS bounded`, async () => {
    const before = relayRssMb();
    const clients = await openSockets(IDLE_SOCKETS);
    try {
      await new Promise((r) => setTimeout(r, 2_000));
      const after = relayRssMb();
      console.log(`load: ${IDLE_SOCKETS} idle sockets; relay RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB`);
      const sample = await Promise.all(
        clients.filter((_, i) => i % 20 === 0).map((c) => c.request('accounts.list', {})),
      );
      expect(sample.every((r) => r.accounts.some((a) => a.id === accountId))).toBe(true);
      expect(clients.every((c) => c.ws.readyState === c.ws.OPEN)).toBe(true);
      expect(clients.flatMap((c) => c.errors)).toEqual([]);
      expect(after).toBeLessThan(before + 100);
    } finally {
      for (const c of clients) c.close();
    }
  }, 180_000);

  it('cuts off a client that asks for big bodies and never reads, with bounded memory', async () => {
    const [client] = await openSockets(1);
    using _c = client!;
    const before = relayRssMb();
    client!.ws.pause();
    const started = Date.now();
    // Ask at the allowed rate; the answers (2 MB each) can only pile up on the relay's side.
    while (Date.now() - started < Limits.slowSocketTimeoutMs + 15_000) {
      if (mail.relay.output().includes('socket not reading; terminating')) break;
      if (client!.ws.readyState === client!.ws.OPEN)
        client!.sendRaw(JSON.stringify({ id: `b${Date.now()}`, type: 'message.get', params: { id: bigId } }));
      await new Promise((r) => setTimeout(r, 200));
    }
    const after = relayRssMb();
    console.log(
      `load: never-reading client cut off after ${Date.now() - started} ms; relay RSS ${before.toFixed(0)} → ${after.toFixed(0)} MB`,
    );
    expect(mail.relay.output()).toContain('socket not reading; terminating');
    expect(after).toBeLessThan(before + 100);
  }, 120_000);
});
