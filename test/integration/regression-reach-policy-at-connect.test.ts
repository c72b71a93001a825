// Regression (issue 12): the network reach policy was checked when an account was added or updated
// (and in discovery and diagnosis) but not when an existing account connected, so an account row
// whose host is, or resolves to, a forbidden address (written by the CLI, restored from a backup,
// or a name whose DNS changed) was connected to by the watcher and the command connection. Now
// every account connection applies the policy after DNS resolution: refused with a clear health
// reason, and no connection is ever opened.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResult, type AccountSummary } from '../../shared/index.js';
import { startFakeImap, type FakeImapServer } from '../harness/fake-imap.js';
import { rejection, TestClient } from '../harness/protocol-client.js';
import { ACCOUNT_ID_PATTERN, runRelayCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken } from '../harness/setup-fixtures.js';

let open: RelayProcess;
let closed: RelayProcess;
/** Counts every TCP connection: a refused account must never reach it. */
let imap: FakeImapServer;

beforeAll(async () => {
  imap = await startFakeImap((c) => c.send('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n'));
  [open, closed] = await Promise.all([
    startRelayProcess(),
    startRelayProcess({ args: ['--allow-private-networks', 'no'] }),
  ]);
});

afterAll(async () => {
  await Promise.all([open?.[Symbol.asyncDispose](), closed?.[Symbol.asyncDispose](), imap?.close()]);
});

/** Adds an account straight into the store with the CLI (no connection test), as an operator or a restore would. */
async function addStored(relay: RelayProcess, host: string, port: number): Promise<string> {
  const args = ['accounts', 'add', '--name', `reach ${host}`, '--host', host, '--port', String(port)];
  args.push('--security', 'tls', '--username', 'u', '--password-stdin', '--no-test');
  const run = await runRelayCli(args, { dataDir: relay.dataDir, stdin: 'secret\n', timeoutMs: 60_000 });
  expect(run.code, run.stderr).toBe(0);
  return ACCOUNT_ID_PATTERN.exec(run.stdout)![1]!;
}

/** Waits until every id is in an error state; returns their summaries, parsed as the extension does. */
async function failedSummaries(client: TestClient, ids: string[]): Promise<Map<string, AccountSummary>> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const parsed = parseResult('accounts.list', await client.request('accounts.list', {}));
    if (!parsed.ok) throw new Error(parsed.error.message);
    const byId = new Map(parsed.value.accounts.map((a) => [a.id, a]));
    if (ids.every((id) => byId.get(id)?.state.status === 'error')) return byId;
    if (Date.now() > deadline) throw new Error(`accounts did not fail: ${JSON.stringify(parsed.value.accounts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The health's detail of an account in the `unreachable` state (fails the test otherwise). */
function unreachableDetail(account: AccountSummary): string {
  const health = account.health;
  if (health?.state !== 'unreachable') throw new Error(`not unreachable: ${JSON.stringify(account)}`);
  return health.detail;
}

describe('regression: an existing account connected past the network reach policy', () => {
  it('refuses a stored cloud-metadata host at connect, with the reason in the health, at once', async () => {
    const id = await addStored(open, '169.254.169.254', 993);
    using client = (await TestClient.connect(open.url, await pairToken(open))).client;
    const started = Date.now();
    const account = (await failedSummaries(client, [id])).get(id)!;
    // Refused before any packet: not a connect timeout to an address that does not answer here.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(account.state).toMatchObject({ status: 'error', code: 'UNREACHABLE' });
    expect(account.health).toMatchObject({ state: 'unreachable', code: 'UNREACHABLE', host: '169.254.169.254' });
    expect(unreachableDetail(account)).toMatch(/does not connect to 169\.254\.169\.254: it is a link-local address/);
    // Requests on the command connection are refused the same way.
    const err = await rejection(client.request('mailboxes.list', { accountId: id }));
    expect(err.error.code).toBe('UNREACHABLE');
    expect(err.error.message).toMatch(/link-local/);
  });

  it('refuses a loopback server, as a literal and as a name, when private networks are not allowed, and never connects', async () => {
    const literal = await addStored(closed, '127.0.0.1', imap.port);
    const byName = await addStored(closed, 'localhost', imap.port);
    using client = (await TestClient.connect(closed.url, await pairToken(closed))).client;
    const accounts = await failedSummaries(client, [literal, byName]);
    for (const id of [literal, byName]) {
      expect(unreachableDetail(accounts.get(id)!), id).toMatch(/loopback address/);
    }
    const err = await rejection(
      client.request('messages.list', {
        scope: { kind: 'mailbox', accountId: byName, mailbox: 'INBOX' },
        cursor: null,
        limit: 10,
      }),
    );
    expect(err.error.code).toBe('UNREACHABLE');
    // Neither the watchers (with their retries) nor the request opened a connection.
    await new Promise((r) => setTimeout(r, 500));
    expect(imap.connections()).toBe(0);
  });
});
