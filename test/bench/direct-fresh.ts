// The baseline of `relay_overhead`'s fresh-process figures: a new Node process (no loader, as the
// relay's production build runs) with only imapflow loaded, in the state `popup_list`'s cold case
// finds a fresh relay in: one connection open with INBOX examined, as the relay's watcher has
// (which warms TLS and imapflow's code in that process). Then, timed inside the child, a second
// connection does what the relay's first page does on its new command connection: connect and
// log in, SELECT, and one FETCH of the same items for the newest 50 messages.
import { spawn } from 'node:child_process';
import type { FetchQueryObject } from 'imapflow';
import { z } from 'zod/mini';
import type { Dovecot, ImapUser } from '../harness/dovecot.js';
import { repoRoot } from '../harness/paths.js';

/** Plain JavaScript for `node --input-type=module`: tsx's transform would slow the child down. */
const CHILD = `
import { ImapFlow } from 'imapflow';
const o = JSON.parse(process.env.BENCH_DIRECT_FRESH);
const open = async (extra) => {
  const client = new ImapFlow({
    host: o.host, port: o.port, secure: true, auth: o.auth, logger: false,
    tls: { ca: o.ca, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, ...extra,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
};
const watcher = await open({});
await watcher.mailboxOpen('INBOX', { readOnly: true });
process.stdout.write('ready\\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
const started = performance.now();
const client = await open({ disableAutoIdle: true });
const lock = await client.getMailboxLock('INBOX');
const rows = await client.fetchAll(o.range, o.query);
const ms = performance.now() - started;
lock.release();
process.stdout.write(JSON.stringify({ ms, rows: rows.length }) + '\\n');
await Promise.allSettled([client.logout(), watcher.logout()]);
process.exit(0);
`;

const ResultSchema = z.object({ ms: z.number(), rows: z.number() });

/**
 * Starts the child, waits until its first connection is in, and resolves with the timed part.
 * Rejects if the child fails or does not answer within 30 s.
 */
export async function directFreshFirstPage(
  dovecot: Dovecot,
  user: ImapUser,
  fetch: { range: string; query: FetchQueryObject },
): Promise<{ ms: number; rows: number }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    cwd: repoRoot,
    env: {
      ...process.env,
      BENCH_DIRECT_FRESH: JSON.stringify({
        host: dovecot.host,
        port: dovecot.imapsPort,
        ca: dovecot.certificate === 'ca-signed' ? dovecot.caPem : dovecot.certPem,
        auth: { user: user.username, pass: user.password },
        ...fetch,
      }),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let asked = false;
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const done = new Promise<{ ms: number; rows: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`direct fresh process: no answer within 30 s; stderr: ${err.slice(0, 500)}`));
    }, 30_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!asked && out.startsWith('ready\n')) {
        asked = true;
        child.stdin.write('go\n');
      }
      const line = out.split('\n')[1];
      if (line) {
        clearTimeout(timer);
        resolve(ResultSchema.parse(JSON.parse(line)));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`direct fresh process exited with ${code}; stderr: ${err.slice(0, 500)}`));
    });
  });
  return await done;
}
