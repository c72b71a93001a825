/**
 * `npm run demo`: Tidings running end to end on this machine, to watch rather than to test.
 *
 * Starts a private Dovecot (installed by the same step `npm test` uses) with two accounts seeded
 * with realistic mail in English and Spanish, the relay from the sources with both accounts added,
 * and Chromium with a fresh profile, the built extension loaded and paired through its options
 * page. Then it delivers a new message every 30 s (`--interval <seconds>`), in turn to each account,
 * and prints what the badge says after each one. Ctrl-C (or SIGTERM) stops everything it started
 * and removes what it wrote.
 *
 * Chromium opens a window when there is a display (`DISPLAY`/`WAYLAND_DISPLAY`); `--headless` (or no
 * display) runs it without one, and the terminal is then the only view. The IMAP login of each
 * account is printed, so another mail client (a phone-like second device) can read and flag mail
 * and the badge follows.
 *
 * Flags: --interval <seconds> (default 30, at least 1), --headless, --lang <en|es> (browser UI
 * language), --ready-file <path> (writes the session's facts as JSON once everything is up; used
 * by the demo's own test).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchExtension, type ExtensionBrowser } from '../harness/chromium.js';
import { startDovecot, type Dovecot, type ImapUser } from '../harness/dovecot.js';
import { ensureDeps } from '../harness/ensure-deps.js';
import { pairFromOptions } from '../harness/options-page.js';
import { repoRoot, RUN_DIR_ENV, runDir, SERVICE_DIR_ENV, serviceRunDir } from '../harness/paths.js';
import { addAccountViaCli, startRelayProcess, type RelayProcess } from '../harness/relay.js';
import { personalInbox, workInbox } from '../e2e/popup-seed.js';
import { seedMessages } from '../e2e/popup-world.js';
import { ARRIVALS, spanishInbox } from './demo-mail.js';

/** What `--ready-file` receives once the demo is up. */
export interface DemoReady {
  relayUrl: string;
  extensionId: string;
  cdpEndpoint: string;
  imap: { host: string; port: number; accounts: { name: string; username: string; password: string }[] };
  pids: { relay: number | undefined; dovecot: number[] };
  /** Directories the demo removes when it stops. */
  dirs: string[];
}

const USAGE = 'usage: npm run demo [-- --interval <seconds>] [--headless] [--lang en|es]';
/** The production build `npm run demo` makes first (`wxt build extension`). */
const EXTENSION_DIR = join(repoRoot, '.output', 'chrome-mv3');

