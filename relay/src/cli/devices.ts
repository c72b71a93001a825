/** `relay devices list|revoke`: see and revoke the browsers paired with this relay. */
import { resolveDataDir, ConfigError } from '../config.js';
import {
  CliFailure,
  type CliIo,
  dataDirOption,
  formatTable,
  formatTime,
  openStore,
  parseFlags,
  printable,
  wantsHelp,
} from './common.js';

export const devicesHelp = `Usage: npm run relay -- devices <command> [options]

Commands:
  list      list paired browsers: id, label, origin, created, last seen, revoked
  revoke    revoke one:  devices revoke <id>  (it must pair again to reconnect)

Every command takes --data-dir <dir> (env TIDINGS_DATA_DIR, default ./data).
`;

const listHelp = `Usage: npm run relay -- devices list [--data-dir <dir>]\n\nLists paired browsers, including revoked ones.\n`;
const revokeHelp = `Usage: npm run relay -- devices revoke <id> [--data-dir <dir>]\n\nRevokes a device token; the relay refuses it from then on.\n`;

const subcommands = {
  list: { help: listHelp, run: runList },
  revoke: { help: revokeHelp, run: runRevoke },
} as const satisfies Record<string, { help: string; run: (argv: string[], io: CliIo) => Promise<number> }>;

export async function runDevices(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout).write(devicesHelp);
    return name === undefined ? 2 : 0;
  }
  if (!Object.hasOwn(subcommands, name))
    throw new ConfigError(`unknown devices command "${name}"; expected list or revoke`);
  const sub = subcommands[name as keyof typeof subcommands];
  if (wantsHelp(rest)) {
    io.stdout.write(sub.help);
    return 0;
  }
  return sub.run(rest, io);
}

async function runList(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, dataDirOption);
  const store = openStore(resolveDataDir({ flag: values['data-dir'], env: io.env, cwd: io.cwd }));
  try {
    const devices = store.listDevices();
    if (devices.length === 0) {
      io.stdout.write('No paired devices. Pair a browser with the code from: npm run relay -- pair\n');
      return 0;
    }
    io.stdout.write(
      formatTable(
        ['ID', 'LABEL', 'ORIGIN', 'CREATED', 'LAST SEEN', 'REVOKED'],
        devices.map((d) => [
          d.id,
          printable(d.label),
          printable(d.origin),
          formatTime(d.createdAt),
          formatTime(d.lastSeenAt),
          formatTime(d.revokedAt),
        ]),
      ),
    );
    return 0;
  } finally {
    store.close();
  }
}

async function runRevoke(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, dataDirOption, true);
  const [id] = positionals;
  if (id === undefined || positionals.length !== 1) throw new ConfigError('usage: devices revoke <id>');
  const store = openStore(resolveDataDir({ flag: values['data-dir'], env: io.env, cwd: io.cwd }));
  try {
    const device = store.getDevice(id);
    if (!device) throw new CliFailure(`no device with id ${id} (see: devices list)`);
    if (!store.revokeDevice(id, io.now())) {
      io.stdout.write(`Device ${id} (${printable(device.label)}) was already revoked.\n`);
      return 0;
    }
    io.stdout.write(`Revoked device ${id} (${printable(device.label)}). The relay refuses its token from now on.\n`);
    return 0;
  } finally {
    store.close();
  }
}
