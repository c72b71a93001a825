import { describe, expect, it } from 'vitest';
import { ReachRefused } from '../net/reach-policy.js';
import { classifyImapError } from './classify-error.js';
import { imapFlowOptions, withReachPolicy, type ServerSettings } from './client-options.js';

const settings = (host: string): ServerSettings => ({
  host,
  port: 993,
  security: 'tls',
  username: 'u',
  pinnedFingerprint: null,
  caPem: null,
});
const options = (host: string) => imapFlowOptions(settings(host), { kind: 'password', password: 'p' });

describe('withReachPolicy', () => {
  it('refuses a forbidden IP literal before any socket (Node skips lookup for literals)', () => {
    expect(() => withReachPolicy(options('169.254.169.254'), { allowPrivate: true })).toThrow(ReachRefused);
    expect(() => withReachPolicy(options('::ffff:127.0.0.1'), { allowPrivate: false })).toThrow(/loopback/);
    expect(withReachPolicy(options('127.0.0.1'), { allowPrivate: true }).host).toBe('127.0.0.1');
  });

  it('checks names after DNS resolution through the socket lookup, keeping the TLS options', async () => {
    const guarded = withReachPolicy(options('localhost'), { allowPrivate: false });
    expect(guarded.tls?.rejectUnauthorized).toBe(true);
    const lookup = guarded.tls?.lookup;
    expect(lookup).toBeTypeOf('function');
    const err = await new Promise<unknown>((resolve) => lookup!('localhost', {}, (e) => resolve(e)));
    expect(err).toBeInstanceOf(ReachRefused);
  });

  it('is classified as UNREACHABLE with the reason, not as a server error', () => {
    const classified = classifyImapError(new ReachRefused('The relay does not connect to 169.254.169.254: …'));
    expect(classified.code).toBe('UNREACHABLE');
    expect(classified.message).toMatch(/169\.254\.169\.254/);
  });
});
