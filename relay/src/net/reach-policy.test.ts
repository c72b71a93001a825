import type { lookup as dnsLookup } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { classifyAddress, guardedLookup, literalRefusal, reachRefusal } from './reach-policy.js';

const open = { allowPrivate: true };
const closed = { allowPrivate: false };

describe('classifyAddress', () => {
  it('knows link-local, metadata, loopback, private, special and public addresses', () => {
    expect(classifyAddress('169.254.169.254')).toBe('link-local');
    expect(classifyAddress('fe80::1')).toBe('link-local');
    expect(classifyAddress('fe80::1%eth0')).toBe('link-local');
    expect(classifyAddress('::ffff:169.254.169.254')).toBe('link-local');
    expect(classifyAddress('fd00:ec2::254')).toBe('metadata');
    expect(classifyAddress('100.100.100.200')).toBe('metadata');
    expect(classifyAddress('127.0.0.1')).toBe('loopback');
    expect(classifyAddress('::1')).toBe('loopback');
    expect(classifyAddress('::ffff:127.0.0.1')).toBe('loopback');
    expect(classifyAddress('10.0.0.5')).toBe('private');
    expect(classifyAddress('172.31.255.1')).toBe('private');
    expect(classifyAddress('192.168.1.1')).toBe('private');
    expect(classifyAddress('fd12::1')).toBe('private');
    expect(classifyAddress('0.0.0.0')).toBe('special');
    expect(classifyAddress('::')).toBe('special');
    expect(classifyAddress('224.0.0.1')).toBe('special');
    expect(classifyAddress('93.184.215.14')).toBe('public');
    expect(classifyAddress('2606:4700::1111')).toBe('public');
  });
});

describe('reachRefusal', () => {
  it('never allows link-local or metadata; loopback and private only when allowed', () => {
    for (const ip of ['169.254.169.254', 'fe80::1', '100.100.100.200', '0.0.0.0']) {
      expect(reachRefusal(ip, open), ip).toMatch(/does not connect/);
    }
    expect(reachRefusal('127.0.0.1', open)).toBeNull();
    expect(reachRefusal('10.0.0.5', open)).toBeNull();
    expect(reachRefusal('127.0.0.1', closed)).toMatch(/loopback/);
    expect(reachRefusal('10.0.0.5', closed)).toMatch(/private/);
    expect(reachRefusal('93.184.215.14', closed)).toBeNull();
    expect(literalRefusal('[fe80::1]', open)).toMatch(/link-local/);
    expect(literalRefusal('imap.example.com', closed)).toBeNull();
  });
});

describe('guardedLookup', () => {
  const fake = (answers: { address: string; family: number }[]): typeof dnsLookup =>
    ((_host: string, _options: unknown, cb: (e: null, a: typeof answers) => void) => cb(null, answers)) as never;

  const resolve = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
    new Promise<unknown>((res, rej) =>
      lookup('mail.example', { all }, (err, address) => (err ? rej(err) : res(address))),
    );

  it('refuses a name that resolves to a metadata address, even next to a public one', async () => {
    const lookup = guardedLookup(
      open,
      fake([
        { address: '93.184.215.14', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ]),
    );
    await expect(resolve(lookup, false)).rejects.toMatchObject({ code: 'EREACHPOLICY' });
  });

  it('passes allowed answers through in the shape the caller asked for', async () => {
    const lookup = guardedLookup(closed, fake([{ address: '93.184.215.14', family: 4 }]));
    await expect(resolve(lookup, false)).resolves.toBe('93.184.215.14');
    await expect(resolve(lookup, true)).resolves.toEqual([{ address: '93.184.215.14', family: 4 }]);
  });
});
