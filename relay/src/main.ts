#!/usr/bin/env node
/**
 * The relay's entry point, and the only module that reads process.argv, process.env and the
 * process's streams and signals; everything else gets them as parameters.
 *
 *   node --import tsx relay/src/main.ts <command>    (npm run relay -- <command>)
 *   node dist/relay/src/main.js <command>            (the production build, `npm run build`)
 */
// First, so every zod issue message is English (see zod-config.ts).
import './zod-config.js';
import { Limits } from '../../shared/index.js';
import { runCli } from './cli/run.js';

// Node 20 is past its end of life, and better-sqlite3 13 crashes on it instead of failing.
if (Number(process.versions.node.split('.')[0]) < 22) {
  process.stderr.write(`The Tidings relay needs Node.js 22 or 24; this is ${process.version}.\n`);
  process.exit(1);
}

const controller = new AbortController();
let signals = 0;
const onSignal = () => {
  signals += 1;
  // A second Ctrl-C means "now": do not wait for a slow shutdown.
  if (signals > 1) process.exit(130);
  controller.abort();
  // Service managers send SIGKILL after their own timeout (systemd: 90 s, docker: 10 s); exit
  // sooner and on our terms even if an IMAP server or a client does not answer.
  setTimeout(() => process.exit(1), Limits.relayShutdownMs).unref();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// SIGHUP: reload what can be reloaded (TLS certificate files) instead of the default, exiting.
const hangupListeners = new Set<() => void>();
process.on('SIGHUP', () => {
  // Commands with nothing to reload keep the default meaning: the terminal went away, exit.
  if (hangupListeners.size === 0) process.exit(129);
  for (const listener of hangupListeners) listener();
});

const code = await runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  signal: controller.signal,
  onHangup(listener) {
    hangupListeners.add(listener);
    return () => hangupListeners.delete(listener);
  },
  now: Date.now,
});
process.exitCode = code;
// Exit naturally so output is flushed; if some handle (a socket the server forgot) keeps the loop
// alive after the command is done, force the exit. unref: this timer alone keeps nothing alive.
setTimeout(() => process.exit(code), 2_000).unref();
