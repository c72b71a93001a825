// SECURITY.md "secrets": a canary password travels every path a password takes — `accounts add`
// on the CLI, accounts.diagnose (right and wrong), accounts.add and accounts.update over the
// socket, the account's own connections — with the relay at log level debug. Afterwards it is in
// no relay output line, in no form (plain, base64, hex), and not in the store file.
// (Kept apart from the logger's own canary test, which checks every level of the logger itself.)
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type Dovecot } from '../harness/dovecot.js';
import { rejection, TestClient } from '../harness/protocol-client.js';
import { addAccountViaCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { pairToken, serverSettings, trustTestCaEnv } from '../harness/setup-fixtures.js';

const CANARY = 'Canary-pw-7c1e:fa4b';

let dovecot: Dovecot;
let relay: RelayProcess;

beforeAll(async () => {
  dovecot = await startDovecot();
  relay = await startRelayProcess({ env: trustTestCaEnv(dovecot), args: ['--log-level', 'debug'] });
});

afterAll(async () => {
  await relay?.[Symbol.asyncDispose]();
  await dovecot?.stop();
});

function forms(secret: string): string[] {
  const b = Buffer.from(secret, 'utf8');
  return [secret, b.toString('base64'), b.toString('base64url'), b.toString('hex'), encodeURIComponent(secret)];
}

describe('secrets: a canary password', () => {
  it('appears in no relay log line at debug level and not in the store, whatever path it took', async () => {
    const cliUser = await dovecot.addUser({ password: CANARY });
    await addAccountViaCli(relay.dataDir, dovecot, cliUser);
    using client = (await TestClient.connect(relay.url, await pairToken(relay))).client;
    const user = await dovecot.addUser({ password: CANARY });
    // Right and wrong passwords in the connection test.
    expect(
      (await client.request('accounts.diagnose', { settings: serverSettings(dovecot, user), password: CANARY })).ok,
    ).toBe(true);
    const wrong = await client.request('accounts.diagnose', {
      settings: serverSettings(dovecot, user),
      password: `${CANARY}-wrong`,
    });
    expect(wrong.ok).toBe(false);
    // Saved, then re-saved with a new password, then a refused update.
    const { account } = await client.request('accounts.add', {
      settings: serverSettings(dovecot, user),
      password: CANARY,
      name: 'canary',
      color: null,
      watchedMailboxes: ['INBOX'],
    });
    await client.request('accounts.update', { id: account.id, patch: {}, password: CANARY });
    await rejection(client.request('accounts.update', { id: account.id, patch: {}, password: `${CANARY}-wrong` }));
    // Let the watchers log in and log whatever they log.
    await new Promise((r) => setTimeout(r, 1_500));

    const output = relay.output();
    expect(output).toContain('relay listening');
    for (const form of [...forms(CANARY), ...forms(`${CANARY}-wrong`)]) expect(output).not.toContain(form);
    for (const file of readdirSync(relay.dataDir).filter((f) => f.startsWith('tidings.db'))) {
      const bytes = readFileSync(join(relay.dataDir, file)).toString('latin1');
      for (const form of forms(CANARY)) expect(bytes, file).not.toContain(form);
    }
  });
});