function parseFlags(): {
  intervalMs: number;
  headed: boolean;
  lang: string | undefined;
  readyFile: string | undefined;
} {
  const { values } = parseArgs({
    options: {
      interval: { type: 'string', default: '30' },
      headless: { type: 'boolean', default: false },
      lang: { type: 'string' },
      'ready-file': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const seconds = Number(values.interval);
  if (!Number.isFinite(seconds) || seconds < 1) {
    console.error(`--interval must be a number of seconds, at least 1 (got "${values.interval}").\n${USAGE}`);
    process.exit(2);
  }
  const hasDisplay = Boolean(process.env['DISPLAY'] || process.env['WAYLAND_DISPLAY']);
  return {
    intervalMs: seconds * 1000,
    headed: !values.headless && hasDisplay,
    lang: values.lang,
    readyFile: values['ready-file'],
  };
}

const step = (text: string) => console.log(`• ${text}`);
const time = () => new Date().toTimeString().slice(0, 8);

async function main(): Promise<void> {
  const flags = parseFlags();
  if (ensureDeps() !== 0) process.exit(1);

  // Everything started is stopped in reverse order, once, on Ctrl-C, SIGTERM or a failure.
  const cleanups: (() => Promise<void> | void)[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          console.error(`while stopping: ${String(error)}`);
        }
      }
    })());
  let timer: NodeJS.Timeout | undefined;
  const onSignal = (signal: string) => {
    // A second Ctrl-C while stopping must not kill the demo halfway and leave Dovecot running.
    if (stopping) return console.log('Still stopping…');
    console.log(`\n${signal}: stopping the browser, the relay and Dovecot…`);
    clearInterval(timer);
    void stopAll().then(() => {
      console.log('Stopped. Nothing of the demo is left running.');
      process.exit(0);
    });
  };
  process.on('SIGINT', () => onSignal('Ctrl-C'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGHUP', () => onSignal('SIGHUP (terminal closed)'));
  // The harness keeps profiles, mail and the relay's data under a run directory and a service
  // directory; the demo made them (unless a caller handed its own in), so it removes them.
  const ownDirs = !process.env[RUN_DIR_ENV] && !process.env[SERVICE_DIR_ENV];
  const dirs = [runDir(), serviceRunDir()];
  cleanups.push(() => {
    if (ownDirs) for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  try {
    step('Starting a private Dovecot (IMAPS on loopback, a test certificate)…');
    const dovecot: Dovecot = await startDovecot();
    cleanups.push(() => dovecot.stop());
    const work: ImapUser = await dovecot.addUser({ username: 'alex' });
    const personal: ImapUser = await dovecot.addUser({ username: 'lucia' });
    const now = Date.now();
    await seedMessages(dovecot, work, workInbox('Alex Doe <alex@northwind.example>', now));
    await seedMessages(dovecot, personal, spanishInbox(now));
    await seedMessages(dovecot, personal, personalInbox(now));

    step('Starting the relay…');
    const relay: RelayProcess = await startRelayProcess();
    cleanups.push(() => relay.stop());
    const accounts = [
      { key: 'work' as const, name: 'Work', user: work },
      { key: 'personal' as const, name: 'Personal', user: personal },
    ];
    for (const account of accounts)
      await addAccountViaCli(relay.dataDir, dovecot, account.user, { name: account.name });

    step(`Starting Chromium${flags.headed ? '' : ' (headless: no window; the badge is printed here)'}…`);
    const browser: ExtensionBrowser = await launchExtension({
      extensionDir: EXTENSION_DIR,
      headed: flags.headed,
      handleSignals: false,
      ...(flags.lang ? { lang: flags.lang } : {}),
    });
    cleanups.push(() => browser.close());
    // Pairs through the options page as a user would; the page stays open, showing both accounts.
    await pairFromOptions(browser, relay);
    const badge = await browser.waitForBadge((text) => /^\d+$/.test(text), 30_000);

    console.log(
      [
        '',
        `Tidings demo is running. Badge: ${badge} unread.`,
        `  relay        ${relay.url}   (data in ${relay.dataDir})`,
        `  extension    ${browser.origin}  (popup: click the toolbar icon; options page is open)`,
        `  IMAP server  ${dovecot.host}:${dovecot.imapsPort} (TLS, test certificate)`,
        ...accounts.map((a) => `    ${a.name.padEnd(9)} login ${a.user.username} / ${a.user.password}`),
        `  new mail     every ${flags.intervalMs / 1000} s, alternating Work (English) and Personal (Spanish)`,
        '',
        'Read or flag mail in the popup, or in another IMAP client with the logins above, and watch',
        'the badge follow. Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
    if (flags.readyFile) {
      const ready: DemoReady = {
        relayUrl: relay.url,
        extensionId: browser.extensionId,
        cdpEndpoint: browser.cdpEndpoint,
        imap: {
          host: dovecot.host,
          port: dovecot.imapsPort,
          accounts: accounts.map((a) => ({ name: a.name, ...a.user })),
        },
        pids: { relay: relay.pid, dovecot: dovecot.pids() },
        dirs,
      };
      writeFileSync(flags.readyFile, JSON.stringify(ready, null, 2));
    }

    let next = 0;
    let delivering = false;
    timer = setInterval(() => {
      if (delivering || stopping) return;
      delivering = true;
      const arrival = ARRIVALS[next++ % ARRIVALS.length]!;
      const account = accounts.find((a) => a.key === arrival.account)!;
      void (async () => {
        try {
          await seedMessages(dovecot, account.user, [{ ...arrival.message, date: new Date() }]);
          // Push takes well under a second; give the badge a moment, then say what it shows.
          await new Promise((r) => setTimeout(r, 1_500));
          const text = stopping ? '' : await browser.badgeText();
          if (!stopping)
            console.log(
              `${time()}  new mail for ${account.name}: "${arrival.message.subject}" → badge ${text || '(empty)'}`,
            );
        } catch (error) {
          if (!stopping) console.error(`${time()}  could not deliver a message: ${String(error)}`);
        } finally {
          delivering = false;
        }
      })();
    }, flags.intervalMs);
  } catch (error) {
    console.error(`\nThe demo could not start: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll();
    process.exit(1);
  }
}

await main();
