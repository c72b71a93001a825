import { describe, expect, it } from 'vitest';
import { checkRelayUrl as check, DEFAULT_RELAY_URL, isLoopbackHost } from './relay-url.js';
import { testTranslator } from '../testing/translator.js';

const t = testTranslator();
const checkRelayUrl = (input: string) => check(input, t);

function endpoints(input: string) {
  const r = checkRelayUrl(input);
  if (!r.ok) throw new Error(`expected ok for ${input}: ${r.message}`);
  return r.endpoints;
}

function message(input: string): string {
  const r = checkRelayUrl(input);
  if (r.ok) throw new Error(`expected an error for ${input}`);
  return r.message;
}

describe('checkRelayUrl', () => {
  it('accepts the default and derives the pair and socket URLs', () => {
    expect(endpoints(DEFAULT_RELAY_URL)).toEqual({
      url: 'ws://127.0.0.1:8787',
      pairUrl: 'http://127.0.0.1:8787/v1/pair',
      socketUrl: 'ws://127.0.0.1:8787/v1/ws',
    });
  });

  it('allows ws:// on every loopback spelling', () => {
    for (const input of [
      'ws://localhost:8787',
      'ws://LOCALHOST',
      'ws://127.0.0.1',
      'ws://127.1.2.3:9',
      'ws://[::1]:8787',
    ]) {
      expect(checkRelayUrl(input).ok, input).toBe(true);
    }
    expect(endpoints('ws://[::1]:8787').pairUrl).toBe('http://[::1]:8787/v1/pair');
  });

  it('refuses ws:// to anything that is not loopback and suggests wss://', () => {
    for (const input of [
      'ws://192.168.1.5:8787',
      'ws://example.org',
      'ws://[::2]',
      'ws://localhost.example.org',
      'ws://128.0.0.1',
    ]) {
      expect(message(input), input).toMatch(/only allowed for a relay on this computer/);
    }
    expect(message('ws://relay.example.org:8787')).toContain('wss://relay.example.org:8787');
  });

  it('accepts wss:// anywhere, keeps a path prefix and drops trailing slashes', () => {
    expect(endpoints('  wss://mail.example.org/tidings/  ')).toEqual({
      url: 'wss://mail.example.org/tidings',
      pairUrl: 'https://mail.example.org/tidings/v1/pair',
      socketUrl: 'wss://mail.example.org/tidings/v1/ws',
    });
  });

  it('explains every refusal', () => {
    expect(message('')).toMatch(/Enter the relay address/);
    expect(message('not a url')).toMatch(/not a valid address/);
    expect(message('http://127.0.0.1:8787')).toMatch(/Use ws:\/\/ instead of http:\/\//);
    expect(message('https://relay.example.org')).toMatch(/Use wss:\/\/ instead of https:\/\//);
    expect(message('ftp://relay.example.org')).toMatch(/must start with wss:\/\//);
    expect(message('wss://me:pw@relay.example.org')).toMatch(/user name and password/);
    expect(message('wss://relay.example.org/?token=x')).toMatch(/"\?…"/);
  });
});

describe('isLoopbackHost', () => {
  it('knows the loopback names', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false);
    expect(isLoopbackHost('10.0.0.1')).toBe(false);
  });
});
