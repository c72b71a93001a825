import { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { createLogger, imapflowLogger, type LogLevel } from './log.js';

function capture(level: LogLevel = 'debug') {
  const lines: string[] = [];
  const log = createLogger({ level, sink: (l) => lines.push(l) });
  const entries = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines, entries };
}

describe('createLogger', () => {
  it('writes one JSON line per entry with level label, ISO time and message', () => {
    const { log, entries } = capture('info');
    log.info('hello', { n: 1, big: 2n });
    log.debug('dropped below the level');
    const [e] = entries();
    expect(entries()).toHaveLength(1);
    expect(e).toMatchObject({ level: 'info', msg: 'hello', n: 1, big: '2' });
    expect(typeof e?.time).toBe('string');
    expect(Number.isNaN(Date.parse(String(e?.time)))).toBe(false);
  });

  it('redacts secret-named fields at any depth, in arrays, child bindings and errors', () => {
    const { log, lines } = capture();
    const err = Object.assign(new Error('boom'), { config: { auth: { user: 'u', pass: 'CANARY-1' } } });
    log.child({ session: { cookie: 'CANARY-2' } }).info('x', {
      account: { settings: { password: 'CANARY-3', accessToken: 'CANARY-4' } },
      list: [{ refreshToken: 'CANARY-5' }, { headers: { Authorization: 'Bearer CANARY-6' } }],
      oauth: { clientSecret: 'CANARY-7', token: 'CANARY-8' },
      err,
    });
    const text = lines.join('\n');
    expect(text).not.toMatch(/CANARY/);
    expect(text).toContain('[redacted]');
    expect(text).toContain('"user":"u"'); // non-secrets survive
  });

  it('keeps error stacks and the cause chain', () => {
    const { log, entries } = capture();
    const root = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    log.error('sync failed', { err: new Error('could not sync', { cause: root }) });
    const err = entries()[0]?.err as Record<string, unknown>;
    expect(err.message).toBe('could not sync');
    expect(String(err.stack)).toContain('log.test.ts');
    expect(err.cause).toMatchObject({ message: 'socket hang up', code: 'ECONNRESET', type: 'Error' });
  });

  it('survives cycles', () => {
    const { log, entries } = capture();
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    log.info('cycle', { a });
    expect(entries()[0]?.a).toEqual({ name: 'a', self: '[circular]' });
  });
});

describe('imapflowLogger', () => {
  it("routes imapflow's entries in at debug, tagged, and drops trace", () => {
    const { log, entries } = capture();
    const flow = imapflowLogger(log);
    flow.info({ msg: 'Established secure TCP connection', cid: 'abc', secure: true });
    flow.error({ msg: 'failure', err: new Error('x') });
    flow.trace({ msg: 'write to socket', data: 'base64…' });
    expect(entries().map((e) => [e.level, e.component, e.msg])).toEqual([
      ['debug', 'imapflow', 'Established secure TCP connection'],
      ['debug', 'imapflow', 'failure'],
    ]);
  });

  it('writes nothing above debug', () => {
    const { log, lines } = capture('info');
    imapflowLogger(log).debug({ msg: 'C: A1 NOOP' });
    expect(lines).toEqual([]);
  });

  it('tells imapflow which levels reach the log, so it skips building the others', () => {
    expect(imapflowLogger(capture('debug').log).isLevelEnabled('trace')).toBe(false);
    expect(imapflowLogger(capture('debug').log).isLevelEnabled('debug')).toBe(true);
    expect(imapflowLogger(capture('debug').log).isLevelEnabled('error')).toBe(true);
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
      expect(imapflowLogger(capture('info').log).isLevelEnabled(level)).toBe(false);
  });

  // Regression (relay_overhead): without isLevelEnabled imapflow counted every level as enabled
  // and re-serialised each FETCH response line for a trace entry the relay then dropped.
  it('regression: a real ImapFlow asks our logger instead of assuming every level is on', () => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: 1,
      auth: { user: 'u', pass: 'p' },
      logger: imapflowLogger(capture('info').log),
    });
    const internal = client as unknown as { isLogLevelEnabled(level: string): boolean };
    expect(internal.isLogLevelEnabled('trace')).toBe(false);
    expect(internal.isLogLevelEnabled('debug')).toBe(false);
    client.close();
  });
});
