// SECURITY.md "hostile IMAP" suite, against a scripted fake server (test/harness/fake-imap.ts):
// a server that never greets, stops mid-line, lacks STARTTLS, refuses it, or answers it with
// garbage, or announces a literal far over the limit. The relay answers with a typed error within
// its deadlines, never sends the login or password in clear (no plaintext fallback), and another
// account's push on the real Dovecot keeps working meanwhile.
//
// Not covered here yet (the fake server would need TLS and a full login/SELECT/IDLE dialogue):
// BYE during IDLE, EXISTS floods, a UIDVALIDITY change mid-session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_ERROR_CODES, Limits, type ErrorCode } from '../../shared/index.js';
import {
  capabilityResponder,
  startFakeImap,
  type FakeImapConnection,
  type FakeImapServer,
} from '../harness/fake-imap.js';
import { appendMessage } from '../harness/mail.js';
import { startMailRelay, type MailRelay } from '../harness/mail-relay.js';
import { ACCOUNT_ID_PATTERN, runRelayCli } from '../harness/relay.js';

const PASSWORD = 'hostile-canary-pw-9d1f';
const DEADLINE_MS = Limits.imapConnectTimeoutMs + 10_000;

interface Scenario {
  script: (c: FakeImapConnection) => void;
  /** What the diagnosis's failed step must say. */
  diagnosis: ErrorCode;
}

const greet = (caps: string) => (c: FakeImapConnection) => c.send(`* OK [CAPABILITY ${caps}] fake ready\r\n`);

const scenarios: Record<string, Scenario> = {
  'never greets': { script: () => undefined, diagnosis: 'TIMEOUT' },
  'stops in the middle of the greeting': {
    script: (c) => c.send('* OK [CAPABILITY IMAP4rev1 STA'),
    diagnosis: 'TIMEOUT',
  },
  'offers no STARTTLS': {
    script: (c) => {
      greet('IMAP4rev1 AUTH=PLAIN')(c);
      capabilityResponder(c, { caps: 'IMAP4rev1 AUTH=PLAIN', starttls: (t) => `${t} BAD unknown command\r\n` });
    },
    diagnosis: 'TLS_FAILED',
  },
  'refuses STARTTLS': {
    script: (c) => {
      greet('IMAP4rev1 STARTTLS AUTH=PLAIN')(c);
      capabilityResponder(c, {
        caps: 'IMAP4rev1 STARTTLS AUTH=PLAIN',
        starttls: (t) => `${t} NO [UNAVAILABLE] TLS is broken today\r\n`,
      });
    },
    diagnosis: 'TLS_FAILED',
  },
  'answers STARTTLS with garbage': {
    script: (c) => {
      greet('IMAP4rev1 STARTTLS AUTH=PLAIN')(c);
      capabilityResponder(c, {
        caps: 'IMAP4rev1 STARTTLS AUTH=PLAIN',
        starttls: (t) => {
          // The client's TLS hello gets an HTTP answer.
          c.socket.once('data', () => c.send('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
          return `${t} OK go ahead\r\n`;
        },
      });
    },
    diagnosis: 'TLS_FAILED',
  },
  'announces a literal far over the limit': {
    script: (c) => {
      greet('IMAP4rev1 STARTTLS AUTH=PLAIN')(c);
      // Any command gets a response announcing 4 GiB of literal, a little of it, then silence.
      c.onLine(() => c.send(`* CAPABILITY {${Limits.imapMaxLiteralBytes * 64}}\r\n${'x'.repeat(8192)}`));
    },
    diagnosis: 'TIMEOUT',
  },
};

let mail: MailRelay;
const servers = new Map<string, FakeImapServer>();

beforeAll(async () => {
  mail = await startMailRelay();
  for (const [name, s] of Object.entries(scenarios)) servers.set(name, await startFakeImap(s.script));
});

afterAll(async () => {
  for (const s of servers.values()) await s.close();
  await mail?.[Symbol.asyncDispose]();
});

/** The password or a login never reached the fake server. */
function expectNoCredentials(server: FakeImapServer): void {
  for (const line of server.received) {
    expect(line).not.toContain(PASSWORD);
    expect(line).not.toMatch(/^\S+ (LOGIN|AUTHENTICATE)\b/i);
  }
}

describe('hostile IMAP server: connection test (accounts.diagnose)', () => {
  // Two at a time: the per-user limit on concurrent connection tests.
  const names = Object.keys(scenarios);
  for (let i = 0; i < names.length; i += 2) {
    const pair = names.slice(i, i + 2);
    it(`${pair.join(' / ')}: typed error within the deadline, no credentials sent`, async () => {
      using client = await mail.connect();
      await Promise.all(
        pair.map(async (name) => {
          const server = servers.get(name)!;
          const started = Date.now();
          const d = await client.request('accounts.diagnose', {
            settings: {
              host: server.host,
              port: server.port,
              security: 'starttls',
              username: 'u',
              pinnedFingerprint: null,
            },
            password: PASSWORD,
          });
          expect(Date.now() - started, name).toBeLessThan(DEADLINE_MS);
          expect(d.ok, name).toBe(false);
          const failed = d.steps.find((s) => s.status === 'fail');
          expect(failed?.code, name).toBe(scenarios[name]!.diagnosis);
          expect(d.steps.find((s) => s.id === 'auth')?.status, name).toBe('skipped');
          expectNoCredentials(server);
        }),
      );
    });
  }
});

describe('hostile IMAP server: account connections', () => {
  it('end in a typed error state without sending credentials, and push on another account keeps working', async () => {
    const { user, accountId: goodId } = await mail.addAccount();
    const names = [
      'never greets',
      'offers no STARTTLS',
      'answers STARTTLS with garbage',
      'announces a literal far over the limit',
    ];
    const ids: string[] = [];
    // One at a time: each CLI run is a Node start-up, and the machine is shared.
    for (const name of names) {
      const server = servers.get(name)!;
      const args = ['accounts', 'add', '--name', name, '--host', server.host, '--port', String(server.port)];
      args.push('--security', 'starttls', '--username', 'u', '--password-stdin', '--no-test');
      const run = await runRelayCli(args, { dataDir: mail.relay.dataDir, stdin: `${PASSWORD}\n`, timeoutMs: 60_000 });
      expect(run.code, run.stderr).toBe(0);
      ids.push(ACCOUNT_ID_PATTERN.exec(run.stdout)![1]!);
    }
    using client = await mail.connect();
    const started = Date.now();
    const states = new Map<string, { status: string; code?: string }>();
    while (Date.now() - started < DEADLINE_MS) {
      const { accounts } = await client.request('accounts.list', {});
      for (const a of accounts) states.set(a.id, a.state as { status: string; code?: string });
      if (ids.every((id) => states.get(id)?.status === 'error')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    for (const [i, id] of ids.entries()) {
      const state = states.get(id);
      expect(state?.status, names[i]).toBe('error');
      expect(ALL_ERROR_CODES, names[i]).toContain(state?.code);
      expect(state?.code, names[i]).not.toBe('INTERNAL');
      expectNoCredentials(servers.get(names[i]!)!);
    }
    // The real account still pushes: new mail changes its count without any request.
    await appendMessage(mail.dovecot, user, { subject: 'still pushing' });
    await client.waitFor(() => client.latestUnread(goodId) === 1, 15_000, 'the good account to count new mail');
  }, 180_000);
});
