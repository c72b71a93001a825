/**
 * The CLI's dispatcher: picks the command, runs it, and turns errors into one line on stderr and
 * an exit code (0 ok, 1 runtime failure, 2 usage error). Everything it needs is passed in, so it
 * runs the same under main.ts and in tests.
 */
import { TidingsError } from '../../../shared/index.js';
import { ConfigError } from '../config.js';
import { runAccounts } from './accounts.js';
import { runBackup } from './backup.js';
import { CliFailure, type CliIo, type Command, readRelayVersion } from './common.js';
import { runDevices } from './devices.js';
import { runOAuth } from './oauth.js';
import { runPair } from './pair.js';
import { runSecrets } from './secrets.js';
import { runStart } from './start.js';

const commands = {
  start: { summary: 'start the relay', run: runStart },
  pair: { summary: 'print a one-time code to pair a browser', run: runPair },
  accounts: { summary: 'add, list, remove or test IMAP accounts', run: runAccounts },
  devices: { summary: 'list or revoke paired browsers', run: runDevices },
  backup: { summary: 'copy the store to a file while the relay runs', run: runBackup },
  secrets: { summary: 'rotate: re-encrypt stored passwords with a new key', run: runSecrets },
  oauth: { summary: 'set your own OAuth2 client ids (Google, Microsoft sign-in)', run: runOAuth },
} as const satisfies Record<string, { summary: string; run: Command }>;

type CommandName = keyof typeof commands;

export const topLevelHelp = `Usage: npm run relay -- <command> [options]
       (or: node --import tsx relay/src/main.ts <command> [options])

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`)
  .join('\n')}

Options:
  -h, --help     show help (also after a command: "accounts add --help")
  --version      print the relay version

Every command takes --data-dir <dir> (env TIDINGS_DATA_DIR, default ./data).
`;

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr.write(topLevelHelp);
    return 2;
  }
  if (name === '--help' || name === '-h' || name === 'help') {
    const topic = rest[0];
    if (name === 'help' && topic !== undefined && isCommand(topic)) return commands[topic].run(['--help'], io);
    io.stdout.write(topLevelHelp);
    return 0;
  }
  if (name === '--version') {
    io.stdout.write(readRelayVersion() + '\n');
    return 0;
  }
  if (!isCommand(name)) {
    io.stderr.write(`error: unknown command "${name}". Commands: ${Object.keys(commands).join(', ')} (see --help)\n`);
    return 2;
  }
  try {
    return await commands[name].run(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

function isCommand(name: string): name is CommandName {
  return Object.hasOwn(commands, name);
}

function reportError(err: unknown, io: CliIo): number {
  const debug = io.env.TIDINGS_DEBUG === '1';
  if (err instanceof ConfigError) {
    io.stderr.write(`error: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof CliFailure || err instanceof TidingsError) {
    io.stderr.write(`error: ${err.message}\n`);
    if (debug && err.cause instanceof Error && err.cause.stack) io.stderr.write(`cause: ${err.cause.stack}\n`);
    return err instanceof CliFailure ? err.exitCode : 1;
  }
  // Unexpected: still one line by default; the stack is one environment variable away.
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`error: ${message}\n`);
  if (debug && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  else io.stderr.write('(set TIDINGS_DEBUG=1 for a stack trace)\n');
  return 1;
}
