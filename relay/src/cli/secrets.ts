/**
 * `relay secrets rotate`: re-encrypts every stored secret with a new key.
 *
 * Order, so that no crash loses the passwords: (1) the new key is written to `secret.key.new`
 * (0600, fsync); (2) every secret and the key check are re-encrypted in ONE SQLite transaction;
 * (3) `secret.key.new` is renamed over `secret.key` (atomic). A crash before (2) commits changes
 * nothing; a crash between (2) and (3) is finished by the next command or start, which finds the
 * store matching `secret.key.new` and moves it into place. The old key is not kept: old backups
 * of the store need the old key, so keep it with them if you keep them.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { TidingsError } from '../../../shared/index.js';
import { resolveDataDir } from '../config.js';
import { createSecretBox } from '../crypto/secret-box.js';
import { rotateStoreSecrets } from '../crypto/store-secrets.js';
import {
  CliFailure,
  type CliIo,
  dataDirOption,
  openSecretBox,
  openStore,
  parseFlags,
  pendingKeyFile,
  wantsHelp,
} from './common.js';

export const secretsHelp = `Usage: npm run relay -- secrets rotate [--data-dir <dir>]

Re-encrypts every stored password with a new random key and replaces <data-dir>/secret.key.
Stop the relay first (it holds the old key in memory), rotate, start it again.

The old key is discarded: a backup of the store made before the rotation needs the old key, so
keep a copy of the old secret.key with such backups (or make a new backup after rotating).
With TIDINGS_SECRET_KEY set, rotation is refused: the key is not in a file this command can replace.
`;

export async function runSecrets(argv: string[], io: CliIo): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(secretsHelp);
    return 0;
  }
  const { values, positionals } = parseFlags(argv, dataDirOption, true);
  if (positionals.length !== 1 || positionals[0] !== 'rotate') {
    io.stderr.write(secretsHelp);
    return 2;
  }
  const dataDir = resolveDataDir({ flag: values['data-dir'], env: io.env, cwd: io.cwd });
  const store = openStore(dataDir);
  try {
    const current = openSecretBox({ dataDir, env: io.env, store, stderr: io.stderr });
    if (current.source === 'env') {
      throw new CliFailure(
        'the key comes from TIDINGS_SECRET_KEY, which this command cannot replace; unset it to use <data-dir>/secret.key, or re-add the accounts under a new key',
      );
    }
    const key = randomBytes(32);
    const pending = pendingKeyFile(current.keyFile);
    writeKeyFile(pending, key);
    let rotated: { accounts: number };
    try {
      rotated = rotateStoreSecrets({ store, from: current.box, to: createSecretBox(key) });
    } catch (err) {
      rmSync(pending, { force: true });
      if (err instanceof TidingsError) throw new CliFailure(err.message, { cause: err });
      throw err;
    }
    renameSync(pending, current.keyFile);
    syncDir(dirname(current.keyFile));
    io.stdout.write(
      `Re-encrypted ${rotated.accounts} stored password(s) with a new key in ${current.keyFile}.\n` +
        'Backups made before now need the old key; make a new backup (npm run relay -- backup <file>).\n',
    );
    return 0;
  } finally {
    store.close();
  }
}

/** A fresh key file, mode 0600 from creation, flushed to disk before the store depends on it. */
function writeKeyFile(path: string, key: Buffer): void {
  rmSync(path, { force: true }); // a leftover from an abandoned rotation
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, key.toString('base64') + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
