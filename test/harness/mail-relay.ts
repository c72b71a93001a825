import { startDovecot, type Dovecot, type ImapUser, type StartDovecotOptions } from './dovecot.js';
import { pairDevice, TestClient, TEST_ORIGIN } from './protocol-client.js';
import {
  addAccountViaCli,
  pairingCodeFrom,
  runRelayCli,
  startRelayProcess,
  type AddAccountOptions,
  type RelayProcess,
} from './relay.js';

/** A Dovecot + relay pair with one paired device, for the mail suites (issue 3). */
export interface MailRelay extends AsyncDisposable {
  dovecot: Dovecot;
  relay: RelayProcess;
  /** Device token of the paired test browser (TEST_ORIGIN). */
  token: string;
  /** A fresh socket, signed in. */
  connect(origin?: string): Promise<TestClient>;
  /**
   * A fresh Dovecot user added as an account of the relay's default user; resolves once the
   * relay runs it (the relay watches the store file).
   */
  addAccount(options?: AddAccountOptions & { user?: ImapUser }): Promise<{ user: ImapUser; accountId: string }>;
}

/** Pairs a device from `origin` and returns its token. */
export async function pairToken(relay: RelayProcess, origin = TEST_ORIGIN): Promise<string> {
  const pair = await runRelayCli(['pair'], { dataDir: relay.dataDir });
  const res = await pairDevice(relay.httpUrl, pairingCodeFrom(pair.stdout), origin);
  if (res.status !== 200) throw new Error(`pairing failed: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  const token = (res.body as { token?: unknown }).token;
  if (typeof token !== 'string') throw new Error('pairing returned no token');
  return token;
}

/** Waits until the relay runs `accountId` and its watcher is online. */
export async function waitForAccount(client: TestClient, accountId: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { accounts } = await client.request('accounts.list', {});
    if (accounts.find((a) => a.id === accountId)?.state.status === 'online') return;
    if (Date.now() > deadline) throw new Error(`account ${accountId} did not come online: ${JSON.stringify(accounts)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * @example
 * await using mail = await startMailRelay();
 * const { accountId, user } = await mail.addAccount();
 * using client = await mail.connect();
 */
export async function startMailRelay(
  options: {
    dovecot?: StartDovecotOptions;
    relayArgs?: string[];
    /** Environment of the relay process, e.g. shortened IMAP timings (TIDINGS_IDLE_PROBE_MS…). */
    relayEnv?: Record<string, string>;
    /** Run the production build installed there (StartRelayOptions.installDir); default the sources. */
    relayInstallDir?: string;
  } = {},
): Promise<MailRelay> {
  const dovecot = await startDovecot(options.dovecot);
  let relay: RelayProcess | undefined;
  try {
    relay = await startRelayProcess({
      args: options.relayArgs ?? [],
      ...(options.relayEnv ? { env: options.relayEnv } : {}),
      ...(options.relayInstallDir !== undefined ? { installDir: options.relayInstallDir } : {}),
    });
    const token = await pairToken(relay);
    const running = relay;
    const connect = async (origin = TEST_ORIGIN) => (await TestClient.connect(running.url, token, { origin })).client;
    return {
      dovecot,
      relay,
      token,
      connect,
      async addAccount(addOptions = {}) {
        const { user: given, ...rest } = addOptions;
        const user = given ?? (await dovecot.addUser());
        const accountId = await addAccountViaCli(running.dataDir, dovecot, user, rest);
        const client = await connect();
        try {
          await waitForAccount(client, accountId);
        } finally {
          client.close();
        }
        return { user, accountId };
      },
      async [Symbol.asyncDispose]() {
        await running[Symbol.asyncDispose]();
        await dovecot[Symbol.asyncDispose]();
      },
    };
  } catch (err) {
    await relay?.[Symbol.asyncDispose]();
    await dovecot[Symbol.asyncDispose]();
    throw err;
  }
}
