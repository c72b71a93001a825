/**
 * `relay accounts add|list|remove|test`: manage IMAP accounts in the store. A running relay picks
 * up changes at once by itself (it watches the store file; a poll of Store.changeCounter is the
 * fallback), so no restart is needed.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Limits, TidingsError } from '../../../shared/index.js';
import { ConfigError, resolveDataDir } from '../config.js';
import { testImapConnection, type ConnectionTestResult } from '../imap/connection-test.js';
import type { Account, SecurityMode } from '../store/types.js';
import { accountSecretContext } from '../crypto/secret-box.js';
import { newRecordId } from '../store/ids.js';
import {
  CliFailure,
  type CliIo,
  dataDirOption,
  formatTable,
  openSecretBox,
  openStore,
  parseFlags,
  printable,
  wantsHelp,
} from './common.js';
import { promptPassword, readPasswordFromStdin } from './password-input.js';

export const accountsHelp = `Usage: npm run relay -- accounts <command> [options]

Commands:
  add       add an IMAP account (tests the connection first)
  list      list accounts (never shows passwords)
  remove    remove an account:   accounts remove <id>
  test      test an account:     accounts test <id>

Every command takes --data-dir <dir> (env TIDINGS_DATA_DIR, default ./data).
Run "npm run relay -- accounts <command> --help" for details.
`;

export const accountsAddHelp = `Usage: npm run relay -- accounts add --host <host> --username <login> [options]

Options:
  --name <text>             display name (default: the username)
  --host <host>             IMAP server
  --port <n>                default 993 for tls, 143 otherwise
  --security <mode>         tls (default), starttls, or plain
  --username <login>        IMAP login, usually the address
  --password-stdin          read the password from stdin (otherwise you are prompted, without echo)
  --mailbox <path>          mailbox whose unread count feeds the badge; repeat for several (default INBOX)
  --ca-file <file>          PEM CA certificate to trust for this server (self-signed or private CA)
  --fingerprint <sha256>    pin the server certificate by its SHA-256 fingerprint (hex, colons optional)
  --allow-plaintext         required with --security plain: password and mail cross the network in clear
  --no-test                 save without testing the connection first
  --data-dir <dir>          env TIDINGS_DATA_DIR, default ./data

Example:
  printf '%s' "$PASSWORD" | npm run relay -- accounts add --name Work --host imap.example.com \\
      --username me@example.com --password-stdin
`;

const listHelp = `Usage: npm run relay -- accounts list [--data-dir <dir>]\n\nLists accounts: id, name, username, server, security, watched mailboxes.\n`;
const removeHelp = `Usage: npm run relay -- accounts remove <id> [--data-dir <dir>]\n\nRemoves the account and its stored password. A running relay drops its connections.\n`;
const testHelp = `Usage: npm run relay -- accounts test <id> [--data-dir <dir>]\n\nConnects with the stored settings and prints a diagnosis: TLS, capabilities, mailbox counts.\n`;

const subcommands = {
  add: { help: accountsAddHelp, run: runAdd },
  list: { help: listHelp, run: runList },
  remove: { help: removeHelp, run: runRemove },
  test: { help: testHelp, run: runTest },
} as const satisfies Record<string, { help: string; run: (argv: string[], io: CliIo) => Promise<number> }>;

export async function runAccounts(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout).write(accountsHelp);
    return name === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(subcommands, name)) {
    throw new ConfigError(`unknown accounts command "${name}"; expected add, list, remove or test`);
  }
  const sub = subcommands[name as keyof typeof subcommands];
  if (wantsHelp(rest)) {
    io.stdout.write(sub.help);
    return 0;
  }
  return sub.run(rest, io);
}

const addOptions = {
  ...dataDirOption,
  name: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  security: { type: 'string' },
  username: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  mailbox: { type: 'string', multiple: true },
  'ca-file': { type: 'string' },
  fingerprint: { type: 'string' },
  'allow-plaintext': { type: 'boolean' },
  'no-test': { type: 'boolean' },
} as const;

async function runAdd(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, addOptions);
  const host = required(values.host, '--host').trim();
  const username = required(values.username, '--username');
  const security = parseSecurity(values.security);
  const port = parseImapPort(values.port, security);
  const name = (values.name ?? username).trim();
  if (name === '' || name.length > Limits.maxNameLength) {
    throw new ConfigError(`--name must be 1 to ${Limits.maxNameLength} characters`);
  }
  if (host === '' || /[\s/]/.test(host)) throw new ConfigError(`--host must be a host name or address, got "${host}"`);
  const watchedMailboxes = parseMailboxes(values.mailbox);
  const pinnedFingerprint = values.fingerprint === undefined ? null : normalizeFingerprint(values.fingerprint);
  const caPem = values['ca-file'] === undefined ? null : readCaFile(values['ca-file']);
  if (security === 'plain') {
    if (values['allow-plaintext'] !== true) {
      throw new ConfigError(
        '--security plain sends your password and mail across the network unencrypted; add --allow-plaintext if you accept that',
      );
    }
    io.stderr.write(
      `warning: ${host}:${port} uses plaintext IMAP: anyone on the network path can read the password and mail\n`,
    );
  }

  const dataDir = resolveDataDir({ flag: values['data-dir'], env: io.env, cwd: io.cwd });
  const store = openStore(dataDir);
  try {
    // Key before password: a key mismatch should fail before the user types anything.
    const { box } = openSecretBox({ dataDir, env: io.env, store, stderr: io.stderr });
    const password =
      values['password-stdin'] === true
        ? await readPasswordFromStdin(io.stdin)
        : await promptPassword({ prompt: `IMAP password for ${username}: `, stdin: io.stdin, stderr: io.stderr });

    const settings = { host, port, security, username, watchedMailboxes, pinnedFingerprint, caPem };
    if (values['no-test'] !== true) {
      io.stderr.write(`Testing ${host}:${port} (${security}) as ${username}…\n`);
      const result = await runConnectionTest(settings, password, io);
      if (!result.ok) {
        printFailure(result, io);
        io.stderr.write('The account was not saved. Fix the settings, or add --no-test to save it anyway.\n');
        return 1;
      }
      io.stdout.write(summarize(result));
    }

    const user = store.ensureDefaultUser();
    const id = newRecordId();
    const account = store.createAccount({
      id,
      userId: user.id,
      name,
      ...settings,
      secretEnc: box.encrypt(password, accountSecretContext({ id, userId: user.id, host, username })),
    });
    io.stdout.write(
      `Added account ${account.id} (${printable(name)}: ${printable(username)} @ ${host}:${port}, ${security}), watching ${watchedMailboxes.join(', ')}.\n` +
        'A running relay picks it up within a few seconds.\n',
    );
    return 0;
  } finally {
    store.close();
  }
}

async function runList(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, dataDirOption);
  const store = openStore(resolveDataDir({ flag: values['data-dir'], env: io.env, cwd: io.cwd }));
  try {
    const accounts = store.listAccounts();
    if (accounts.length === 0) {
      io.stdout.write(
        'No accounts. Add one with: npm run relay -- accounts add --host <imap host> --username <login>\n',
      );
      return 0;
    }
    io.stdout.write(
      formatTable(
        ['ID', 'NAME', 'USERNAME', 'SERVER', 'SECURITY', 'MAILBOXES'],
        accounts.map((a) => [
          a.id,
          printable(a.name),
          printable(a.username),
          `${printable(a.host)}:${a.port}`,
          a.security + (a.pinnedFingerprint ? ' (pinned)' : a.caPem ? ' (own CA)' : ''),
          a.watchedMailboxes.map(printable).join(', '),
        ]),
      ),
    );
    return 0;
  } finally {
    store.close();
  }
}

async function runRemove(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, dataDirOption, true);
  const id = onePositional(positionals, 'accounts remove <id>');
  const store = openStore(resolveDataDir({ flag: values['data-dir'], env: io.env, cwd: io.cwd }));
  try {
    const account = store.getAccount(id);
    if (!account || !store.deleteAccount(id)) throw new CliFailure(`no account with id ${id} (see: accounts list)`);
    io.stdout.write(`Removed account ${id} (${printable(account.name)}) and its stored password.\n`);
    return 0;
  } finally {
    store.close();
  }
}

async function runTest(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, dataDirOption, true);
  const id = onePositional(positionals, 'accounts test <id>');
  const dataDir = resolveDataDir({ flag: values['data-dir'], env: io.env, cwd: io.cwd });
  const store = openStore(dataDir);
  try {
    const account = store.getAccount(id);
    if (!account) throw new CliFailure(`no account with id ${id} (see: accounts list)`);
    if (account.auth.kind === 'oauth2')
      throw new CliFailure(
        `account ${id} signs in with ${account.auth.provider} (OAuth2); the running relay tests it: see its state in the options page`,
      );
    const { box } = openSecretBox({ dataDir, env: io.env, store, stderr: io.stderr });
    let password: string;
    try {
      password = box.decrypt(account.secretEnc, accountSecretContext(account));
    } catch (err) {
      throw new CliFailure(err instanceof TidingsError ? err.message : 'the stored password could not be read', {
        cause: err,
      });
    }
    io.stdout.write(
      `Testing ${printable(account.name)}: ${printable(account.username)} @ ${account.host}:${account.port} (${account.security})\n`,
    );
    const result = await runConnectionTest(account, password, io);
    if (!result.ok) {
      printFailure(result, io);
      return 1;
    }
    io.stdout.write(summarize(result));
    return 0;
  } finally {
    store.close();
  }
}

type ConnectionSettings = Pick<
  Account,
  'host' | 'port' | 'security' | 'username' | 'watchedMailboxes' | 'pinnedFingerprint' | 'caPem'
>;

async function runConnectionTest(
  account: ConnectionSettings,
  password: string,
  io: CliIo,
): Promise<ConnectionTestResult> {
  try {
    return await testImapConnection({
      account: {
        host: account.host,
        port: account.port,
        security: account.security,
        username: account.username,
        watchedMailboxes: account.watchedMailboxes,
        pinnedFingerprint: account.pinnedFingerprint,
        caPem: account.caPem,
      },
      auth: { kind: 'password', password },
      signal: io.signal,
    });
  } catch (err) {
    // testImapConnection reports expected failures as a result; a throw is a bug or an abort.
    throw new CliFailure(`connection test failed unexpectedly: ${(err as Error).message}`, { cause: err });
  }
}

function summarize(result: Extract<ConnectionTestResult, { ok: true }>): string {
  const lines = [
    `Connection OK in ${Math.round(result.rttMs)} ms${result.tlsProtocol ? `, ${result.tlsProtocol}` : ', NO TLS'}`,
    `Capabilities: ${result.capabilities.join(' ') || '(none reported)'}`,
    'Mailboxes:',
    ...result.mailboxes.map((m) => `  ${printable(m.path)}: ${m.unread} unread / ${m.total} total`),
  ];
  const missing = ['IDLE', 'CONDSTORE', 'QRESYNC'].filter((c) => !result.capabilities.includes(c));
  if (missing.includes('IDLE')) lines.push('Note: no IDLE: new mail is noticed by polling, with some delay.');
  else if (missing.length > 0) lines.push(`Note: no ${missing.join(', ')}: resyncs compare UIDs and flags instead.`);
  return lines.join('\n') + '\n';
}

function printFailure(result: Extract<ConnectionTestResult, { ok: false }>, io: CliIo): void {
  io.stderr.write(`error: ${result.code}: ${result.message}\n`);
  if (result.hint) io.stderr.write(`hint: ${result.hint}\n`);
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === '')
    throw new ConfigError(`${flag} is required (see: accounts add --help)`);
  return value;
}

function onePositional(positionals: string[], usage: string): string {
  if (positionals.length !== 1 || positionals[0] === undefined) throw new ConfigError(`usage: ${usage}`);
  return positionals[0];
}

function parseSecurity(value: string | undefined): SecurityMode {
  if (value === undefined) return 'tls';
  if (value === 'tls' || value === 'starttls' || value === 'plain') return value;
  throw new ConfigError(`--security must be tls, starttls or plain, got "${value}"`);
}

function parseImapPort(value: string | undefined, security: SecurityMode): number {
  // 993 is IMAP over implicit TLS (RFC 8314 §3.2, which recommends it over STARTTLS); 143 is IMAP.
  if (value === undefined) return security === 'tls' ? 993 : 143;
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value) || port < 1 || port > 65535)
    throw new ConfigError(`--port must be 1 to 65535, got "${value}"`);
  return port;
}

function parseMailboxes(values: string[] | undefined): string[] {
  const list = [...new Set((values ?? []).map((m) => m.trim()))];
  if (list.length === 0) return ['INBOX'];
  for (const m of list) {
    if (m === '' || m.length > Limits.maxMailboxPathLength) {
      throw new ConfigError(`--mailbox must be 1 to ${Limits.maxMailboxPathLength} characters`);
    }
  }
  return list;
}

/** Accepts hex with or without colons (and an optional "sha256:" prefix); stores AA:BB:… upper case. */
export function normalizeFingerprint(value: string): string {
  const hex = value
    .trim()
    .replace(/^sha-?256[:=]?/i, '')
    .replace(/[:\s]/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new ConfigError(
      '--fingerprint must be a SHA-256 fingerprint (64 hex digits, colons optional), e.g. from: openssl s_client -connect host:993 | openssl x509 -noout -fingerprint -sha256',
    );
  }
  return hex.toUpperCase().match(/../g)?.join(':') ?? hex.toUpperCase();
}

function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `--ca-file ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message}`,
    );
  }
  try {
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no "BEGIN CERTIFICATE" block');
    new X509Certificate(pem);
  } catch (err) {
    throw new ConfigError(`--ca-file ${file} is not a PEM certificate: ${(err as Error).message}`);
  }
  return pem;
}
