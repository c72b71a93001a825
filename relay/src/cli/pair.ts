/** `relay pair`: prints a fresh one-time pairing code for the default user. */
import { Limits } from '../../../shared/index.js';
import { issuePairingCode } from '../auth/pairing.js';
import { resolveDataDir } from '../config.js';
import { type CliIo, dataDirOption, openStore, parseFlags, wantsHelp } from './common.js';

export const pairHelp = `Usage: npm run relay -- pair [--data-dir <dir>]

Prints a pairing code for a new browser (valid ${Limits.pairingCodeTtlMs / 60_000} minutes, single use).
Enter it with the relay URL on the Tidings options page. The relay need not be restarted.
`;

export async function runPair(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(pairHelp);
    return 0;
  }
  const { values } = parseFlags(argv, dataDirOption);
  const store = openStore(resolveDataDir({ flag: values['data-dir'], env: io.env, cwd: io.cwd }));
  try {
    const user = store.ensureDefaultUser();
    const { code } = issuePairingCode({ store, userId: user.id, now: io.now() });
    // The code on a line of its own, so it is easy to read aloud, copy, or pick out in a script.
    io.stdout.write(
      `Pairing code (valid ${Limits.pairingCodeTtlMs / 60_000} minutes, single use):\n\n` +
        `    ${code}\n\n` +
        'Open the Tidings options page, enter the relay URL and this code.\n',
    );
    return 0;
  } finally {
    store.close();
  }
}
