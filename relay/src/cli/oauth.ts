/**
 * `relay oauth set|list`: the user's own OAuth2 client registrations (issue 9), stored for the
 * relay's default user with the secret encrypted. A running relay reads them at the next sign-in
 * or token refresh; no restart is needed. docs/oauth.md explains how to register an app.
 */
import { OAUTH_PROVIDER_IDS, OAUTH_PROVIDERS, oauthProviderIdSchema } from '../../../shared/index.js';
import { ConfigError, resolveDataDir } from '../config.js';
import { allClientStatuses, saveClientConfig } from '../oauth/client-config.js';
import {
  type CliIo,
  dataDirOption,
  formatTable,
  openSecretBox,
  openStore,
  parseFlags,
  printable,
  wantsHelp,
} from './common.js';
import { readPasswordFromStdin } from './password-input.js';

export const oauthHelp = `Usage: npm run relay -- oauth <command> [options]

Commands:
  set <provider>   store your own client id (and secret) for google or microsoft
  list             show which providers are configured (never the secrets)

Sign-in with Google and Microsoft needs an app you register yourself (docs/oauth.md).
Every command takes --data-dir <dir> (env TIDINGS_DATA_DIR, default ./data).
`;

const setHelp = `Usage: npm run relay -- oauth set <google|microsoft> --client-id <id> [options]

Options:
  --client-id <id>          the application (client) id from Google Cloud or Microsoft Entra
  --client-secret <secret>  the client secret (Google needs one; Microsoft device code does not)
  --client-secret-stdin     read the secret from stdin instead (keeps it out of shell history)
  --no-client-secret        remove a stored secret
  --tenant <tenant>         Microsoft only: common (default), consumers, organizations or a tenant id
  --data-dir <dir>          env TIDINGS_DATA_DIR, default ./data

Examples:
  npm run relay -- oauth set microsoft --client-id 11111111-2222-3333-4444-555555555555
  npm run relay -- oauth set google --client-id 123-abc.apps.googleusercontent.com --client-secret GOCSPX-…
`;

const listHelp = `Usage: npm run relay -- oauth list [--data-dir <dir>]\n\nShows each provider's client id and whether a secret is stored.\n`;

const setOptions = {
  ...dataDirOption,
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'client-secret-stdin': { type: 'boolean' },
  'no-client-secret': { type: 'boolean' },
  tenant: { type: 'string' },
} as const;

export async function runOAuth(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout).write(oauthHelp);
    return name === undefined ? 2 : 0;
  }
  if (name !== 'set' && name !== 'list') throw new ConfigError(`unknown oauth command "${name}"; expected set or list`);
  if (wantsHelp(rest)) {
    io.stdout.write(name === 'set' ? setHelp : listHelp);
    return 0;
  }
  return name === 'set' ? runSet(rest, io) : runList(rest, io);
}

async function runSet(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, setOptions, true);
  const providerArg = positionals[0];
  const provider = oauthProviderIdSchema.safeParse(providerArg);
  if (positionals.length !== 1 || !provider.success)
    throw new ConfigError(`oauth set needs one provider: ${OAUTH_PROVIDER_IDS.join(' or ')}`);
  const info = OAUTH_PROVIDERS[provider.data];
  const clientId = values['client-id']?.trim();
  if (!clientId) throw new ConfigError('--client-id is required');
  if (clientId.length > 512 || /\s/.test(clientId)) throw new ConfigError('--client-id does not look like a client id');
  const secretSources = [
    values['client-secret'] !== undefined,
    values['client-secret-stdin'] === true,
    values['no-client-secret'] === true,
  ];
  if (secretSources.filter(Boolean).length > 1)
    throw new ConfigError('use only one of --client-secret, --client-secret-stdin and --no-client-secret');
  const tenant = values.tenant?.trim();
  if (tenant !== undefined) {
    if (provider.data !== 'microsoft') throw new ConfigError('--tenant applies to microsoft only');
    if (!/^[A-Za-z0-9.-]{1,100}$/.test(tenant))
      throw new ConfigError(`--tenant: "${tenant}" is not a tenant name or id`);
  }
  const dataDir = resolveDataDir({ flag: values['data-dir'], env: io.env, cwd: io.cwd });
  const store = openStore(dataDir);
  try {
    const { box } = openSecretBox({ dataDir, env: io.env, store, stderr: io.stderr });
    let clientSecret: string | null | undefined;
    if (values['no-client-secret'] === true) clientSecret = null;
    else if (values['client-secret-stdin'] === true) clientSecret = await readPasswordFromStdin(io.stdin);
    else clientSecret = values['client-secret'];
    if (clientSecret === '') throw new ConfigError('--client-secret must not be empty');
    const user = store.ensureDefaultUser();
    saveClientConfig({
      store,
      secretBox: box,
      userId: user.id,
      provider: provider.data,
      clientId,
      clientSecret,
      tenant,
    });
    const status = allClientStatuses({ store, userId: user.id }).find((s) => s.provider === provider.data);
    io.stdout.write(
      `Saved the ${info.id} client ${printable(clientId)}${status?.hasSecret ? ' with its secret (encrypted)' : ''}.\n`,
    );
    if (status && !status.ready)
      io.stderr.write(`warning: ${info.id} also needs a client secret: add --client-secret or --client-secret-stdin\n`);
    return 0;
  } finally {
    store.close();
  }
}

async function runList(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, dataDirOption);
  const dataDir = resolveDataDir({ flag: values['data-dir'], env: io.env, cwd: io.cwd });
  const store = openStore(dataDir);
  try {
    const user = store.ensureDefaultUser();
    const rows = allClientStatuses({ store, userId: user.id }).map((s) => [
      s.provider,
      s.flow,
      s.clientId === null ? '-' : printable(s.clientId),
      s.hasSecret ? 'yes' : 'no',
      s.tenant ?? '-',
      s.ready ? 'ready' : 'not configured',
    ]);
    io.stdout.write(formatTable(['provider', 'flow', 'client id', 'secret', 'tenant', 'status'], rows));
    return 0;
  } finally {
    store.close();
  }
}
