import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config.js';
import type { CliInput } from './common.js';
import { promptPassword, readPasswordFromStdin } from './password-input.js';

function pipedInput(text: string): CliInput {
  const s = new PassThrough();
  s.end(text);
  return s;
}

/** A stream that claims to be a TTY and records raw-mode switches. */
function fakeTty(): { input: CliInput; raw: boolean[]; type: (s: string) => void } {
  const s = new PassThrough();
  const raw: boolean[] = [];
  const input = Object.assign(s, {
    isTTY: true,
    setRawMode: (mode: boolean) => {
      raw.push(mode);
      return s;
    },
  });
  return { input, raw, type: (text) => s.write(text) };
}

describe('readPasswordFromStdin', () => {
  it('strips exactly one trailing newline', async () => {
    expect(await readPasswordFromStdin(pipedInput('secret\n'))).toBe('secret');
    expect(await readPasswordFromStdin(pipedInput('secret\r\n'))).toBe('secret');
    expect(await readPasswordFromStdin(pipedInput('secret\n\n'))).toBe('secret\n');
    expect(await readPasswordFromStdin(pipedInput(' spaced secret '))).toBe(' spaced secret ');
  });

  it('refuses empty input', async () => {
    await expect(readPasswordFromStdin(pipedInput('\n'))).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('promptPassword', () => {
  it('reads without echo, handles backspace, and restores the terminal', async () => {
    const tty = fakeTty();
    let shown = '';
    const result = promptPassword({
      prompt: 'Password: ',
      stdin: tty.input,
      stderr: { write: (t: string) => (shown += t) },
    });
    tty.type('hunXX\u007f\u007fter');
    tty.type('2\r');
    expect(await result).toBe('hunter2');
    expect(shown).toBe('Password: \n'); // nothing typed was echoed
    expect(tty.raw).toEqual([true, false]);
  });

  it('cancels on Ctrl-C', async () => {
    const tty = fakeTty();
    const result = promptPassword({ prompt: '', stdin: tty.input, stderr: { write: () => true } });
    tty.type('abc\u0003');
    await expect(result).rejects.toThrow(/cancelled/);
    expect(tty.raw).toEqual([true, false]);
  });

  it('is a usage error when stdin is not a terminal', async () => {
    await expect(promptPassword({ prompt: '', stdin: pipedInput(''), stderr: { write: () => true } })).rejects.toThrow(
      /--password-stdin/,
    );
  });
});
