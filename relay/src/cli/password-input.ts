/**
 * Reading an IMAP password without it ever appearing in argv (visible in `ps`), shell history or
 * the terminal: either piped on stdin (`--password-stdin`) or typed at a prompt with echo off.
 */
import { CliFailure, type CliInput, type CliOutput } from './common.js';
import { ConfigError } from '../config.js';

/** Passwords are short; a larger stdin is a mistake (a file piped by accident). */
const MAX_PASSWORD_BYTES = 64 * 1024;

/** Reads stdin to the end and strips one trailing newline (what `echo` or a file adds). */
export async function readPasswordFromStdin(stdin: CliInput): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    size += buf.length;
    if (size > MAX_PASSWORD_BYTES) throw new ConfigError(`--password-stdin: input exceeds ${MAX_PASSWORD_BYTES} bytes`);
    chunks.push(buf);
  }
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') throw new ConfigError('--password-stdin: stdin was empty');
  return password;
}

/**
 * Prompts on a TTY with echo off (raw mode). Enter ends, Backspace deletes, Ctrl-U clears,
 * Ctrl-C / Ctrl-D cancel (in raw mode Ctrl-C arrives as a byte, not as SIGINT).
 */
export function promptPassword(options: { prompt: string; stdin: CliInput; stderr: CliOutput }): Promise<string> {
  const { stdin, stderr } = options;
  const setRawMode = stdin.setRawMode?.bind(stdin);
  if (!stdin.isTTY || !setRawMode) {
    return Promise.reject(
      new ConfigError('no password given: pipe it with --password-stdin, or run in a terminal to be prompted'),
    );
  }
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      stdin.off('data', onData);
      setRawMode(false);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else if (value === '') reject(new ConfigError('empty password'));
      else resolve(value);
    };
    const onData = (chunk: string | Buffer) => {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || (ch === '\u0004' && value === ''))
          return finish(new CliFailure('cancelled', { exitCode: 130 }));
        if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('');
        else if (ch === '\u0015') value = '';
        else if (ch === '\u001b')
          break; // an escape sequence (arrow keys…): drop the rest of the chunk
        else if (ch >= ' ') value += ch;
      }
    };
    stderr.write(options.prompt);
    setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}
