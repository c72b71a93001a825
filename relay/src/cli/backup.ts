/**
 * `relay backup <file>`: a consistent copy of the store while the relay keeps running (SQLite's
 * online backup API), mode 0600. Restore: stop the relay, copy the file back to
 * `<data-dir>/tidings.db` (removing any tidings.db-wal/-shm beside it), start with the same key.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveDataDir } from '../config.js';
import { CliFailure, type CliIo, dataDirOption, dataPaths, openStore, parseFlags, wantsHelp } from './common.js';

export const backupHelp = `Usage: npm run relay -- backup <file> [--data-dir <dir>]

Writes a consistent copy of the relay's store (accounts, devices, settings; passwords stay
encrypted) to <file>, mode 0600, while the relay keeps running. An existing <file> is replaced.

The secret key is NOT in the backup: keep a copy of <data-dir>/secret.key (or your
TIDINGS_SECRET_KEY) apart from it. Without the matching key the passwords cannot be read.

Restore: stop the relay, copy the file to <data-dir>/tidings.db (delete tidings.db-wal and
tidings.db-shm if present), put the matching secret.key beside it, start the relay.
`;

export async function runBackup(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(backupHelp);
    return 0;
  }
  const { values, positionals } = parseFlags(argv, dataDirOption, true);
  const [target, ...extra] = positionals;
  if (target === undefined || extra.length > 0) {
    io.stderr.write(backupHelp);
    return 2;
  }
  const dataDir = resolveDataDir({ flag: values['data-dir'], env: io.env, cwd: io.cwd });
  const { db } = dataPaths(dataDir);
  if (!existsSync(db)) throw new CliFailure(`no store at ${db}: check --data-dir`);
  const destination = resolve(io.cwd, target);
  if (destination === db) throw new CliFailure('the backup file must not be the store itself');
  const store = openStore(dataDir);
  try {
    await store.backup(destination);
  } catch (err) {
    throw new CliFailure(`backup to ${destination} failed: ${(err as Error).message}`, { cause: err });
  } finally {
    store.close();
  }
  io.stdout.write(`Backed up the store to ${destination}\n`);
  io.stdout.write(`Keep the secret key (${dataPaths(dataDir).keyFile} or TIDINGS_SECRET_KEY) apart from it.\n`);
  return 0;
}
